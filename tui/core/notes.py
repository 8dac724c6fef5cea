"""The note under a reply: one function for a reply that just ended and for one read back
from the store, so a note never says something on screen that a reopen would forget."""

from __future__ import annotations

from collections.abc import Iterable

from .conversation import COMPLETE, ERROR, INTERRUPTED, STOPPED, ChatMessage
from .stream import Usage

STATUS_NOTES = {
    INTERRUPTED: "⚠ interrupted",
    STOPPED: "■ stopped",
    ERROR: "⚠ failed — no reply",
}
FINISH_NOTES = {
    "length": "⚠ cut off at the token limit",
    "content_filter": "⚠ blocked or changed by a content filter / guard rule",
}


def calls_note(count: int) -> str:
    return f"model requested {count} tool call{'s' if count != 1 else ''}"


def reply_note(message: ChatMessage, *, versions: str = "", extra: Iterable[str] = ()) -> tuple[str, bool]:
    """``(text, warning)`` for an assistant message. ``versions`` is given for the last reply
    of a turn only; ``extra`` carries what the message itself does not record (a round limit)."""
    notes: list[str] = []
    warning = False
    if message.tool_calls:
        notes.append(calls_note(len(message.tool_calls)))
    if message.status != COMPLETE:
        notes.append(STATUS_NOTES.get(message.status, message.status))
        warning = message.status != STOPPED
    elif message.finish_reason in FINISH_NOTES:
        notes.append(FINISH_NOTES[message.finish_reason])
        warning = True
    elif not message.content and not message.tool_calls:
        notes.append("(empty reply)")
    if message.usage.get("continued"):
        notes.append("continued")
    if versions:
        notes.append(versions)
    for note in extra:
        notes.append(note)
        warning = True
    return " · ".join(notes), warning


def last_user_index(messages: list[ChatMessage]) -> int | None:
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].role == "user":
            return index
    return None


def usage_text(usage: Usage) -> str:
    """The last reply's token counts and cost, as the status line shows them."""
    parts = []
    if usage.prompt_tokens is not None:
        parts.append(f"{usage.prompt_tokens} in")
    if usage.completion_tokens is not None:
        parts.append(f"{usage.completion_tokens} out")
    if usage.cost is not None:
        parts.append(f"${usage.cost:.4f}")
    return " · ".join(parts)
