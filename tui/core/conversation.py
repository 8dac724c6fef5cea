"""The conversation as the API sees it, and the reply being streamed into it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .attachments import Attachment, content
from .stream import ContentDelta, Event, Finish, ReasoningDelta, ToolCallDelta, Usage
from .toolcalls import ToolCall, ToolCallAssembler

COMPLETE, INTERRUPTED, STOPPED, ERROR = "complete", "interrupted", "stopped", "error"


@dataclass
class ChatMessage:
    """One message; ``status`` says whether an assistant reply finished."""

    role: str
    content: str = ""
    reasoning: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    tool_call_id: str = ""
    status: str = COMPLETE
    finish_reason: str = ""
    usage: dict[str, Any] = field(default_factory=dict)
    model: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    """Files and images sent with a user message, as content parts after its text."""

    def to_api(self) -> dict[str, Any]:
        """The message as sent back to the server.

        A stopped or interrupted reply goes back as the partial text it is, so
        the conversation stays valid.
        """
        message: dict[str, Any] = {"role": self.role}
        if self.role == "assistant" and self.tool_calls:
            message["content"] = self.content or None
            message["tool_calls"] = self.tool_calls
        else:
            message["content"] = content(self.content, self.attachments)
        if self.role == "tool":
            message["tool_call_id"] = self.tool_call_id
        return message


class Reply:
    """Accumulates one streamed assistant reply from core events."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.reasoning_parts: list[str] = []
        self.tools = ToolCallAssembler()
        self.finish_reason = ""
        self.model = ""
        self.usage: Usage | None = None

    def feed(self, event: Event) -> ToolCall | None:
        """Record an event; returns the tool call it touched, if any."""
        if isinstance(event, ContentDelta):
            self.parts.append(event.text)
        elif isinstance(event, ReasoningDelta):
            self.reasoning_parts.append(event.text)
        elif isinstance(event, ToolCallDelta):
            return self.tools.feed(event.fragment)
        elif isinstance(event, Finish):
            self.finish_reason = self.finish_reason or event.reason
            self.model = self.model or event.model
        elif isinstance(event, Usage):
            self.usage = event
        return None

    @property
    def text(self) -> str:
        if len(self.parts) > 1:
            self.parts[:] = ["".join(self.parts)]
        return self.parts[0] if self.parts else ""

    @property
    def reasoning(self) -> str:
        return "".join(self.reasoning_parts)

    def to_message(self, status: str, model: str) -> ChatMessage:
        usage = {}
        if self.usage:
            usage = {k: v for k, v in vars_of(self.usage).items() if v is not None}
        return ChatMessage(
            role="assistant",
            content=self.text,
            reasoning=self.reasoning,
            tool_calls=[call.to_api() for call in self.tools.calls] if status == COMPLETE else [],
            status=status,
            finish_reason=self.finish_reason,
            usage=usage,
            model=self.model or model,
        )


def vars_of(usage: Usage) -> dict[str, Any]:
    return {name: getattr(usage, name) for name in usage.__slots__}


@dataclass
class Conversation:
    """Messages in order, plus the per-conversation system prompt."""

    messages: list[ChatMessage] = field(default_factory=list)
    system_prompt: str = ""
    skip: int = 0
    """Messages left out of requests: compacted (or dropped) earlier turns."""
    summary: str = ""
    """What stands for the skipped messages, at the end of the system message."""

    def api_messages(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        system = self.system_prompt
        if self.summary:
            head = f"Summary of the {self.skip} earlier messages of this conversation:\n{self.summary}"
            system = f"{system}\n\n{head}" if system else head
        if system:
            out.append({"role": "system", "content": system})
        for message in self.messages[self.skip:]:
            if message.role == "assistant" and not message.content and not message.tool_calls:
                continue  # an empty failed reply carries nothing; the API rejects it
            out.append(message.to_api())
        return out

    def request(self, model: str, *, temperature: float | None = None, max_tokens: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"model": model, "messages": self.api_messages()}
        if temperature is not None:
            body["temperature"] = temperature
        if max_tokens is not None:
            body["max_tokens"] = max_tokens
        return body
