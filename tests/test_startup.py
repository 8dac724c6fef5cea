"""Start-up: the first frame comes from a Preview; the settings are validated just after.

What must hold: nothing heavy (pydantic, the SDK) is imported before the first frame;
the screen follows the validated settings; keys typed while they load are not lost; a
bad config still ends the run with its message and exit code 2.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from tests import sse_server as s
from tests.helpers import replies, screen_text, settle, users
from tui.core.preview import DEFAULT_BASE_URL, DEFAULT_MODEL, Preview, host_of, preview
from tui.core.settings import ConfigError, load_settings
from tui.widgets.prompt_input import PromptInput
from tui.widgets.status_line import StatusLine

ROOT = Path(__file__).resolve().parent.parent
SIZE = (120, 40)


# -- the preview ------------------------------------------------------------------------
def test_preview_follows_the_settings_precedence(tmp_path, monkeypatch):
    config = tmp_path / "c.toml"
    config.write_text('base_url = "http://file:1/v1"\nmodel = "file-model"\ntheme = "nord"\n[ui]\nsidebar = false\n')
    assert preview(config) == Preview("http://file:1/v1", "file-model", "nord", False, 100)
    monkeypatch.setenv("tui_chat_model", "env-model")  # pydantic-settings matches env names in any case
    monkeypatch.setenv("TUI_CHAT_UI__SIDEBAR_MIN_WIDTH", "80")
    got = preview(config, base_url="http://cli:2/v1/", model=None)
    assert (got.base_url, got.model, got.sidebar_min_width, got.host) == ("http://cli:2/v1", "env-model", 80, "cli:2")


def test_preview_agrees_with_the_validated_settings(tmp_path, monkeypatch):
    config = tmp_path / "c.toml"
    config.write_text('base_url = "http://127.0.0.1:9/v1/"\nmodel = "m"\ntheme = "dracula"\n[ui]\nsidebar_min_width = 60\n')
    monkeypatch.setenv("TUI_CHAT_UI__SIDEBAR", "false")
    full, quick = load_settings(config), preview(config)
    assert (quick.base_url, quick.model, quick.theme, quick.host) == (full.base_url, full.model, full.theme, full.host)
    assert (quick.sidebar, quick.sidebar_min_width) == (full.ui.sidebar, full.ui.sidebar_min_width)


def test_preview_never_raises_and_falls_back_to_defaults(tmp_path):
    assert preview(tmp_path / "missing.toml") == Preview()
    bad = tmp_path / "bad.toml"
    bad.write_text("base_url = [unclosed\n")
    assert preview(bad) == Preview()
    bad.write_bytes(b"\xff\xfe")
    assert preview(bad) == Preview()
    bad.write_text('base_url = "ftp://x"\nmodel = 3\n[ui]\nsidebar = "maybe"\nsidebar_min_width = true\n')
    assert preview(bad) == Preview(DEFAULT_BASE_URL, DEFAULT_MODEL)
    assert host_of("https://api.opper.ai/v3/compat") == "api.opper.ai"


def test_nothing_heavy_is_imported_before_the_first_frame():
    code = (
        "import sys; import tui.cli, tui.app; from tui.core.preview import preview; preview(None)\n"
        "heavy = [m for m in ('pydantic', 'pydantic_settings', 'openai', 'httpx', 'sqlite3', 'mcp') if m in sys.modules]\n"
        "print(heavy)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


# -- the app with deferred settings -----------------------------------------------------------
def _deferred_app(settings_or_error, **preview_fields):
    from tui.app import make_app

    def load():
        if isinstance(settings_or_error, Exception):
            raise settings_or_error
        return settings_or_error

    return make_app(load=load, preview=Preview(**preview_fields))


async def test_first_frame_shows_the_preview_then_the_validated_settings(settings):
    app = _deferred_app(settings, base_url="http://preview.example:1/v1", model="preview-model")
    loaded = []
    original = app.startup.load_settings
    app.startup.load_settings = lambda: loaded.append(1)  # hold validation back to see the first frame
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        status = app.query_one(StatusLine)
        assert not app.ready and (status.host, status.model) == ("preview.example:1", "preview-model")
        assert loaded == [1]
        original()
        await pilot.pause()
        assert app.ready and (status.host, status.model) == (settings.host, "test-model")
        assert settings.host in screen_text(app)


async def test_keys_typed_before_the_settings_load_are_replayed_in_order(settings, server):
    server.queue(s.text_reply("Hello back."))
    app = _deferred_app(settings)
    original = app.startup.load_settings
    app.startup.load_settings = lambda: None
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("h", "i", "enter")
        await pilot.pause()
        assert app.query_one(PromptInput).text == "" and not users(app)  # held, not lost
        original()
        await settle(pilot)
        for _ in range(200):
            if replies(app) and not app.streaming:
                break
            await pilot.pause(0.02)
        assert users(app) == ["hi"]
        assert replies(app)[0].text == "Hello back."
        assert server.requests[-1]["messages"][-1] == {"role": "user", "content": "hi"}


async def test_a_paste_during_start_up_keeps_its_place_after_earlier_keys(settings):
    """Defect #16: a paste went ahead of the keys typed before it."""
    from textual import events

    app = _deferred_app(settings)
    original = app.startup.load_settings
    app.startup.load_settings = lambda: None
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("a", "b")
        app.post_message(events.Paste("cd"))
        await pilot.press("e")
        await pilot.pause()
        assert app.query_one(PromptInput).text == ""  # all held
        original()
        await pilot.pause()
        await pilot.pause()
        assert app.query_one(PromptInput).text == "abcde"


async def test_a_bad_config_found_after_the_first_frame_ends_the_run(settings):
    error = ConfigError("c.toml: 'temperature': must be a number")
    app = _deferred_app(error)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
    assert app.return_code == 2 and app.startup_error is error


# -- the real command on a terminal ---------------------------------------------------------
def _run_on_a_pty(args: list[str], env: dict, *, until: bytes | None, timeout: float = 30) -> tuple[bytes, int]:
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "tui", *args], stdin=slave, stdout=slave, stderr=slave,
                            env=env, cwd=ROOT, close_fds=True)
    os.close(slave)
    seen, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                seen += os.read(master, 65536)
            except OSError:
                break
        if until is not None and until in seen:
            break
    if proc.poll() is None:
        proc.send_signal(15)  # SIGTERM quits cleanly
    code = proc.wait(timeout=20)
    try:
        while select.select([master], [], [], 0.2)[0]:
            chunk = os.read(master, 65536)
            if not chunk:
                break
            seen += chunk
    except OSError:
        pass
    os.close(master)
    return seen, code


def _env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUI_CHAT_", "OPPER_", "OPENAI_"))}
    env.update(TERM="xterm-256color", COLUMNS="120", LINES="40", TUI_CHAT_HISTORY__PATH=str(tmp_path / "h.db"))
    return env


def test_a_bad_config_on_a_terminal_exits_2_with_its_message(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('temperature = "hot"\n')
    out, code = _run_on_a_pty(["--config", str(config)], _env(tmp_path), until=None)
    text = out.decode("utf-8", "replace")
    assert code == 2, text[-2000:]
    assert "bad configuration" in text and "temperature" in text and "Traceback" not in text


def test_on_a_terminal_the_screen_follows_the_config_file(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('base_url = "http://127.0.0.1:9/v1"\nmodel = "from-the-file"\n')
    out, code = _run_on_a_pty(["--config", str(config)], _env(tmp_path), until=b"from-the-file")
    assert b"from-the-file" in out and b"127.0.0.1:9" in out, out[-3000:]
    assert code == 0


def test_the_repaint_ceiling_is_raised_by_the_cli_unless_the_user_set_one(tmp_path):
    """The CLI sets TEXTUAL_FPS before it imports Textual; importing the package does not."""
    bad = tmp_path / "bad.toml"
    bad.write_text('temperature = "hot"\n')  # main() imports the app, then stops with exit 2
    through_main = (
        f"import sys, tui.cli; code = tui.cli.main(['--config', {str(bad)!r}]); "
        "import textual.constants as c; print(code, c.MAX_FPS)"
    )
    package_only = "import tui, tui.core.settings, textual.constants as c; print(c.MAX_FPS)"
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_FPS"}

    def run(code, **extra):
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                                env=dict(env, **extra), timeout=60, stdin=subprocess.DEVNULL)
        return result.stdout.strip() or result.stderr

    assert run(through_main) == "2 240"
    assert run(through_main, TEXTUAL_FPS="30") == "2 30"
    assert run(package_only) == "60"  # Textual's own default: tests that import tui get no surprise
