"""Where a conversation can be cut for compaction or dropping, and the request that asks
the model for a summary. The session owns the state; these are the rules it applies.

A cut always falls on a user message, so a tool call is never separated from its
result, and the latest turns are kept as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .conversation import ChatMessage, Conversation


def turn_starts(messages: list[ChatMessage], after: int) -> list[int]:
    return [i for i, m in enumerate(messages) if m.role == "user" and i > after]


def cut_point(messages: list[ChatMessage], skip: int, keep_turns: int) -> int | None:
    """The index compaction summarises up to (the start of the kept turns), or None when
    there is nothing earlier than those turns to summarise."""
    starts = turn_starts(messages, skip)
    keep = max(1, keep_turns)
    if len(starts) <= keep:
        starts = [i for i, m in enumerate(messages) if m.role == "user" and i >= skip]
        if len(starts) <= keep:
            return None
    cut = starts[-keep]
    return cut if cut > skip else None


def summary_request(conversation: Conversation, cut: int, prompt: str, model: str) -> dict[str, Any]:
    """The earlier turns (after any earlier summary) and the request to summarise them."""
    upto = Conversation(conversation.messages[:cut], conversation.system_prompt, conversation.skip, conversation.summary)
    messages = upto.api_messages() + [{"role": "user", "content": prompt}]
    return {"model": model, "messages": messages}


def drop_cut(messages: list[ChatMessage], skip: int, fits: Callable[[int], bool]) -> int | None:
    """The fewest oldest turns to leave out so that ``fits(cut)``; at worst all but the last turn."""
    starts = turn_starts(messages, skip)
    if not starts:
        return None
    for cut in starts:
        if fits(cut):
            return cut
    return starts[-1]
