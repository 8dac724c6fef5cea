"""Prompts typed while a reply streams: kept in order, sent one turn each.

A queued prompt is saved at once (a message row with status "queued" and a negative
position, so the conversation's own positions, which versions rely on, never move);
a crash or a quit keeps it, and reopening the conversation shows it queued again --
paused, because nobody asked for it to go out in this run yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import session_events as ev

if TYPE_CHECKING:
    from .session import ChatSession

QUEUED = "queued"


def paused_note(count: int) -> str:
    """What the failure banner adds while prompts wait."""
    if not count:
        return ""
    prompts = "1 queued prompt waits" if count == 1 else f"{count} queued prompts wait"
    return f"⏸ {prompts}: r retries this turn, then they go on; Enter on an empty prompt sends the next one now."


@dataclass
class Queued:
    text: str
    row: int | None = None
    """Its row in the store (None when history is off or the write failed)."""


class PromptQueue:
    """One per ChatSession, and the one writer of its queue. It sends through the session's
    public ``send``; the session tells it when a turn ended (``turn_ended``) or broke off
    (``pause``)."""

    def __init__(self, session: ChatSession) -> None:
        self.session = session
        self.history = session.history
        self.items: list[Queued] = []
        self.paused = False
        """True after a failed or stopped turn: nothing goes out until resumed."""

    # -- what the user does ---------------------------------------------------------
    def submit(self, text: str) -> bool:
        """Enter: send now, or queue while the session is busy."""
        session = self.session
        if not text.strip():
            return False
        if not session.busy:
            return session.send(text)
        self.add(text, self.history.conversation_id)
        self.changed()
        return True

    def resume(self) -> bool:
        """Send the next queued prompt now; False when there is none (or it must wait)."""
        self.paused = False
        text = None if self.session.busy else self.pop()
        self.changed()
        return text is not None and self.session.send(text)

    def take_back(self) -> str | None:
        """The last queued prompt, out of the queue (to edit, or to drop)."""
        text = self.take_last()
        self.changed()
        return text

    # -- what the session reports -----------------------------------------------------
    def turn_ended(self) -> None:
        if self.items and not self.paused:
            self.resume()

    def pause(self) -> None:
        """A failed or stopped turn: what is queued waits to be resumed."""
        self.paused = self.paused or bool(self.items)
        self.changed()

    def unpause(self) -> None:
        """Retrying the failed turn resumes the queue when that turn ends."""
        self.paused = False
        self.changed()

    def changed(self) -> None:
        self.session.emit(ev.QueueChanged(self.texts, self.paused))

    # -- the list itself ----------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.items)

    @property
    def texts(self) -> list[str]:
        return [item.text for item in self.items]

    def add(self, text: str, conversation_id: int | None) -> None:
        self.items.append(Queued(text, self._save(text, conversation_id)))

    def pop(self) -> str | None:
        """The next prompt to send (its stored row goes: the send saves it as a message)."""
        if not self.items:
            return None
        item = self.items.pop(0)
        self._forget(item)
        return item.text

    def take_last(self) -> str | None:
        """The last queued prompt, taken back to edit (or to cancel)."""
        if not self.items:
            return None
        item = self.items.pop()
        self._forget(item)
        if not self.items:
            self.paused = False
        return item.text

    def clear(self) -> None:
        """A new or another conversation: the stored rows stay with their own conversation."""
        self.items = []
        self.paused = False
        self.changed()

    def load(self, conversation_id: int) -> None:
        store = self.history.store
        rows = store.db.execute(
            "SELECT id, content FROM messages WHERE conversation_id = ? AND status = ? ORDER BY position DESC",
            (conversation_id, QUEUED),
        ).fetchall()
        self.items = [Queued(row["content"], row["id"]) for row in rows]
        self.paused = bool(self.items)
        self.changed()

    def _save(self, text: str, conversation_id: int | None) -> int | None:
        if conversation_id is None:
            return None

        def insert() -> int | None:
            with self.history.store.transaction() as db:
                low = db.execute(
                    "SELECT MIN(MIN(position), 0) - 1 FROM messages WHERE conversation_id = ?", (conversation_id,)
                ).fetchone()[0]
                now = _now()
                cursor = db.execute(
                    """INSERT INTO messages (conversation_id, position, role, content, status, created, updated)
                       VALUES (?, ?, 'user', ?, ?, ?, ?)""",
                    (conversation_id, -1 if low is None else low, text, QUEUED, now, now),
                )
                return cursor.lastrowid

        return self.history.safe(insert)

    def _forget(self, item: Queued) -> None:
        if item.row is not None:
            row = item.row
            self.history.safe(lambda: self.history.store.delete_message(row))


def _now() -> float:
    import time

    return time.time()
