"""End to end against the real bundled model: llama.cpp's server running SmolLM2-135M.

These need the 'local' extra. `.ci/run` installs it and sets TUI_CHAT_REQUIRE_LOCAL=1,
so there a missing extra fails instead of skipping.
"""

import json
import os
import pty
import signal
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import replies, screen_text, send, wait_for
from tui.core.conversation import Reply
from tui.core.local import LocalConfig, LocalServer, extra_installed, force_tool_call, locate_model
from tui.core.preview import DEFAULT_BASE_URL
from tui.local_mode import LocalMode
from tui.widgets.error_banner import ErrorBanner
from tui.widgets.status_line import StatusLine

pytestmark = pytest.mark.local

if not extra_installed():
    if os.environ.get("TUI_CHAT_REQUIRE_LOCAL"):
        raise RuntimeError("TUI_CHAT_REQUIRE_LOCAL is set but the 'local' extra is not installed")
    pytest.skip("the 'local' extra is not installed", allow_module_level=True)

SIZE = (100, 30)


def local_mode(tmp_path, *, fallback=False) -> LocalMode:
    server = LocalServer(LocalConfig(locate_model(None), context_size=1024), log=tmp_path / "local-server.log")
    return LocalMode(server, fallback=fallback)


@pytest.fixture
def local_app(settings, tmp_path):
    from tui.app import make_app

    made = []

    def factory(max_tokens=40, **kw):
        mode = local_mode(tmp_path, **kw)
        # Greedy decoding: the tiny model's answer is the same every run.
        app = make_app(settings.model_copy(update={"max_tokens": max_tokens, "api_key": None, "temperature": 0.0}), local=mode)
        made.append(mode)
        return app, mode

    yield factory
    for mode in made:
        mode.server.stop()


def pid_gone(pid: int, wait: float = 10.0) -> bool:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists() or "State:\tZ" in Path(f"/proc/{pid}/status").read_text():
            return True
        time.sleep(0.05)
    return False


async def test_tool_call_plumbing_through_the_core(tmp_path, settings):
    """The same pump the app uses assembles a tool call from llama.cpp's stream
    (which repeats id and name in every fragment)."""
    from tui import messages as m
    from tui.core.client import make_client
    from tui.worker import pump_reply

    mode = local_mode(tmp_path)
    await mode.server.start()
    try:
        client = make_client(mode.settings_for(settings))
        tool = {"type": "function", "function": {
            "name": "get_time", "description": "Current time in an IANA time zone",
            "parameters": {"type": "object", "properties": {"timezone": {"type": "string"}}, "required": ["timezone"]},
        }}
        request = force_tool_call({
            "model": mode.model, "max_tokens": 60, "stream": True, "tools": [tool],
            "tool_choice": {"type": "function", "function": {"name": "get_time"}},
            "messages": [{"role": "user", "content": "What time is it in Stockholm?"}],
        })
        posted, reply = [], Reply()
        await pump_reply(posted.append, client, request, reply, read_timeout=60, secret="")
        assert isinstance(posted[-1], m.ReplyFinished), posted[-1]
        calls = reply.tools.calls
        assert [call.name for call in calls] == ["get_time"]
        assert json.loads(calls[0].arguments).keys() == {"timezone"} and calls[0].to_api()["id"]
        assert reply.finish_reason == "tool_calls" and not reply.text.strip()
        await client.close()
    finally:
        mode.server.stop()


async def test_streamed_reply_with_no_key(local_app):
    app, mode = local_app(fallback=True)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "Say hello in one short sentence.")
        await wait_for(lambda: not app.streaming, tries=1500)
        reply = replies(app)[-1]
        assert reply.text.strip(), "the local model answered nothing"
        assert not app.query_one(ErrorBanner).visible
        status = app.query_one(StatusLine)
        assert status.model == "SmolLM2-135M" and status.host == "local"
        assert "set OPPER_API_KEY to use Opper" in screen_text(app)
        assert mode.server.load_seconds > 0
        assert app.session.conversation.messages[-1].model == "smollm2-135m-instruct"


async def start_a_long_reply(app, pilot) -> None:
    """Ask for a long answer and wait until some of it has streamed in."""
    await send(pilot, "Write a long story about a lighthouse keeper.", wait=False)
    await wait_for(lambda: len(replies(app)) == 1 and len(replies(app)[-1].text) > 5, tries=1500)


async def test_cancel_then_the_next_turn_works(local_app):
    app, _ = local_app(max_tokens=400)
    async with app.run_test(size=SIZE) as pilot:
        await start_a_long_reply(app, pilot)
        await pilot.press("escape")
        await wait_for(lambda: not app.streaming)
        assert app.session.conversation.messages[-1].status == "stopped"
        app.session.options.max_tokens = 20
        await send(pilot, "Now say hi.")
        await wait_for(lambda: not app.streaming, tries=1500)
        assert app.session.conversation.messages[-1].status == "complete"


async def test_server_killed_mid_stream_shows_the_banner_and_r_restarts(local_app):
    app, mode = local_app(max_tokens=400)
    async with app.run_test(size=SIZE) as pilot:
        await start_a_long_reply(app, pilot)
        first_pid = mode.server.pid
        os.kill(first_pid, signal.SIGKILL)
        await wait_for(lambda: not app.streaming, tries=1500)
        banner = app.query_one(ErrorBanner)
        await wait_for(lambda: "The local model server crashed (SIGKILL)" in screen_text(app), tries=100)
        assert banner.visible
        assert "Retry to restart it" in screen_text(app)
        app.session.options.max_tokens = 20
        banner.focus()
        await pilot.press("r")
        await wait_for(lambda: app.streaming, tries=200)
        await wait_for(lambda: not app.streaming, tries=1500)
        assert mode.server.alive and mode.server.pid != first_pid
        assert not banner.visible and app.session.conversation.messages[-1].status == "complete"


async def test_no_orphan_after_the_app_quits(local_app):
    app, mode = local_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: mode.server.load_seconds > 0, tries=1500)
        pid = mode.server.pid
        await pilot.press("ctrl+q")
    assert pid_gone(pid)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_real_cli_leaves_no_orphan(tmp_path, how):
    """`tui-chat --local` in a real terminal (a pty): however it ends, the server goes with it."""
    env = dict(os.environ, HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"), TERM="xterm-256color")
    for name in ("TUI_CHAT_API_KEY", "OPPER_API_KEY", "OPENAI_API_KEY"):
        env.pop(name, None)
    pid, fd = pty.fork()
    if pid == 0:  # child: become tui-chat
        os.execvpe(sys.executable, [sys.executable, "-m", "tui", "--local", "--db", str(tmp_path / "h.db")], env)
    import threading

    def drain() -> None:  # a terminal that is never read blocks the app's writes
        while True:
            try:
                if not os.read(fd, 65536):
                    return
            except OSError:
                return

    threading.Thread(target=drain, daemon=True).start()
    try:
        deadline = time.monotonic() + 60
        servers: list[int] = []
        while time.monotonic() < deadline and not servers:
            servers = [c for c in _children(pid) if b"tui.core.llama_launcher" in Path(f"/proc/{c}/cmdline").read_bytes()]
            time.sleep(0.1)
        assert servers, "the app never started the local server"
        os.kill(pid, how)
        os.waitpid(pid, 0)
        assert pid_gone(servers[0]), f"llama.cpp server {servers[0]} outlived tui-chat ({how.name})"
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.close(fd)


async def test_with_no_key_the_settings_loaded_after_the_first_frame_choose_the_local_model(settings, tmp_path):
    """The real CLI on a terminal validates settings after the first frame; the fallback is decided then."""
    from tui.app import make_app
    from tui.core.preview import Preview

    loaded = settings.model_copy(update={
        "base_url": DEFAULT_BASE_URL, "api_key": None, "max_tokens": 20, "temperature": 0.0,
    })
    app = make_app(load=lambda: loaded, preview=Preview())
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(lambda: app.ready and app.local is not None)
            await send(pilot, "Say hello.")
            await wait_for(lambda: not app.streaming, tries=1500)
            assert replies(app)[-1].text.strip()
            status = app.query_one(StatusLine)
            assert (status.model, status.host) == ("SmolLM2-135M", "local")
            assert app.local.fallback
    finally:
        if app.local:
            app.local.server.stop()


async def test_a_port_taken_before_the_bind_is_retried_once(tmp_path, monkeypatch):
    """Someone binds the port between our check and llama.cpp's bind: the next port is used."""
    import socket

    from tui.core import local

    squatter = socket.socket()
    squatter.bind(("127.0.0.1", 0))
    squatter.listen()
    taken = squatter.getsockname()[1]
    ports = iter([taken])
    real_free_port = local.free_port
    monkeypatch.setattr(local, "free_port", lambda: next(ports, None) or real_free_port())
    server = LocalServer(LocalConfig(locate_model(None), context_size=512), log=tmp_path / "server.log")
    try:
        await server.start()
        assert server.alive and server.port != taken
        assert f"port {taken} was taken" in (tmp_path / "server.log").read_text()
    finally:
        server.stop()
        squatter.close()


async def test_a_model_llama_cpp_refuses_gives_its_own_reason(tmp_path):
    """The header looks whole but the engine refuses it: llama.cpp's own words, no restart loop."""
    import struct

    import pytest

    from tui.core.local import LocalError

    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 0, 0))  # no tensors, no architecture
    server = LocalServer(LocalConfig(bogus), log=tmp_path / "server.log")
    with pytest.raises(LocalError, match=r"llama.cpp could not load bogus.gguf: unknown model architecture"):
        await server.start()
    assert server.process is None and not server.crashes.give_up
