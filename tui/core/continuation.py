"""Continue a reply that was cut off, as one message.

The partial reply goes back to the model as its own last message, followed by a short
instruction to go on from exactly there; what arrives is appended to the same reply
(seeded with the partial text), so the log, the store and the exports keep one
assistant message. The instruction is never saved: it is part of this request only.
"""

from __future__ import annotations

from typing import Any

from .conversation import COMPLETE, INTERRUPTED, STOPPED, ChatMessage, Reply
from .errors import Failure

CONTINUE_PROMPT = (
    "Your last message was cut off. Continue exactly where it stopped: do not repeat"
    " anything, add no preamble, and start mid-sentence if that is where it ended."
)
BUSY = "Continue is refused while a reply streams — wait for it, or press {stop} to stop it first."
"""With ``{stop}`` the user's stop key (keys.shown)."""
NOTHING = "Nothing to continue: the last reply is complete (only a cut-off reply can be continued)."
DROPPED = ("connection", "truncated", "idle")
"""Failures that mean the connection dropped (auto_continue retries these once)."""
USAGE_KEY = "continued"
"""Kept in the message's usage record, so a reopened reply's note still says so."""


def cut_off(message: ChatMessage) -> bool:
    """Stopped, interrupted, or ended at the token limit -- with text to go on from."""
    if message.role != "assistant" or not message.content or message.tool_calls:
        return False
    return message.status in (INTERRUPTED, STOPPED) or (message.status == COMPLETE and message.finish_reason == "length")


def refusal(busy: bool, messages: list[ChatMessage], stop_key: str = "Esc") -> str | None:
    if busy:
        return BUSY.format(stop=stop_key)
    if not messages or not cut_off(messages[-1]):
        return NOTHING
    return None


def resume(reply: Reply, request: dict[str, Any], partial: ChatMessage) -> None:
    """Seed ``reply`` with what was said and ask for the rest."""
    reply.parts.append(partial.content)
    if partial.reasoning:
        reply.reasoning_parts.append(partial.reasoning)
    request["messages"] = [
        *request["messages"],
        {"role": "assistant", "content": partial.content},
        {"role": "user", "content": CONTINUE_PROMPT},
    ]


def mark(message: ChatMessage, partial: ChatMessage) -> None:
    count = int(partial.usage.get(USAGE_KEY, 0)) + 1
    message.usage = {**message.usage, USAGE_KEY: count}


def should_auto_continue(enabled: bool, failure: Failure, message: ChatMessage, already: bool) -> bool:
    """Once per reply, and only for a dropped connection after some text."""
    return enabled and not already and failure.kind in DROPPED and cut_off(message)


class Continuation:
    """One per ChatSession, and the one writer of which cut-off reply the streamed one
    continues and of whether the reply already went on by itself (auto_continue)."""

    def __init__(self) -> None:
        self.partial: ChatMessage | None = None
        """The cut-off reply the one being streamed continues."""
        self.auto = False

    def begin(self, partial: ChatMessage) -> None:
        self.partial = partial

    def resume(self, reply: Reply, request: dict[str, Any]) -> None:
        if self.partial is not None:
            resume(reply, request, self.partial)

    def end(self, message: ChatMessage) -> None:
        if self.partial is not None:
            mark(message, self.partial)
            self.partial = None

    def again(self, enabled: bool, failure: Failure, message: ChatMessage) -> bool:
        """Whether a failed reply goes on by itself (once per reply)."""
        self.auto = should_auto_continue(enabled, failure, message, self.auto)
        return self.auto

    def turn_ended(self) -> None:
        self.auto = False
