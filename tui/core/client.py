"""Build the SDK client. ``openai`` is imported here, lazily, off the first frame."""

from __future__ import annotations

from typing import Any

from .settings import Settings


def make_client(settings: Settings) -> Any:
    import openai

    return openai.AsyncOpenAI(
        base_url=settings.base_url,
        api_key=settings.key or "missing",
        max_retries=settings.max_retries,
        timeout=openai.Timeout(settings.read_timeout + 5, connect=10.0),
    )
