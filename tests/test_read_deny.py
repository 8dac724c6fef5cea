"""read_file refuses files that usually hold secrets (tools.deny), with a clear result."""

import json

import pytest

from tui.core.settings import load_settings
from tui.core.tools.setup import build_registry


def registry_in(tmp_path, extra: str = ""):
    config = tmp_path / "c.toml"
    config.write_text(f"[tools]\nroots = [{json.dumps(str(tmp_path / 'work'))}]\n" + extra)
    return build_registry(load_settings(config))


@pytest.fixture
def work(tmp_path):
    root = tmp_path / "work"
    (root / ".ssh").mkdir(parents=True)
    (root / "config").mkdir()
    for name in (".env", ".env.local", "server.pem", "tls.key", "id_rsa", "id_ed25519.pub", ".netrc",
                 ".ssh/config", "config/credentials.json", "credentials", "DEPLOY.PEM", "notes.txt"):
        (root / name).write_text(f"SECRET in {name}\n")
    (root / "innocent.txt").symlink_to(root / ".env")
    return root


async def read(reg, path):
    return await reg.execute("read_file", json.dumps({"path": path}))


@pytest.mark.parametrize("name", [
    ".env", ".env.local", "server.pem", "tls.key", "id_rsa", "id_ed25519.pub", ".netrc", ".ssh/config",
    "config/credentials.json", "credentials", "innocent.txt", "./DEPLOY.PEM",
])
async def test_secret_files_are_refused(tmp_path, work, name):
    result = await read(registry_in(tmp_path), name)
    assert not result.ok and "SECRET" not in result.content
    assert "refused" in result.content and "tools.deny" in result.content


async def test_ordinary_files_are_read(tmp_path, work):
    result = await read(registry_in(tmp_path), "notes.txt")
    assert result.ok and "SECRET in notes.txt" in result.content


async def test_the_deny_list_can_be_overridden(tmp_path, work):
    reg = registry_in(tmp_path, 'deny = ["*.pem"]\n')
    assert (await read(reg, ".env")).ok
    assert not (await read(reg, "server.pem")).ok
    assert (await read(registry_in(tmp_path, "deny = []\n"), "server.pem")).ok


def test_the_example_config_shows_the_default_list():
    import tomllib
    from pathlib import Path

    from tui.core.tools.paths import DEFAULT_DENY

    example = tomllib.loads((Path(__file__).parent.parent / "config.example.toml").read_text())
    assert tuple(example["tools"]["deny"]) == DEFAULT_DENY
