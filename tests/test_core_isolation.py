"""tui.core must stay UI-free: importing any of its modules must not pull in textual."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import tui

# Imports every module of tui.core, subpackages included, in a fresh interpreter
# (nothing imported yet), then lists the textual modules that came with them.
WALK = (
    "import importlib, pkgutil, sys\n"
    "import tui.core\n"
    "names = [m.name for m in pkgutil.walk_packages(tui.core.__path__, 'tui.core.', onerror=lambda n: None)]\n"
    "for name in names:\n"
    "    importlib.import_module(name)\n"
    "bad = sorted(n for n in sys.modules if n == 'textual' or n.startswith('textual.'))\n"
    "print(len(names), ','.join(bad))\n"
)


def walk(package_parent: Path) -> tuple[int, str]:
    result = subprocess.run(
        [sys.executable, "-c", WALK], capture_output=True, text=True, check=True, cwd=package_parent,
        env={**os.environ, "PYTHONPATH": str(package_parent)},
    )
    count, _, bad = result.stdout.strip().partition(" ")
    return int(count), bad


def test_core_imports_without_textual():
    count, bad = walk(Path(tui.__file__).parent.parent)
    assert bad == ""
    assert count >= 20  # every module, subpackages (tools, mcp) included


def test_a_planted_import_in_a_subpackage_is_caught(tmp_path):
    shutil.copytree(Path(tui.__file__).parent, tmp_path / "tui", ignore=shutil.ignore_patterns("__pycache__"))
    results = tmp_path / "tui" / "core" / "mcp" / "results.py"
    results.write_text(results.read_text() + "\nimport textual  # planted\n")
    _, bad = walk(tmp_path)
    assert bad.split(",")[0] == "textual"
