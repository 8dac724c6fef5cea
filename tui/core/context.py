"""How much of the model's context window a conversation uses.

The window comes from the server when it says so (``context_length`` in a ``/models``
entry, as OpenRouter and others send; llama.cpp's ``n_ctx``), else from
``context_window`` in config, per model or global. Counts come from the usage the
server reported for the last reply, plus an estimate for what was added since; with no
usage at all, the whole request is estimated. No tokenizer is downloaded: about four
characters a token is close enough to warn before the window fills.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import Failure
    from .settings import Settings

CHARS_PER_TOKEN = 4
MESSAGE_OVERHEAD = 4
OVERFLOW_PHRASES = (
    "context_length_exceeded", "context length", "context window", "exceeds the available context size",
    "maximum context", "too many tokens", "prompt is too long", "context size", "reduce the length",
)


def estimate_text(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def estimate_message(message: dict[str, Any]) -> int:
    """Tokens for one API message; an image counts as OpenAI prices it (85 + 170 per 512px tile)."""
    total = MESSAGE_OVERHEAD
    body = message.get("content")
    if isinstance(body, str):
        total += estimate_text(body)
    elif isinstance(body, list):
        for part in body:
            if part.get("type") == "text":
                total += estimate_text(part.get("text", ""))
            else:
                total += image_tokens(part)
    if message.get("tool_calls"):
        total += estimate_text(json.dumps(message["tool_calls"]))
    return total


def image_tokens(part: dict[str, Any]) -> int:
    size = part.get("_size")
    if isinstance(size, (list, tuple)) and len(size) == 2:
        width, height = size
        return 85 + 170 * math.ceil(width / 512) * math.ceil(height / 512)
    return 765


def estimate_request(body: dict[str, Any]) -> int:
    total = sum(estimate_message(m) for m in body.get("messages", []))
    if body.get("tools"):
        total += estimate_text(json.dumps(body["tools"]))
    return total


def window_of_entry(entry: dict[str, Any]) -> int | None:
    """The window a ``/models`` entry states, if any."""
    for source in (entry, entry.get("meta") or {}, entry.get("top_provider") or {}):
        if not isinstance(source, dict):
            continue
        for key in ("context_length", "n_ctx", "context_window", "max_context_length", "n_ctx_train"):
            value = source.get(key)
            if isinstance(value, int) and value > 0:
                return value
    return None


async def server_windows(client: Any) -> dict[str, int]:
    """Model id -> window, for the models whose ``/models`` entry states one. Never raises:
    a server without the list, or without the field, simply says nothing."""
    found: dict[str, int] = {}
    try:
        async for model in client.models.list():
            data = model.model_dump() if hasattr(model, "model_dump") else dict(model)
            window = window_of_entry(data)
            if isinstance(data.get("id"), str) and window:
                found[data["id"]] = window
    except Exception:  # noqa: BLE001 - the meter falls back to config
        return found
    return found


def is_overflow(failure: Failure) -> bool:
    """Whether a 400 (or a stream error) says the request did not fit the window."""
    if failure.status not in (None, 400, 413):
        return False
    said = f"{failure.title} {failure.detail}".lower()
    return any(phrase in said for phrase in OVERFLOW_PHRASES)


def short(tokens: int) -> str:
    if tokens < 1000:
        return str(tokens)
    if tokens < 100_000:
        return f"{tokens / 1000:.1f}k".replace(".0k", "k")
    return f"{round(tokens / 1000)}k"


@dataclass(frozen=True)
class Meter:
    used: int
    window: int | None
    warn_at: float = 0.8

    @property
    def text(self) -> str:
        if not self.used and not self.window:
            return ""
        return f"ctx {short(self.used)}/{short(self.window)}" if self.window else f"ctx {short(self.used)}"

    @property
    def fraction(self) -> float | None:
        return self.used / self.window if self.window else None

    @property
    def warning(self) -> bool:
        fraction = self.fraction
        return fraction is not None and fraction > self.warn_at


class ContextTracker:
    """The session's count: the window per model, and the last measured request size."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.server: dict[str, int] = {}
        """Windows the server stated, by model id."""
        self._mark: tuple[int, int] | None = None

    def window(self, model: str) -> int | None:
        if model in self.server:
            return self.server[model]
        configured = self.settings.context_window
        if isinstance(configured, dict):
            return configured.get(model) or configured.get("*")
        return configured

    def measured(self, messages_sent: int, tokens: int) -> None:
        """A reply's usage: ``messages_sent`` request messages and the reply took ``tokens``."""
        self._mark = (messages_sent + 1, tokens)

    def forget(self) -> None:
        """The request changed shape (compaction, a new chat): estimate from scratch."""
        self._mark = None

    def used(self, body: dict[str, Any]) -> int:
        messages = body.get("messages", [])
        if self._mark is not None and self._mark[0] <= len(messages):
            count, tokens = self._mark
            return tokens + sum(estimate_message(m) for m in messages[count:])
        return estimate_request(body)

    def meter(self, body: dict[str, Any], model: str) -> Meter:
        return Meter(self.used(body), self.window(model), self.settings.context.warn_at)
