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
class MCPChanged(Message):
    """An MCP server changed state (starting, ready, failed...)."""

    name: str
    state: str
    error: str = ""
