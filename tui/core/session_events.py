"""What a ChatSession reports. Plain dataclasses: the app turns them into widgets and
status, a test collects them, a pipe prints them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .attachments import Attachment
from .conversation import ChatMessage, Reply
from .errors import Failure
from .toolcalls import ToolCall


@dataclass
class UserAdded:
    """A prompt joined the conversation (and was saved)."""

    text: str
    attachments: list[Attachment] = field(default_factory=list)


@dataclass
class ReplyStarted:
    """A request is ready: stream ``request`` into ``reply`` and report back with
    ChatSession.finish / fail / stopped."""

    request: dict[str, Any]
    reply: Reply


@dataclass
class ReplyEnded:
    """The reply being streamed is over; ``note`` is what goes under it."""

    message: ChatMessage
    note: str
    warning: bool
    calls: list[str] = field(default_factory=list)
    """Sidebar keys of the calls this reply asked for."""


@dataclass
class ReplyFailed:
    failure: Failure
    prompt: str
    """The prompt to put back in the input box ('' when the reply had text)."""
    attachments: list[Attachment] = field(default_factory=list)
    """Its attachments, to put back as chips."""


@dataclass
class ToolsRequested:
    """Run these calls (ChatSession.run_tools, or the app's own worker), then tools_done."""

    calls: list[tuple[str, ToolCall]]


@dataclass
class ToolStateChanged:
    key: str
    state: str
    result: str | None = None
    elapsed: float | None = None


@dataclass
class ToolsCancelled:
    """Escape stopped a round; the model was told."""


@dataclass
class Reloaded:
    """The conversation was replaced (opened, new, a version switched, a tail dropped):
    show ``messages`` from scratch, each reply with ``note(index)``."""

    messages: list[ChatMessage]
    note: Callable[[int], tuple[str, bool]]
    title: str = ""


@dataclass
class ReplyDropped:
    """Retry replaces the last reply: take it off the screen."""


@dataclass
class Cleared:
    """A new, empty conversation."""


@dataclass
class ModelChanged:
    model: str
    reverted_from: str = ""
    """Set when the server did not know the model just chosen, so the old one is back."""


@dataclass
class StateChanged:
    """ready / streaming / running tools / stopped / failed."""

    state: str


@dataclass
class UsageChanged:
    """The last reply's token counts and cost, as shown ('' clears it)."""

    text: str


@dataclass
class ContextChanged:
    """The context meter: ``ctx 12.3k/128k`` ('' when unknown); ``warning`` past context.warn_at."""

    text: str
    warning: bool = False


@dataclass
class ContextOverflow:
    """The next request does not fit (``before`` sending), or the server said so (a 400).
    Offer compact / drop the oldest turns / send anyway (ChatSession.resolve_overflow)."""

    message: str
    before: bool
    prompt: str = ""
    attachments: list[Attachment] = field(default_factory=list)


@dataclass
class CompactionStarted:
    """Stream ``request`` into ``reply`` as for ReplyStarted; the summary is not shown as a reply."""

    request: dict[str, Any]
    reply: Reply


@dataclass
class Compacted:
    """``count`` earlier messages now go to the model as ``summary`` ('' when they were dropped)."""

    count: int
    summary: str


@dataclass
class Notice:
    """Something to tell the user in passing (nothing to compact, undo done, ...)."""

    text: str
    warning: bool = False


@dataclass
class QueueChanged:
    """The prompts waiting for the turn to end, in order (core/queue.py)."""

    texts: list[str]
    paused: bool


Event = (
    UserAdded | ReplyStarted | ReplyEnded | ReplyFailed | ToolsRequested | ToolStateChanged
    | ToolsCancelled | ReplyDropped | Cleared | Reloaded | ModelChanged | StateChanged | UsageChanged
    | ContextChanged | ContextOverflow | CompactionStarted | Compacted | Notice
    | QueueChanged
)
