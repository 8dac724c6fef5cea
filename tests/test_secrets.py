"""The secrets scan itself can find a planted key (the real scan runs at session end)."""

import tempfile
from pathlib import Path

from tests.conftest import TEST_KEY
from tests.secrets_scan import scan


def test_scan_finds_a_planted_key():
    # Outside pytest's temp dir, so the end-of-session scan does not see the plant.
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "sub").mkdir()
        (root / "sub" / "export.md").write_text(f"oops {TEST_KEY}")
        (root / "clean.txt").write_text("nothing here")
        message = f"Incorrect API key {TEST_KEY}"
        leaks = scan([root], TEST_KEY, ["fine", message])
        assert leaks == [str(root / "sub" / "export.md"), f"error message: {message[:80]}"]
