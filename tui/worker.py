"""The stream worker's loop: read core events, coalesce them per frame, post them.

Posting one message per chunk would cost more than parsing the chunk; instead
text is batched and flushed at most every FRAME seconds (and at once when the
stream pauses), and the loop yields often enough that key presses stay snappy.
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
        next_flush = loop.time() + FRAME
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
