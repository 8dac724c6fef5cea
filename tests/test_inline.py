"""Inline mode: Pilot tests with a headless driver that reports itself inline (as
Textual's inline driver does), and the transcript printed on exit."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console
from textual.drivers import headless_driver

from tests import sse_server as s
from tests.helpers import replies, send, settle
from tui.core.conversation import ChatMessage
from tui.inline import fit_height, print_transcript


class InlineHeadless(headless_driver.HeadlessDriver):
    @property
    def is_inline(self) -> bool:
        return True


@pytest.fixture
def inline_driver(monkeypatch):
    monkeypatch.setattr(headless_driver, "HeadlessDriver", InlineHeadless)


def _ui(settings, **ui):
    return settings.model_copy(update={"ui": settings.ui.model_copy(update=ui)})


async def test_inline_app_takes_the_inline_height_and_chats(inline_driver, server, settings):
    from tui.app import make_app

    server.queue(s.text_reply("Inline hello."))
    app = make_app(_ui(settings, inline_height=12))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        assert app.is_inline and app.screen.has_pseudo_class("inline")
        assert app._get_inline_height() == 12
        await send(pilot, "hi inline")
        assert replies(app)[-1].text == "Inline hello."
        await pilot.press("f1")  # a modal fits in the same rows
        await settle(pilot)
        assert len(app.screen_stack) == 2 and app._get_inline_height() == 12
        assert app.screen.region.height == 12


async def test_too_small_a_terminal_gets_the_height_that_fits(inline_driver, settings):
    from tui.app import make_app

    app = make_app(_ui(settings, inline_height=30))
    async with app.run_test(size=(100, 14)) as pilot:
        await pilot.pause()
        assert app._get_inline_height() == 13


def test_fit_height():
    assert fit_height(20, 50) == 20
    assert fit_height(20, 10) == 9
    assert fit_height(20, 1) == 1


def test_transcript_is_markdown_without_escapes_from_model_text():
    out = io.StringIO()
    hostile = "Literal: [bold]not bold[/] \x1b[31mred?\x1b[0m \x1b]52;c;aGk=\x07 **strong** done"
    print_transcript(
        [ChatMessage("user", "hi \x1b]0;title\x07there"), ChatMessage("assistant", hostile), ChatMessage("tool", "secret tool text")],
        Console(file=out, force_terminal=True, width=100, color_system="truecolor"),
    )
    text = out.getvalue()
    escapes = re.findall(r"\x1b[^m]*m?", text)
    assert all(re.fullmatch(r"\x1b\[[0-9;]*m", e) for e in escapes), escapes  # only Rich's own colours
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    assert "[bold]not bold[/]" in plain and "aGk=" not in plain and "red?" in plain
    assert "strong" in plain and "**strong**" not in plain  # rendered, not raw
    assert "hi there" in plain and "secret tool text" not in plain


def test_inline_in_a_real_terminal_leaves_the_chat_in_the_scrollback(server, empty_config, tmp_path):
    """``tui-chat --inline`` on a pseudo-terminal: chat, quit, and the conversation is
    what is left below the prompt."""
    import os
    import pty
    import select
    import subprocess
    import sys
    import time
    from pathlib import Path

    from tests.conftest import TEST_KEY

    root = Path(__file__).resolve().parent.parent
    server.queue(s.text_reply("Kept in **scrollback**."))
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUI_CHAT_", "OPPER_", "OPENAI_"))}
    env.update(TUI_CHAT_API_KEY=TEST_KEY, PYTHONPATH=str(root), HOME=str(tmp_path), TERM="xterm-256color",
               COLUMNS="100", LINES="30")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "--inline", "--config", str(empty_config), "--db", str(tmp_path / "h.db"),
         "--base-url", server.base_url, "--model", "test-model"],
        stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
    )
    os.close(slave)
    seen = b""

    def read_until(needle: bytes, timeout: float = 30) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while needle not in seen:
            assert time.monotonic() < deadline, f"{needle!r} never came; got {seen[-400:]!r}"
            if select.select([master], [], [], 0.05)[0]:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    return

    try:
        read_until(b"ready")
        os.write(master, b"keep this\r")
        read_until(b"scrollback")
        mark = len(seen)
        os.write(master, b"\x11")  # ctrl+q
        assert proc.wait(timeout=30) == 0
        while select.select([master], [], [], 0.2)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    tail = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", seen[mark:]).decode("utf-8", "replace")
    assert "keep this" in tail and "Kept in scrollback." in tail
