"""Pilot helpers shared by the flow and snapshot tests."""

from __future__ import annotations

import asyncio

from tui.widgets.message_log import AssistantMessage, MessageLog, UserMessage
from tui.widgets.prompt_input import PromptInput


async def send(pilot, text: str, *, wait: bool = True) -> None:
    prompt = pilot.app.query_one(PromptInput)
    prompt.focus()
    prompt.load_text(text)
    await pilot.press("enter")
    if wait:
        await settle(pilot)


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def replies(app) -> list[AssistantMessage]:
    return list(app.query_one(MessageLog).query(AssistantMessage))


def users(app) -> list[str]:
    return [w.text for w in app.query_one(MessageLog).query(UserMessage)]


def rendered_text(widget) -> str:
    """What the widget actually shows on screen, as plain text."""
    lines = []
    for y in range(widget.region.height):
        strip = widget.render_line(y) if hasattr(widget, "render_line") else None
        if strip is not None:
            lines.append(strip.text)
    return "\n".join(lines)


def screen_text(app) -> str:
    """All visible text on the current screen (from the compositor)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def wait_for(predicate, tries: int = 300, interval: float = 0.02) -> None:
    """Poll ``predicate`` until it holds; fail the test if it never does."""
    for _ in range(tries):
        if predicate():
            return
        await asyncio.sleep(interval)
    raise AssertionError("condition not reached")
