"""The stream worker's loop: read core events, coalesce them per frame, post them.

Posting one message per chunk would cost more than parsing the chunk; instead
text is batched and flushed at most every FRAME seconds (FAST_FRAME at wire
speed, and at once when the stream ends), and the loop yields often enough that
key presses stay snappy.
"""

from __future__ import annotations

import asyncio
from typing import Any, Callable

from textual.message import Message

from . import messages as m
from .core import stream as core
from .core.conversation import Reply
from .core.errors import classify

FRAME = 1 / 30
FAST_FRAME = 1 / 20
"""At wire speed (FAST_EVENTS or more deltas in one frame) the log is updated 20 times a
second instead of 30: each frame repaints the log, and at thousands of tokens a second
those repaints, not the stream, are what the app waits for."""
FAST_EVENTS = 64
YIELD_EVERY = 0.002


async def pump_reply(
    post: Callable[[Message], Any],
    client: Any,
    request: dict[str, Any],
    reply: Reply,
    *,
    read_timeout: float,
    secret: str,
) -> None:
    """Stream one reply into ``reply``, posting app messages as it goes."""
    loop = asyncio.get_running_loop()
    text: list[str] = []
    reasoning: list[str] = []
    touched: dict[int, Any] = {}
    next_flush = 0.0
    handle: asyncio.TimerHandle | None = None

    def flush() -> None:
        nonlocal handle, next_flush
        if handle is not None:
            handle.cancel()
            handle = None
        next_flush = loop.time() + (FAST_FRAME if len(text) + len(reasoning) >= FAST_EVENTS else FRAME)
        if reasoning:
            post(m.ReasoningDelta("".join(reasoning)))
            reasoning.clear()
        if text:
            post(m.ContentDelta("".join(text)))
            text.clear()
        for call in touched.values():
            post(m.ToolCallFragment(call))
        touched.clear()

    try:
        next_yield = loop.time() + YIELD_EVERY
        async for event in core.stream_chat(client, request, read_timeout):
            call = reply.feed(event)
            kind = type(event)
            if kind is core.ContentDelta:
                text.append(event.text)
            elif kind is core.ReasoningDelta:
                reasoning.append(event.text)
            elif call is not None:
                touched[call.index] = call
            else:
                continue
            now = loop.time()
            if now >= next_flush:
                flush()
                await asyncio.sleep(0)
                next_yield = now + YIELD_EVERY
            else:
                if handle is None:
                    handle = loop.call_at(next_flush, flush)
                if now >= next_yield:
                    await asyncio.sleep(0)
                    next_yield = now + YIELD_EVERY
        flush()
        if reply.usage is not None:
            post(m.UsageReported(reply.usage))
        post(m.ReplyFinished(reply.finish_reason, reply.model))
    except asyncio.CancelledError:
        flush()
        post(m.ReplyStopped())
        raise
    except Exception as exc:  # every failure becomes a banner, never a crash
        flush()
        post(m.ReplyFailed(classify(exc, secret=secret, read_timeout=read_timeout)))
