"""History in the app: persistence across runs, browse, search, rename, delete, export."""

import asyncio

from tests import sse_server as s
from tests.helpers import replies, screen_text, send, settle, users
from tui.app import make_app as real_make_app
from tui.core.settings import ToolsSettings
from tui.screens.history import HistoryScreen, TextPrompt, YesNo

SIZE = (120, 40)


async def wait_for(predicate, tries=250):
    for _ in range(tries):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not reached")


async def test_conversation_persists_across_two_runs(settings, server):
    server.queue(s.text_reply("First answer."), s.tool_calls_reply([("c1", "calculator", '{"expression": "6*7"}')]), s.text_reply("It is 42."), s.text_reply("Continued."))
    app = real_make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "Hello history")
        await send(pilot, "Six times seven?")
        await wait_for(lambda: len(server.requests) == 3 and not app.streaming and not app.tools_running)
        await settle(pilot)
    app = real_make_app(settings, open_conversation="latest")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert users(app) == ["Hello history", "Six times seven?"]
        assert [r.text for r in replies(app)] == ["First answer.", "", "It is 42."]
        text = screen_text(app)
        assert "calculator" in text and "→ 42" in text
        await send(pilot, "Go on")
    roles = [m["role"] for m in server.requests[-1]["messages"]]
    assert roles == ["user", "assistant", "user", "assistant", "tool", "assistant", "user"]


async def test_history_screen_search_open_rename_delete(settings, server):
    server.queue(s.text_reply("Whales are mammals."), s.text_reply("Sorting is stable."))
    app = real_make_app(settings.model_copy(update={"tools": ToolsSettings(enabled=False)}))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "Tell me about whales")
        await pilot.press("ctrl+n")
        await send(pilot, "Tell me about sorting")
        await pilot.press("ctrl+o")
        await wait_for(lambda: isinstance(app.screen, HistoryScreen))
        text = screen_text(app)
        assert text.index("Tell me about sorting") < text.index("Tell me about whales")
        await pilot.press(*"mammals")
        await pilot.pause()
        assert "Whales are mammals" in screen_text(app).replace("\n", " ") or "mammals" in screen_text(app)
        await pilot.press("enter")
        await wait_for(lambda: not isinstance(app.screen, HistoryScreen))
        assert users(app) == ["Tell me about whales"]
        await pilot.press("ctrl+o")
        await wait_for(lambda: isinstance(app.screen, HistoryScreen))
        await pilot.press("f2")
        await wait_for(lambda: isinstance(app.screen, TextPrompt))
        await pilot.press("ctrl+u", *"Whale facts", "enter")
        await wait_for(lambda: isinstance(app.screen, HistoryScreen))
        await pilot.pause()
        assert "Whale facts" in screen_text(app)
        await pilot.press("ctrl+d")
        await wait_for(lambda: isinstance(app.screen, YesNo))
        await pilot.press("y")
        await wait_for(lambda: isinstance(app.screen, HistoryScreen))
        await pilot.pause()
        titles = [c.title for c in app.history.store.conversations()]
        assert len(titles) == 1
