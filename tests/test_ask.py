"""``tui-chat ask`` as a user runs it: a subprocess against the loopback server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import sse_server as s
from tests.conftest import TEST_KEY
from tui.ask import StreamCleaner, compose_prompt
from tui.core.store import Store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def ask(server, empty_config, tmp_path):
    db = tmp_path / "history.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUI_CHAT_", "OPPER_", "OPENAI_"))}
    env.update(TUI_CHAT_API_KEY=TEST_KEY, TUI_CHAT_MAX_RETRIES="0", PYTHONPATH=str(ROOT), HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"))

    def run(*args: str, stdin: bytes | None = None, config: Path | None = None, **kwargs):
        command = [sys.executable, "-m", "tui", "ask", "--config", str(config or empty_config), "--db", str(db),
                   "--base-url", server.base_url, "-m", "test-model", *args]
        return subprocess.run(command, input=stdin if stdin is not None else b"", capture_output=True, env=env, timeout=60, **kwargs)

    run.db, run.env = db, env
    return run


def stored(db: Path):
    store = Store(db)
    info = store.latest()
    return info, [message for _, message in store.messages(info.id)]


def test_piped_input_is_a_fenced_block_streamed_and_saved(ask, server):
    server.queue(s.text_reply("Three commits, all tests.", pieces=6))
    done = ask("summarise", stdin=b"commit abc\nfix things\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode() == "Three commits, all tests.\n"
    sent = server.requests[0]["messages"][-1]["content"]
    assert sent == "summarise\n\n```\ncommit abc\nfix things\n```"
    info, messages = stored(ask.db)
    assert [m.role for m in messages] == ["user", "assistant"]
    assert messages[1].content == "Three commits, all tests." and messages[1].status == "complete"


def test_the_app_resumes_what_ask_saved(ask, server, settings):
    """The turn asked in a pipe is the one 'tui-chat --resume' opens."""
    server.queue(s.text_reply("Saved for later."))
    assert ask("remember this").returncode == 0
    from tui.core.history import History
    from tui.core.session import ChatSession

    session = ChatSession(settings, History(settings, str(ask.db)))
    assert session.open(session.history.store.latest().id)
    assert [m.content for m in session.messages] == ["remember this", "Saved for later."]


async def test_resume_shows_the_ask_turn_beside_the_tabs_open_at_quit(ask, server, settings):
    """The README's flow: the app quits with its tabs saved, then `git log | tui-chat ask ...`,
    then `tui-chat --resume`: the asked turn is shown, and the old tab is still there."""
    from tests.helpers import send, users, wait_for
    from tui.app import make_app
    from tui.core.settings import ToolsSettings

    config = settings.model_copy(update={"tools": ToolsSettings(enabled=False)})
    server.queue(s.text_reply("In the app."), s.text_reply("Saved for later."))
    app = make_app(config, db=str(ask.db))
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "an app chat")
        await pilot.press("ctrl+q")
    time.sleep(0.05)  # the ask turn comes after the quit, as it does for a person
    assert ask("remember this").returncode == 0
    again = make_app(config, db=str(ask.db), open_conversation="latest")
    async with again.run_test(size=(100, 30)) as pilot:
        await wait_for(lambda: len(again.tabs) == 2 and again.active_tab is again.tabs[1])
        await pilot.pause()
        assert users(again) == ["remember this"]
        assert [m.content for m in again.tabs[0].session.messages] == ["an app chat", "In the app."]


def test_json_continue_and_usage(ask, server):
    server.queue(s.text_reply("First."), s.text_reply("Second."))
    assert ask("one").returncode == 0
    done = ask("--continue", "--json", "two")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["content"] == "Second." and body["status"] == "complete"
    assert body["usage"]["prompt_tokens"] == 11 and body["usage"]["completion_tokens"] == 7
    assert [m["content"] for m in server.requests[1]["messages"]] == ["one", "First.", "two"]
    info, messages = stored(ask.db)
    assert body["conversation_id"] == info.id and len(messages) == 4


def test_no_save_keeps_history_empty(ask, server):
    assert ask("--no-save", "hi").returncode == 0
    assert not ask.db.exists() or Store(ask.db).latest() is None


def test_exit_1_when_the_server_fails(ask, server):
    server.queue(s.http_error(500))
    done = ask("hi")
    assert done.returncode == 1
    assert "HTTP 500" in done.stderr.decode() and TEST_KEY not in done.stderr.decode()


@pytest.mark.parametrize("case", ["no prompt", "bad config", "unknown conversation", "bad flag", "binary", "too big"])
def test_exit_2_for_bad_arguments_and_input(ask, server, tmp_path, case):
    config = None
    args: tuple[str, ...] = ("hi",)
    stdin = b""
    if case == "no prompt":
        args = ()
    elif case == "bad config":
        config = tmp_path / "bad.toml"
        config.write_text("temperature = 9\n")
    elif case == "unknown conversation":
        args = ("--conversation", "99", "hi")
    elif case == "bad flag":
        args = ("--frobnicate", "hi")
    elif case == "binary":
        stdin = b"\x7fELF\x00\x01\x02"
    else:
        config = tmp_path / "small.toml"
        config.write_text("[attachments]\nmax_bytes = 2048\n")
        stdin = b"x" * 4096
    done = ask(*args, stdin=stdin, config=config)
    assert done.returncode == 2, (case, done.stderr)
    assert server.requests == []
    if case == "too big":
        assert b"2048 bytes" in done.stderr
    if case == "binary":
        assert b"binary" in done.stderr


def test_sigint_mid_stream_exits_130_and_keeps_the_partial_reply_stopped(ask, server, empty_config):
    server.queue(s.stall_after("Half an ans"))
    command = [sys.executable, "-m", "tui", "ask", "--config", str(empty_config), "--db", str(ask.db),
               "--base-url", server.base_url, "-m", "test-model", "go"]
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ask.env)
    try:
        got = b""
        deadline = time.monotonic() + 30
        while b"Half an ans" not in got:
            assert time.monotonic() < deadline, "no streamed text"
            got += os.read(proc.stdout.fileno(), 100)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 130
        assert b"interrupted" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        proc.stderr.close()
        server.release_stalls()
    info, messages = stored(ask.db)
    assert messages[-1].role == "assistant"
    assert messages[-1].content == "Half an ans" and messages[-1].status == "stopped"


def _approve():
    return s.tool_calls_reply([
        ("call_r", "run_command", '{"argv": ["echo", "hello from a tool"]}'),
        ("call_l", "get_time", '{"timezone": "UTC"}'),
    ])


@pytest.mark.parametrize("yes", [False, True])
def test_side_effecting_tools_need_yes(ask, server, tmp_path, yes):
    config = tmp_path / "tools.toml"
    config.write_text("[tools]\nrun_command = true\n")
    server.queue(_approve(), s.text_reply("Done."))
    done = ask(*(["--yes"] if yes else []), "run it", config=config)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().endswith("Done.\n")
    results = {m["tool_call_id"]: m["content"] for m in server.requests[1]["messages"] if m["role"] == "tool"}
    assert "UTC" in results["call_l"] or ":" in results["call_l"]  # the read-only tool ran either way
    if yes:
        assert "hello from a tool" in results["call_r"]
    else:
        assert results["call_r"] == "denied by the user"
        assert "denied run_command" in done.stderr.decode() and "--yes" in done.stderr.decode()


def test_model_text_cannot_reach_the_terminal_as_escapes(ask, server):
    server.queue(s.text_reply("red \x1b[31mRED\x1b[0m clip \x1b]52;c;aGk=\x07 end", pieces=12))
    done = ask("hi")
    assert done.returncode == 0
    assert b"\x1b" not in done.stdout and b"\x07" not in done.stdout
    assert b"aGk=" not in done.stdout and done.stdout.startswith(b"red RED clip")


def test_ask_never_imports_textual(ask, server, empty_config):
    code = (
        "import sys; from tui.cli import main; "
        f"rc = main(['ask', '--config', {str(empty_config)!r}, '--db', {str(ask.db)!r}, '--base-url', {server.base_url!r}, 'hi']); "
        "assert rc == 0, rc; print('TEXTUAL', any(m == 'textual' or m.startswith('textual.') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, env=ask.env, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode().splitlines()[-1] == "TEXTUAL False"


def test_split_escape_sequences_are_held_until_complete():
    cleaner = StreamCleaner()
    out = cleaner.feed("a \x1b]52;c;") + cleaner.feed("aGk=") + cleaner.feed("\x07 b \x1b[") + cleaner.feed("31mc") + cleaner.flush()
    assert out == "a  b c"


def test_fence_outgrows_backticks_inside():
    prompt = compose_prompt("look", "```\ncode\n```\n")
    assert prompt.startswith("look\n\n````\n```\ncode\n```\n````")


@pytest.mark.local
def test_with_no_key_ask_falls_back_to_the_local_model(tmp_path, empty_config):
    from tui.core.local import MODEL_ALIAS, extra_installed

    if not extra_installed():
        if os.environ.get("TUI_CHAT_REQUIRE_LOCAL"):
            pytest.fail("TUI_CHAT_REQUIRE_LOCAL is set but the 'local' extra is not installed")
        pytest.skip("the 'local' extra is not installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUI_CHAT_", "OPPER_", "OPENAI_"))}
    env.update(PYTHONPATH=str(ROOT), HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"),
               XDG_CACHE_HOME=str(tmp_path / "cache"), TUI_CHAT_MAX_TOKENS="12")
    db = tmp_path / "h.db"
    done = subprocess.run([sys.executable, "-m", "tui", "ask", "--config", str(empty_config), "--db", str(db), "--json", "Say hi."],
                          stdin=subprocess.DEVNULL, capture_output=True, env=env, timeout=180)
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["model"] == MODEL_ALIAS and body["content"].strip()
    _info, messages = stored(db)
    assert messages[-1].model == MODEL_ALIAS and messages[-1].status == "complete"


def test_render_uses_rich_markdown_on_a_terminal_only():
    import io

    from tui.ask import Printer

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    for out, rendered in ((Terminal(), True), (io.StringIO(), False)):
        printer = Printer(out, render=True, quiet=False)
        for piece in ("# Title\n\n", "some **bold", "** text\x1b]52;c;aGk=\x07"):
            printer.write(piece)
        printer.end_reply()
        text = out.getvalue()
        assert "aGk=" not in text and "\x07" not in text
        assert ("**bold**" not in text) == rendered and "bold" in text


def test_render_on_a_real_terminal(ask, server, empty_config):
    """``--render`` with standard output on a real pseudo-terminal: Markdown is drawn with Rich
    (no ``**`` left, bold on), and the model's control sequences never reach the terminal."""
    import pty
    import select

    server.queue(s.paced(s.text_reply("# Title\n\nsome **bold** text\x1b]52;c;aGk=\x07 end", pieces=6), 20))
    main, child = pty.openpty()
    command = [sys.executable, "-m", "tui", "ask", "--render", "--config", str(empty_config),
               "--db", str(ask.db), "--base-url", server.base_url, "-m", "test-model", "hello"]
    env = dict(ask.env, TERM="xterm-256color", COLUMNS="80", LINES="24")
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=child, stderr=subprocess.PIPE, env=env)
    os.close(child)
    out = b""
    try:
        while True:
            ready, _, _ = select.select([main], [], [], 30)
            assert ready, "no output from ask --render"
            try:
                data = os.read(main, 65536)
            except OSError:  # the terminal closed: the process has ended
                break
            if not data:
                break
            out += data
    finally:
        os.close(main)
        assert proc.wait(timeout=30) == 0, proc.stderr.read()
    text = out.decode()
    assert "aGk=" not in text and "\x1b]52" not in text and "\x07" not in text
    final = text.rsplit("\x1b[2K", 1)[-1]  # Rich's Live erases each frame before it draws the next
    assert "Title" in final and "some \x1b[1mbold\x1b[0m text end" in final
    assert "**" not in final and "# Title" not in final


def test_mcp_tools_are_offered_and_read_only_ones_run(ask, server, tmp_path):
    config = tmp_path / "mcp.toml"
    config.write_text(
        f'[mcp.servers.notes]\ncommand = {json.dumps(sys.executable)}\nargs = ["-m", "tests.mcp_server"]\ncwd = {json.dumps(str(ROOT))}\n'
    )
    server.queue(s.tool_calls_reply([("call_1", "notes__read_note", '{"name": "groceries"}')]), s.text_reply("Milk."))
    done = ask("what do I buy", config=config)
    assert done.returncode == 0, done.stderr
    assert "notes__read_note" in [t["function"]["name"] for t in server.requests[0]["tools"]]
    result = next(m for m in server.requests[1]["messages"] if m["role"] == "tool")
    assert "denied" not in result["content"] and result["content"].strip()
