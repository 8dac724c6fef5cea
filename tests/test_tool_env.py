"""Programs that tools start get no secrets from tui-chat's environment, and a timeout
stops everything they started."""

import json
import os
import sys
from pathlib import Path

import pytest

from tests.helpers import wait_for
from tui.core.settings import load_settings
from tui.core.tools.env import looks_secret, tool_environment
from tui.core.tools.setup import build_registry

SECRETS = {
    "OPPER_API_KEY": "op-secret", "OPENAI_API_KEY": "sk-secret", "TUI_CHAT_API_KEY": "tc-secret",
    "GITHUB_TOKEN": "gh-secret", "AWS_SECRET_ACCESS_KEY": "aws-secret", "DB_PASSWORD": "pw-secret",
}
DUMP_ENV = [sys.executable, "-c", "import json, os; print(json.dumps(dict(os.environ)))"]


@pytest.fixture
def secret_env(monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HARMLESS_SETTING", "kept")


def registry_from(tmp_path, toml: str):
    path = tmp_path / "c.toml"
    path.write_text(f"[tools]\nroots = [{json.dumps(str(tmp_path))}]\n" + toml)
    return build_registry(load_settings(path))


def environment_seen(result) -> dict[str, str]:
    assert result.ok, result.content
    return json.loads(result.content.split("\n", 1)[1])


def test_secret_names():
    for name in (*SECRETS, "SSH_AUTH_SOCK", "npm_config__authToken", "MY_PRIVATE_KEY", "TUI_CHAT_MODEL"):
        assert looks_secret(name), name
    for name in ("PATH", "HOME", "LANG", "TERM", "HARMLESS_SETTING", "PYTHONPATH"):
        assert not looks_secret(name), name
    assert tool_environment(["GITHUB_TOKEN"], {"GITHUB_TOKEN": "x", "OPPER_API_KEY": "y", "PATH": "/bin"}) == {
        "GITHUB_TOKEN": "x", "PATH": "/bin",
    }


async def test_command_tools_get_no_secrets_unless_listed(tmp_path, secret_env):
    reg = registry_from(tmp_path, (
        "[[tools.command]]\nname = \"plain\"\nargv = " + json.dumps(DUMP_ENV) + "\n"
        "[[tools.command]]\nname = \"gh\"\nargv = " + json.dumps(DUMP_ENV) + "\npass_env = [\"GITHUB_TOKEN\"]\n"
    ))
    plain = environment_seen(await reg.execute("plain", "{}"))
    assert not set(SECRETS) & set(plain)
    assert plain["HARMLESS_SETTING"] == "kept" and plain["PATH"] == os.environ["PATH"]
    gh = environment_seen(await reg.execute("gh", "{}"))
    assert gh["GITHUB_TOKEN"] == "gh-secret" and not (set(SECRETS) - {"GITHUB_TOKEN"}) & set(gh)


async def test_run_command_gets_no_secrets_unless_listed(tmp_path, secret_env):
    reg = registry_from(tmp_path, "run_command = true\n")
    seen = environment_seen(await reg.execute("run_command", json.dumps({"argv": DUMP_ENV})))
    assert not set(SECRETS) & set(seen) and seen["HARMLESS_SETTING"] == "kept"
    reg = registry_from(tmp_path, 'run_command = true\npass_env = ["DB_PASSWORD"]\n')
    seen = environment_seen(await reg.execute("run_command", json.dumps({"argv": DUMP_ENV})))
    assert seen["DB_PASSWORD"] == "pw-secret" and "OPPER_API_KEY" not in seen


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")  # killed, waiting for init to reap it


async def test_a_timeout_stops_the_whole_process_group(tmp_path):
    pidfile = tmp_path / "child.pid"
    # The program starts a child that inherits the output pipe, then waits on it.
    script = (
        "import subprocess, sys, time; "
        f"child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); "
        f"open({str(pidfile)!r}, 'w').write(str(child.pid)); child.wait()"
    )
    reg = registry_from(tmp_path, (
        "[[tools.command]]\nname = \"spawner\"\nargv = " + json.dumps([sys.executable, "-c", script]) + "\ntimeout = 1\n"
    ))
    result = await reg.execute("spawner", "{}")
    assert not result.ok and "timed out" in result.content
    child = int(pidfile.read_text())
    await wait_for(lambda: _gone(child))
