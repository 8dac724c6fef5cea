"""Messages the stream worker posts to the app; the widgets react to them."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from .core.errors import Failure
from .core.stream import Usage
from .core.toolcalls import ToolCall


@dataclass
class ContentDelta(Message):
    """Reply text that arrived since the last delta (coalesced per frame)."""

    text: str


@dataclass
class ReasoningDelta(Message):
    text: str


@dataclass
class ToolCallFragment(Message):
    """A call changed: its name, id or arguments grew."""

    call: ToolCall


@dataclass
class UsageReported(Message):
    usage: Usage


@dataclass
class ReplyFinished(Message):
    finish_reason: str
    model: str


@dataclass
class ReplyFailed(Message):
    failure: Failure


@dataclass
class ReplyStopped(Message):
    """The user cancelled the reply."""


@dataclass
class ToolStateChanged(Message):
    """A call moved on: awaiting approval, running, done, failed, denied, cancelled."""

    key: str
    state: str
    result: str | None = None
    elapsed: float | None = None


@dataclass
class ToolsFinished(Message):
    """Every call of a round has a result (``cancelled`` when Escape stopped them)."""

    results: list[tuple[str, str]]
    cancelled: bool = False


@dataclass
class MCPChanged(Message):
    """An MCP server changed state (starting, ready, failed...)."""

    name: str
    state: str
    error: str = ""
