"""``tui-chat serve`` in a real browser: headless Chromium (Debian's) driven by Playwright.

The reply is read back from xterm.js's own buffer, the text the page shows. Nothing
leaves the machine: every request that is not to 127.0.0.1 is aborted.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests import sse_server as s
from tests.conftest import TEST_KEY
from tui.core.store import Store

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("TUI_CHAT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# xterm.js keeps its Terminal inside the page's bundle; catch it as it is assigned, so
# the test reads the terminal buffer rather than guessing from pixels.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    window.__term = value;
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
  },
});
"""
SCREEN_TEXT = """() => {
  const t = window.__term; if (!t) return "";
  const b = t.buffer.active; const rows = [];
  for (let y = 0; y < t.rows; y++) { const line = b.getLine(b.viewportY + y); rows.push(line ? line.translateToString(true) : ""); }
  return rows.join("\\n");
}"""


def _browser_or_skip():
    required = os.environ.get("TUI_CHAT_REQUIRE_BROWSER") == "1"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            pytest.fail("playwright is not installed (pip install -e '.[test]')")
        pytest.skip("playwright is not installed")
    if not Path(CHROMIUM).exists():
        if required:
            pytest.fail(f"chromium is not installed at {CHROMIUM} (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    return sync_playwright


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(predicate, what: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _see(page, needle: str, timeout: float = 30) -> str:
    """Poll the page's terminal until ``needle`` shows; fail with what it showed."""
    deadline = time.monotonic() + timeout
    while True:
        text = page.evaluate(SCREEN_TEXT)
        if needle in text:
            return text
        assert time.monotonic() < deadline, f"{needle!r} never showed; the page shows:\n{text}"
        page.wait_for_timeout(50)


def _children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (from /proc), e.g. the app each browser tab runs."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(child) for child in task.read_text().split()]
    return [child for child in found if Path(f"/proc/{child}").exists()
            and Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture
def served(server, empty_config, tmp_path):
    port = _free_port()
    db = tmp_path / "history.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUI_CHAT_", "OPPER_", "OPENAI_"))}
    env.update(TUI_CHAT_API_KEY=TEST_KEY, TUI_CHAT_MAX_RETRIES="0", PYTHONPATH=str(ROOT), HOME=str(tmp_path))
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tui", "serve", "--public", "--host", "127.0.0.1", "--port", str(port),
             "--config", str(empty_config), "--db", str(db), "--base-url", server.base_url, "--model", "test-model"],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=str(ROOT),
        )
    try:
        line = _wait(lambda: next((w for w in log.read_text().split() if "?token=" in w), None), "the served URL")
        _wait(lambda: _accepts(port), "the server to listen")
        yield line.replace("localhost", "127.0.0.1"), db, log, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_serve_needs_its_token(served):
    url, _db, log, _proc = served
    bare = url.split("?")[0]
    for path in ("", "static/css/xterm.css", "ws"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(bare + path, timeout=10)
        assert refused.value.code == 403
    assert urllib.request.urlopen(url, timeout=10).status == 200
    token = url.split("token=")[1]
    _wait(lambda: '" 200 ' in log.read_text(), "the access log line of the page")
    text = log.read_text()
    assert "WARNING" in text and TEST_KEY not in text
    assert text.count(token) == 1, text  # the printed URL only, never the access log


def test_chat_in_a_browser_and_a_closed_tab_keeps_its_partial(served, server, tmp_path):
    sync_playwright = _browser_or_skip()
    url, db, _log, proc = served
    server.queue(s.paced(s.text_reply("Hello from the browser test, streamed.", pieces=8), 200), s.stall_after("Half a rep"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 640})
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1"))
                       else route.abort())
            page.add_init_script(CATCH_TERMINAL)
            page.goto(url)
            _see(page, "test-model")
            page.focus("#terminal .xterm-helper-textarea")  # keys to the app, whose focus stays on the prompt
            page.keyboard.type("hello browser")
            page.keyboard.press("Enter")
            _see(page, "streamed.")
            text = page.evaluate(SCREEN_TEXT)
            assert "hello browser" in text and "Hello from the browser test, streamed." in text
            # The README's picture is regenerated on purpose only (TUI_CHAT_SCREENSHOTS=1), never by CI.
            shots = ROOT / "screenshots" if os.environ.get("TUI_CHAT_SCREENSHOTS") else tmp_path
            page.screenshot(path=str(shots / "serve-browser.png"))

            page.keyboard.type("and now stall")
            page.keyboard.press("Enter")
            _see(page, "Half a rep")
            assert _children(proc.pid), "the tab's app process"
            page.close()
        finally:
            browser.close()

    def partial_stored():
        store = Store(db)
        messages = [m for _, m in store.messages(store.latest().id)]
        return messages[-1].role == "assistant" and messages[-1].content == "Half a rep" and messages[-1].status == "interrupted"

    try:
        _wait(partial_stored, "the closed tab's partial reply in history")
        _wait(lambda: not _children(proc.pid), "the closed tab's app process to end")
    finally:
        server.release_stalls()
    messages = [m for _, m in Store(db).messages(Store(db).latest().id)]
    assert [m.content for m in messages[:2]] == ["hello browser", "Hello from the browser test, streamed."]


def _serve(*args: str):
    return subprocess.run([sys.executable, "-m", "tui", "serve", *args], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL, cwd=str(ROOT))


def test_a_port_in_use_is_one_clear_line_and_exit_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        done = _serve("--port", str(taken.getsockname()[1]))
    assert done.returncode == 2
    assert "cannot listen on 127.0.0.1" in done.stderr and "--port" in done.stderr and "Traceback" not in done.stderr


def test_another_host_needs_public():
    done = _serve("--host", "0.0.0.0", "--port", str(_free_port()))
    assert done.returncode == 2 and "--public" in done.stderr


def test_each_tab_runs_the_app_with_the_users_flags_and_no_key():
    from tui.serve import app_command, build_parser

    command = app_command(build_parser().parse_args(["--model", "m x", "--config", "/c.toml", "--local"]))
    assert command.endswith("-m tui --model 'm x' --config /c.toml --local")
    assert TEST_KEY not in command
