"""One round of tool calls: confirm where needed, run the approved ones concurrently,
and report each call's state. The question to the user is a callback, so a screen, a
pipe or a test can answer it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from .toolcalls import ToolCall
from .tools import ToolRegistry, ToolResult

RUN, ALWAYS, DENY = "run", "always", "deny"
DENIED = "denied by the user"
CANCELLED = "cancelled by the user"

Ask = Callable[[ToolCall, str, str], Awaitable[str]]
"""``ask(call, description, reason)`` returns RUN, ALWAYS or DENY."""
OnState = Callable[[str, str, "str | None", "float | None"], None]
"""``on_state(key, state, result, elapsed)``."""


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
    registry: ToolRegistry,
    calls: list[tuple[str, ToolCall]],
    *,
    ask: Ask,
    on_state: OnState,
    confirm_mode: str,
    allowed: set[str],
) -> list[tuple[str, str]]:
    """``(key, result)`` in call order. Cancelled, it raises RoundCancelled, which still
    answers every call, so the conversation stays valid."""
    results: dict[str, ToolResult] = {}
    try:
        approved: list[tuple[str, ToolCall]] = []
        for key, call in calls:
            tool = registry.get(call.name)
            reason = confirmation_reason(tool, confirm_mode, allowed)
            if reason:
                on_state(key, "awaiting approval", None, None)
                choice = await ask(call, tool.description if tool else "", reason)
                if choice == DENY:
                    results[key] = ToolResult(False, DENIED)
                    on_state(key, "denied", DENIED, None)
                    continue
                if choice == ALWAYS:
                    allowed.add(call.name)
            approved.append((key, call))

        async def one(key: str, call: ToolCall) -> None:
            on_state(key, "running", None, None)
            result = await registry.execute(call.name, call.arguments)
            results[key] = result
            on_state(key, "done" if result.ok else "failed", result.content, result.elapsed)

        await asyncio.gather(*(one(key, call) for key, call in approved))
    except asyncio.CancelledError:
        for key, _ in calls:
            if key not in results:
                results[key] = ToolResult(False, CANCELLED)
                on_state(key, "cancelled", CANCELLED, None)
        raise RoundCancelled([(key, results[key].content) for key, _ in calls]) from None
    return [(key, results[key].content) for key, _ in calls]


class RoundCancelled(asyncio.CancelledError):
    """Escape stopped the round; ``results`` still has an answer for every call."""

    def __init__(self, results: list[tuple[str, str]]) -> None:
        super().__init__()
        self.results = results
