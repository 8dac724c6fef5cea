"""Per-conversation options: system prompt, temperature, max tokens.

``None`` means "leave it to the server": the request should then omit the field
rather than send a default of our own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

TEMPERATURE_ERROR = "temperature must be a number from 0 to 2 (blank = server default)"
MAX_TOKENS_ERROR = "max tokens must be a whole number of at least 1 (blank = server default)"


@dataclass
class ChatOptions:
    system_prompt: str = ""
    temperature: float | None = None
    max_tokens: int | None = None

    def stored(self) -> dict[str, float | int | None]:
        """The numbers as saved in a conversation's ``settings`` column."""
        return {"temperature": self.temperature, "max_tokens": self.max_tokens}

    def restored(self, system_prompt: str, stored: dict[str, Any]) -> ChatOptions:
        """These options as a stored conversation had them (what ``stored`` kept)."""
        return replace(
            self, system_prompt=system_prompt,
            temperature=stored.get("temperature", self.temperature),
            max_tokens=stored.get("max_tokens", self.max_tokens),
        )


def parse_temperature(text: str) -> float | None:
    """Blank is the server default; otherwise a number in [0, 2], as the OpenAI API allows."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(TEMPERATURE_ERROR) from None
    if not math.isfinite(value) or not 0 <= value <= 2:
        raise ValueError(TEMPERATURE_ERROR)
    return value


def parse_max_tokens(text: str) -> int | None:
    """Blank is the server default; otherwise a whole number >= 1 (``1_000`` and ``1000`` both work)."""
    text = text.strip()
    if not text:
        return None
    if not text.replace("_", "").isdecimal() or not text.isascii():
        raise ValueError(MAX_TOKENS_ERROR)
    try:
        value = int(text)
    except ValueError:
        raise ValueError(MAX_TOKENS_ERROR) from None
    if value < 1:
        raise ValueError(MAX_TOKENS_ERROR)
    return value
