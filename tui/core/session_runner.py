"""Run a ChatSession without a screen: stream its replies and its tool rounds until it
is idle. The app does the same with workers (and coalesces text per frame); tests and
pipes use this."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from . import errors
from .session import ChatSession
from .stream import ContentDelta, stream_chat
from .tool_round import Ask


async def run(
    session: ChatSession, client: Any, *, ask: Ask | None = None, secret: str = "",
    on_text: Callable[[str], Any] | None = None,
) -> None:
    """Without ``ask``, a round of tool calls is left pending (``session.pending_calls``).
    ``on_text`` sees the reply's text as it arrives, for a front end that prints it."""
    read_timeout = session.settings.read_timeout
    while True:
        if session.reply is not None:
            reply = session.reply
            try:
                async for event in stream_chat(client, session.request, read_timeout):
                    reply.feed(event)
                    if type(event) is ContentDelta:
                        if on_text is not None:
                            on_text(event.text)
                        session.checkpoint()
            except asyncio.CancelledError:
                session.stopped()
                raise
            except Exception as exc:  # noqa: BLE001 - every failure is reported, as in the app
                session.fail(errors.classify(exc, secret=secret, read_timeout=read_timeout))
                continue  # idle now, unless the session continues the reply on its own
            if reply.usage is not None:
                session.usage(reply.usage)
            session.finish()
        elif session.tools_running and ask is not None:
            await session.run_tools(ask)
        else:
            return
