"""Desktop notifications through the terminal: which sequence, when, and never model text."""

from __future__ import annotations

import pytest
from textual import events

from tests import sse_server as s
from tests.helpers import send, settle, wait_for
from tui.core.notify import BEL, TEXTS, sequence, wanted
from tui.core.settings import ToolsSettings

SIZE = (100, 30)


def test_sequence_per_terminal():
    assert sequence("reply", {"TERM": "xterm-256color", "VTE_VERSION": "7600"}) == f"\x1b]777;notify;tui-chat;{TEXTS['reply']}\x07"
    assert sequence("reply", {"TERM": "rxvt-unicode-256color"}).startswith("\x1b]777;")
    assert sequence("confirm", {"TERM_PROGRAM": "iTerm.app"}) == f"\x1b]9;{TEXTS['confirm']}\x07"
    assert sequence("reply", {"TERM": "xterm-kitty"}).startswith("\x1b]9;")
    assert sequence("reply", {"TERM": "xterm-256color"}) == BEL
    wrapped = sequence("reply", {"TERM_PROGRAM": "WezTerm", "TMUX": "/tmp/tmux-1/default,1,0"})
    assert wrapped.startswith("\x1bPtmux;\x1b\x1b]9;") and wrapped.endswith("\x1b\\")


def test_our_texts_are_plain():
    for text in [*TEXTS.values(), *(sequence(kind, {"TERM_PROGRAM": "iTerm.app"}, 3)[4:-1] for kind in TEXTS)]:
        assert text.isprintable() and ";" not in text


async def test_a_background_tab_is_named_by_its_number(make_app, server, monkeypatch):
    """A reply that finishes in tab 1 while tab 2 is shown: the notification says which tab."""
    monkeypatch.setenv("TERM_PROGRAM", "iTerm.app")
    monkeypatch.delenv("TMUX", raising=False)
    server.queue(s.Scenario([s._role()] + s._content("Slow") + [("stall",)] + s._content(" done.") + s._tail("stop")))
    app = make_app(tools=ToolsSettings(enabled=False))
    written: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        monkeypatch.setattr(app.terminal, "write", written.append)
        await send(pilot, "slow one", wait=False)
        first = app.active_tab
        await wait_for(lambda: first.session.streaming)
        await pilot.press("ctrl+n")
        await wait_for(lambda: len(app.tabs) == 2)
        app.post_message(events.AppBlur())
        await pilot.pause()
        server.release_stalls()
        await wait_for(lambda: not first.session.busy)
        await settle(pilot)
        assert written == ["\x1b]9;tui-chat: the reply in tab 1 is ready\x07"]


@pytest.mark.parametrize(("mode", "focused", "expected"), [
    ("unfocused", False, True), ("unfocused", True, False), ("always", True, True), ("never", False, False),
])
def test_wanted(mode, focused, expected):
    assert wanted(mode, focused) is expected


async def test_a_finished_reply_notifies_only_while_unfocused(make_app, server, monkeypatch):
    monkeypatch.setenv("TERM_PROGRAM", "iTerm.app")
    monkeypatch.delenv("TMUX", raising=False)
    model_text = "\x1b]9;pwned\x07 evil"
    server.queue(s.text_reply("Focused."), s.text_reply(model_text))
    app = make_app()
    written: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        monkeypatch.setattr(app.terminal, "write", written.append)
        await send(pilot, "one")
        assert written == []
        app.post_message(events.AppBlur())
        await pilot.pause()
        await send(pilot, "two")
        await settle(pilot)
        assert written == [f"\x1b]9;{TEXTS['reply']}\x07"]
        assert "pwned" not in "".join(written)
        app.post_message(events.AppFocus())
        await pilot.pause()
        assert app.terminal.focused


async def test_a_tool_confirmation_notifies(make_app, server, monkeypatch):
    monkeypatch.delenv("TERM_PROGRAM", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    server.queue(s.tool_calls_reply([("call_a", "run_command", '{"command": "true"}')]), s.text_reply("ok"))
    app = make_app(tools=ToolsSettings(run_command=True))
    written: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        monkeypatch.setattr(app.terminal, "write", written.append)
        app.post_message(events.AppBlur())
        await send(pilot, "run it", wait=False)
        from tests.helpers import wait_for
        from tui.screens.confirm import ConfirmScreen

        await wait_for(lambda: isinstance(app.screen, ConfirmScreen))
        assert written == [BEL]
        await pilot.press("n")
        await settle(pilot)


async def test_never_means_never(make_app, server, monkeypatch):
    monkeypatch.setenv("TERM_PROGRAM", "iTerm.app")
    app = make_app()
    app_settings = app.settings
    app_settings.ui.notify = "never"
    written: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        monkeypatch.setattr(app.terminal, "write", written.append)
        app.post_message(events.AppBlur())
        await send(pilot, "one")
        assert written == []
