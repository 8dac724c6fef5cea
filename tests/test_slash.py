"""Slash commands: the parser (no screen) and Pilot flows against the loopback server."""

from __future__ import annotations

import pytest
from textual.containers import VerticalScroll

from tests import sse_server as s
from tests.helpers import replies, screen_text, send, settle, users
from tui.core import slash
from tui.core.chat_options import TEMPERATURE_ERROR
from tui.screens.help import HelpScreen
from tui.widgets.prompt_input import PromptInput
from tui.widgets.slash_list import SlashCompletions
from tui.widgets.status_line import StatusLine

SIZE = (100, 30)


def test_parse_commands_literals_and_hints():
    assert slash.parse("hello /model") == "hello /model"
    assert slash.parse("//model x") == "/model x"
    inv = slash.parse("/model  gpt-x ")
    assert isinstance(inv, slash.Invocation) and (inv.command.name, inv.arg) == ("model", "gpt-x")
    assert slash.parse("/new").command.action == "new_chat"
    with pytest.raises(slash.SlashError, match="did you mean /model"):
        slash.parse("/modle x")
    with pytest.raises(slash.SlashError, match="takes no argument"):
        slash.parse("/new now")
    with pytest.raises(slash.SlashError, match="needs N"):
        slash.parse("/temp")
    assert [c.name for c in slash.completions("/re")] == ["retry", "regenerate"]
    assert slash.completions("/model x") == [] and slash.completions("//") == [] and len(slash.completions("/")) == len(slash.COMMANDS)


def test_every_command_runs_an_action_the_app_has():
    from tui.app import ChatApp
    from tui.slash_commands import SlashCommands

    for command in slash.COMMANDS:
        assert hasattr(ChatApp, f"action_{command.action}"), command
        if command.arg:
            assert hasattr(SlashCommands, f"slash_{command.name}"), command


async def test_unknown_command_is_a_hint_never_sent(make_app, server):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "/frobnicate now")
        assert "Unknown command /frobnicate" in app.query_one(StatusLine).hint
        assert app.query_one(PromptInput).text == "/frobnicate now"
        assert server.requests == [] and users(app) == []


async def test_double_slash_sends_a_literal_slash(make_app, server):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "//etc/hosts is a file")
        assert users(app) == ["/etc/hosts is a file"]
        assert server.requests[-1]["messages"][-1]["content"] == "/etc/hosts is a file"


async def test_commands_with_arguments_change_the_next_request(make_app, server):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "/temp hot")
        assert app.query_one(StatusLine).hint == TEMPERATURE_ERROR[:1].upper() + TEMPERATURE_ERROR[1:]
        assert app.query_one(PromptInput).text == "/temp hot"  # kept, to fix
        await send(pilot, "/export pdf")
        assert "md or json" in app.query_one(StatusLine).hint and app.query_one(PromptInput).text == "/export pdf"
        for command in ("/temp 0.5", "/max 300", "/system Be brief.", "/model other-model"):
            await send(pilot, command)
        assert app.query_one(PromptInput).text == ""
        await send(pilot, "Hi")
        body = server.requests[-1]
        assert (body["temperature"], body["max_tokens"], body["model"]) == (0.5, 300, "other-model")
        assert body["messages"][0] == {"role": "system", "content": "Be brief."}


async def test_commands_run_the_same_actions_as_their_keys(make_app, server):
    server.queue(s.cut_midstream("Partial"), s.text_reply(" rest."), s.text_reply("Again."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "Hi")
        await send(pilot, "/continue")
        await settle(pilot)
        assert [r.text for r in replies(app)] == ["Partial rest."]
        await send(pilot, "/regenerate")
        await settle(pilot)
        assert [r.text for r in replies(app)] == ["Again."]
        await send(pilot, "/help")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        app.screen.query_one(VerticalScroll).scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert "/export md|json" in screen_text(app)
        await pilot.press("escape")
        await send(pilot, "/new")
        await pilot.pause()
        assert users(app) == [] and app.session.messages == []


async def test_completion_list_and_tab(make_app, server):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        prompt = app.query_one(PromptInput)
        prompt.focus()
        await pilot.press("/", "r", "e")
        listing = app.query_one(SlashCompletions)
        assert listing.display and [c.name for c in listing.commands] == ["retry", "regenerate"]
        await pilot.press("tab")
        assert prompt.text == "/retry" and prompt.has_focus
        await pilot.press("space")
        assert not listing.display
