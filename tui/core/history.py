"""Glue between a session and the history store: what to save, and when.

The user message is saved before the request goes out; a streaming reply is
saved at once as "interrupted" and checkpointed at most once a second, so a
crash loses at most the last second of text.
"""

from __future__ import annotations

import time
from pathlib import Path

from typing import TYPE_CHECKING

from .chat_options import ChatOptions
from .conversation import INTERRUPTED, ChatMessage, Reply
from .store import ConversationInfo, Store, StoreError

if TYPE_CHECKING:
    from .settings import Settings

CHECKPOINT_EVERY = 1.0


class History:
    def __init__(self, settings: Settings, path_override: str | None = None, *, store: Store | None = None) -> None:
        """``store``: share an open store (another tab's) instead of opening the file again."""
        self.settings = settings
        self.error: str = ""
        path = settings.history.resolved_path() if path_override is None else path_override
        if store is not None:
            self.store = store
        else:
            try:
                self.store = Store(Path(path) if path is not None else None)
            except StoreError as exc:
                self.error = str(exc)
                self.store = Store(None)
        self.conversation_id: int | None = None
        self._reply_row: int | None = None
        self._last_row: int | None = None
        self._last_checkpoint = 0.0

    @property
    def persistent(self) -> bool:
        return self.store.path is not None

    def _ensure_conversation(self, model: str, options: ChatOptions) -> int:
        if self.conversation_id is None:
            self.conversation_id = self.store.create_conversation(
                model=model, host=self.settings.host, system_prompt=options.system_prompt,
                settings=options.stored(),
            )
        return self.conversation_id

    def add(self, message: ChatMessage, *, model: str, options: ChatOptions) -> None:
        self._safe(lambda: self.store.add_message(self._ensure_conversation(model, options), message))

    def begin_reply(self, model: str, options: ChatOptions) -> None:
        placeholder = ChatMessage("assistant", status=INTERRUPTED, model=model)
        self._reply_row = self._safe(lambda: self.store.add_message(self._ensure_conversation(model, options), placeholder))
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
        self._last_row, self._reply_row = self._reply_row, None

    def discard_last_reply(self) -> None:
        """Retry replaces the failed reply: drop its row too, also when the reply was
        read back from the store (a reopened conversation) rather than written just now."""
        row, self._last_row = self._last_row, None
        if row is None and self.conversation_id is not None:
            stored = self.store.messages(self.conversation_id)
            if stored and stored[-1][1].role == "assistant":
                row = stored[-1][0]
        if row is not None:
            self._safe(lambda: self.store.delete_message(row))

    def reset(self, conversation_id: int | None = None) -> None:
        self.conversation_id = conversation_id
        self._reply_row = None
        self._last_row = None

    # -- one conversation's row and its versions -------------------------------
    def info(self) -> ConversationInfo | None:
        cid = self.conversation_id
        return self.store.conversation(cid) if cid is not None else None

    def messages(self, conversation_id: int | None = None) -> list[ChatMessage]:
        cid = self.conversation_id if conversation_id is None else conversation_id
        return [message for _, message in self.store.messages(cid)] if cid is not None else []

    def set_model(self, model: str) -> None:
        cid = self.conversation_id
        if cid is not None:
            self._safe(lambda: self.store.set_model(cid, model))

    def set_options(self, options: ChatOptions) -> None:
        cid = self.conversation_id
        if cid is not None:
            self._safe(lambda: self.store.set_chat_settings(cid, system_prompt=options.system_prompt, settings=options.stored()))

    def archive_tail(self, position: int) -> None:
        cid = self.conversation_id
        self._last_row = None
        if cid is not None:
            self._safe(lambda: self.store.archive_tail(cid, position))

    def versions(self, position: int) -> list[int]:
        cid = self.conversation_id
        return self.store.versions(cid, position) if cid is not None else []

    def swap_version(self, position: int, version_id: int, *, front: bool) -> None:
        cid = self.conversation_id
        self._last_row = None
        if cid is not None:
            self._safe(lambda: self.store.swap_version(cid, position, version_id, front=front))

    # -- compactions (core/store_extra.py) ------------------------------------------
    def compaction(self) -> tuple[int, str] | None:
        from .store_extra import active_compaction

        cid = self.conversation_id
        return active_compaction(self.store, cid) if cid is not None else None

    def compact(self, skip: int, summary: str) -> None:
        from .store_extra import add_compaction

        cid = self.conversation_id
        if cid is not None:
            self._safe(lambda: add_compaction(self.store, cid, skip, summary))

    def undo_compaction(self, *, redo: bool = False) -> bool:
        from .store_extra import redo_compaction, undo_compaction

        cid = self.conversation_id
        if cid is None:
            return False
        return bool(self._safe(lambda: (redo_compaction if redo else undo_compaction)(self.store, cid)))

    def _safe(self, action):
        """History must never take a turn down: a write that fails is reported once."""
        try:
            return action()
        except Exception as exc:  # noqa: BLE001 - disk full, locked, ...
            if not self.error:
                self.error = f"history not saved: {exc}"
            return None

    safe = _safe
    """For the core modules that write their own rows (core/queue.py)."""
