"""Regenerate the README's screenshots from the test scenarios.

    python screenshots/make_screenshots.py

Each SVG comes from the real app, headless, against the tests' loopback server.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["TEXTUAL_ANIMATIONS"] = "none"
os.environ["TZ"] = "UTC"
__import__("time").tzset()

from tests import sse_server as s  # noqa: E402
from tests.helpers import send  # noqa: E402
from tui.app import make_app  # noqa: E402
from tui.core.settings import Settings  # noqa: E402
from tui.widgets.prompt_input import PromptInput  # noqa: E402
from tui.widgets.status_line import StatusLine  # noqa: E402

SIZE = (110, 34)
CALLS = [("call_a", "get_time", '{"timezone": "Europe/Stockholm"}'), ("call_b", "calculator", '{"expression": "2**10 + 7"}')]


async def shoot(name: str, scenarios: list[s.Scenario], steps, **overrides) -> None:
    with s.ScriptedServer() as server:
        server.queue(*scenarios)
        options = {"tools": {"enabled": False}, "history": {"enabled": False}, **overrides}
        settings = Settings(base_url=server.base_url, model="openai/gpt-5-mini", api_key="sk-screenshot", max_retries=0, **options)
        app = make_app(settings)
        async with app.run_test(size=SIZE) as pilot:
            app.query_one(StatusLine).host = "api.opper.ai"
            app.query_one(PromptInput).cursor_blink = False
            await steps(pilot)
            await pilot.pause()
            path = app.save_screenshot(filename=f"{name}.svg", path=str(ROOT / "screenshots"))
            print(path)


async def main() -> None:
    async def conversation(pilot):
        await send(pilot, "How do I sort a list in Python?")

    async def tools(pilot):
        await send(pilot, "What time is it in Stockholm, and what is 2**10 + 7?")
        await pilot.press("ctrl+t")

    async def detail(pilot):
        await tools(pilot)
        await pilot.press("enter")

    async def banner(pilot):
        await send(pilot, "Explain the theory of everything")

    async def help_screen(pilot):
        await pilot.press("f1")

    async def history(pilot):
        from tui.core.conversation import ChatMessage

        store = pilot.app.session.history.store
        for title in ["Sorting a list in Python", "Why are whales mammals?", "Plan a week in Kyoto in autumn"]:
            cid = store.create_conversation(model="openai/gpt-5-mini", host="api.opper.ai")
            store.add_message(cid, ChatMessage("user", title))
            store.add_message(cid, ChatMessage("assistant", "…"))
        with store.transaction() as db:
            db.execute("UPDATE conversations SET created = 1795000000 + id * 3600, updated = 1795000000 + id * 3600")
        await pilot.press("ctrl+o")

    async def mcp_tools(pilot):
        from tests.helpers import wait_for

        await wait_for(lambda: all(x.state in ("ready", "failed") for x in pilot.app.mcp.servers.values()), tries=1000)
        await wait_for(lambda: bool(pilot.app._notifications))
        pilot.app.clear_notifications()
        await pilot.press("f3")

    mcp = {"servers": {
        "notes": {"command": sys.executable, "args": ["-m", "tests.mcp_server"], "cwd": str(ROOT)},
        "github": {"command": "github-mcp-server", "args": ["stdio"]},
    }}
    await shoot("mcp-tools", [], mcp_tools, tools={"enabled": True}, mcp=mcp)
    await shoot("conversation", [s.markdown_reply()], conversation)
    await shoot("tool-sidebar", [s.tool_calls_reply(CALLS)], tools)
    await shoot("tool-detail", [s.tool_calls_reply(CALLS)], detail)
    await shoot("error-banner", [s.error_midstream("Here is the first half of an answer")], banner)
    await shoot("help", [], help_screen)
    await shoot("history", [], history)


if __name__ == "__main__":
    asyncio.run(main())
