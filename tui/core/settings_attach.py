"""The settings sections for attachments and the context window (issue 16), apart from
settings.py so that file stays small."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_COMPACT_PROMPT = (
    "Summarise the conversation so far for yourself, so that it can go on without the earlier messages. "
    "Keep every fact, decision, name, number, file and piece of code that may matter later; drop small talk. "
    "Write the summary only."
)


class AttachmentsSettings(BaseModel):
    """Files and images attached to a prompt (@, --attach, pasted paths)."""

    model_config = ConfigDict(extra="forbid")

    max_bytes: int = Field(default=1_000_000, ge=1)
    """Largest file that can be attached, in bytes (images are checked before scaling)."""
    max_image_pixels: int = Field(default=1_568 * 1_568, ge=1)
    """Images with more pixels than this are scaled down before they are sent."""
    paste_lines: int = Field(default=20, ge=1)
    """A paste with more lines than this becomes a "pasted text" chip."""


class ContextSettings(BaseModel):
    """The context window: the meter, the overflow banner and compaction."""

    model_config = ConfigDict(extra="forbid")

    auto_compact: float | None = Field(default=None, gt=0, le=1)
    """Compact on its own before a send that would fill this fraction of the window (e.g. 0.9); unset: never."""
    compact_prompt: str = DEFAULT_COMPACT_PROMPT
    """What the model is asked to do when it summarises the earlier turns."""
    keep_turns: int = Field(default=2, ge=0)
    """Most recent user turns that compaction keeps as they are."""
    warn_at: float = Field(default=0.8, gt=0, le=1)
    """The meter turns to warning colours past this fraction of the window."""
