"""One round of tool calls: confirm where needed, run the approved ones
concurrently, and post each call's state and the round's results."""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

from textual.message import Message

from . import messages as m
from .core.toolcalls import ToolCall
from .core.tools import ToolRegistry, ToolResult
from .screens.confirm import ALWAYS, DENY, ConfirmScreen

DENIED = "denied by the user"
CANCELLED = "cancelled by the user"


def confirmation_reason(tool: Any, confirm_mode: str, allowed: set[str]) -> str | None:
    """Why this call must be confirmed, or None if it may run straight away."""
    if tool is None:
        return None  # unknown tools fail without running anything
    if tool.always_confirm:
        return "this tool is always confirmed"
    if confirm_mode == "always":
        return "tools.confirm = always"
    if tool.never_confirm:
        return None
    if tool.side_effects and tool.name not in allowed:
        return "it can have side effects"
    return None


async def run_round(
    post: Callable[[Message], Any],
    ask: Callable[[ConfirmScreen], Awaitable[str]],
    registry: ToolRegistry,
    calls: list[tuple[str, ToolCall]],
    *,
    confirm_mode: str,
    allowed: set[str],
) -> None:
    results: dict[str, ToolResult] = {}
    try:
        approved: list[tuple[str, ToolCall]] = []
        for key, call in calls:
            tool = registry.get(call.name)
            reason = confirmation_reason(tool, confirm_mode, allowed)
            if reason:
                post(m.ToolStateChanged(key, "awaiting approval"))
                choice = await ask(ConfirmScreen(call, tool.description, reason))
                if choice == DENY:
                    results[key] = ToolResult(False, DENIED)
                    post(m.ToolStateChanged(key, "denied", result=DENIED))
                    continue
                if choice == ALWAYS:
                    allowed.add(call.name)
            approved.append((key, call))

        async def one(key: str, call: ToolCall) -> None:
            post(m.ToolStateChanged(key, "running"))
            result = await registry.execute(call.name, call.arguments)
            results[key] = result
            post(m.ToolStateChanged(key, "done" if result.ok else "failed", result=result.content, elapsed=result.elapsed))

        await asyncio.gather(*(one(key, call) for key, call in approved))
    except asyncio.CancelledError:
        for key, _ in calls:
            if key not in results:
                results[key] = ToolResult(False, CANCELLED)
                post(m.ToolStateChanged(key, "cancelled", result=CANCELLED))
        post(m.ToolsFinished([(key, results[key].content) for key, _ in calls], cancelled=True))
        raise
    post(m.ToolsFinished([(key, results[key].content) for key, _ in calls]))
