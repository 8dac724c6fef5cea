"""Glue between the app and the history store: what to save, and when.

The user message is saved before the request goes out; a streaming reply is
saved at once as "interrupted" and checkpointed at most once a second, so a
crash loses at most the last second of text.
"""

from __future__ import annotations

import time

from .core.chat_options import ChatOptions
from .core.conversation import INTERRUPTED, ChatMessage, Reply
from typing import TYPE_CHECKING

from .core.store import Store, StoreError

if TYPE_CHECKING:
    from .core.settings import Settings

CHECKPOINT_EVERY = 1.0


class History:
    def __init__(self, settings: Settings, path_override: str | None = None) -> None:
        self.settings = settings
        self.error: str = ""
        path = settings.history.resolved_path() if path_override is None else path_override
        try:
            self.store = Store(path)
        except StoreError as exc:
            self.error = str(exc)
            self.store = Store(None)
        self.conversation_id: int | None = None
        self.chat = ChatOptions(settings.system_prompt, settings.temperature, settings.max_tokens)
        """This conversation's options (F9); saved when the conversation is created."""
        self._reply_row: int | None = None
        self.last_row: int | None = None
        self._last_checkpoint = 0.0

    @property
    def persistent(self) -> bool:
        return self.store.path is not None

    def _ensure_conversation(self, model: str, system_prompt: str) -> int:
        if self.conversation_id is None:
            self.conversation_id = self.store.create_conversation(
                model=model, host=self.settings.host, system_prompt=system_prompt,
                settings=self.chat.stored(),
            )
        return self.conversation_id

    def add(self, message: ChatMessage, *, model: str, system_prompt: str = "") -> None:
        self._safe(lambda: self.store.add_message(self._ensure_conversation(model, system_prompt), message))

    def begin_reply(self, model: str) -> None:
        placeholder = ChatMessage("assistant", status=INTERRUPTED, model=model)
        self._reply_row = self._safe(lambda: self.store.add_message(self._ensure_conversation(model, ""), placeholder))
        self._last_checkpoint = time.monotonic()

    def checkpoint(self, reply: Reply, model: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if self._reply_row is None or (not force and now - self._last_checkpoint < CHECKPOINT_EVERY):
            return
        self._last_checkpoint = now
        message = reply.to_message(INTERRUPTED, model)
        self._safe(lambda: self.store.update_message(self._reply_row, message))

    def end_reply(self, message: ChatMessage) -> None:
        if self._reply_row is not None:
            row = self._reply_row
            self._safe(lambda: self.store.update_message(row, message))
        self.last_row, self._reply_row = self._reply_row, None

    def discard_last_reply(self) -> None:
        """Retry replaces the failed reply: drop its row too."""
        row, self.last_row = self.last_row, None
        if row is not None:
            self._safe(lambda: self.store.delete_message(row))

    def reset(self, conversation_id: int | None = None) -> None:
        self.conversation_id = conversation_id
        self._reply_row = None
        self.last_row = None

    def _safe(self, action):
        """History must never take a turn down: a write that fails is reported once."""
        try:
            return action()
        except Exception as exc:  # noqa: BLE001 - disk full, locked, ...
            if not self.error:
                self.error = f"history not saved: {exc}"
            return None
