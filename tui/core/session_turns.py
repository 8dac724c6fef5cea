"""Redoing the last turn of a ChatSession: retry, regenerate, edit, and its versions.

The session owns one Redo, which is the one writer of the prompt being edited and of
the last prompt sent (what the failure banner gives back). It decides whether a redo can
happen and gets the messages ready through the session's public message operations
(``drop_last_reply``, ``drop_from``, ``reload``); the session stays the one writer of the
messages and starts the reply.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .attachments import Attachment
from .conversation import COMPLETE
from .notes import last_user_index, reply_note

if TYPE_CHECKING:
    from .session import ChatSession

BUSY = "A reply is still streaming — press Esc to stop it first."


class Redo:
    def __init__(self, session: ChatSession) -> None:
        self.session = session
        self.last_prompt = ""
        self.last_attachments: list[Attachment] = []
        self.editing: int | None = None
        """Index of the prompt being edited: the next send replaces it and what followed."""

    def sent(self, text: str, attachments: list[Attachment]) -> None:
        """A prompt goes out; one that was being edited is replaced (the old turn becomes a version)."""
        if self.editing is not None:
            index, self.editing = self.editing, None
            self.session.drop_from(index)
        self.last_prompt, self.last_attachments = text, attachments

    # -- asking again ------------------------------------------------------------------
    def cannot_retry(self) -> str | None:
        """Why ``retry`` would do nothing, or None."""
        session = self.session
        if session.busy:
            return BUSY
        last = session.messages[-1] if session.messages else None
        if last is None or (last.role == "assistant" and last.status == COMPLETE) or last.role == "tool":
            return "Nothing to retry."
        return None

    def retry(self) -> str | None:
        """Drop the failed, stopped or interrupted reply, ready to ask again; or why not."""
        refusal = self.cannot_retry()
        if refusal:
            return refusal
        session = self.session
        session.queue.unpause()  # r on the banner resumes the queue too
        if session.messages[-1].role == "assistant":
            session.drop_last_reply()
        user = last_user_index(session.messages)
        self.last_prompt = session.messages[user].content if user is not None else ""
        return None

    def regenerate(self) -> str | None:
        """The last reply becomes a version, ready to ask again; or why not."""
        session = self.session
        if session.busy:
            return BUSY
        user = last_user_index(session.messages)
        if user is None:
            return "Nothing to regenerate yet: send a message first."
        session.drop_from(user + 1)
        self.last_prompt = session.messages[user].content
        return None

    # -- editing -------------------------------------------------------------------------
    def begin_edit(self) -> str | None:
        """The last prompt, to edit; the next send replaces it (the old turn becomes a version)."""
        session = self.session
        user = last_user_index(session.messages)
        if session.busy or user is None:
            return None
        self.editing = user
        return session.messages[user].content

    def cancel_edit(self) -> bool:
        editing, self.editing = self.editing, None
        return editing is not None

    # -- versions ------------------------------------------------------------------------
    def switch_version(self, *, back: bool) -> str | None:
        """Show the previous (``back``) or next stored version of the last turn."""
        session = self.session
        if session.busy:
            return BUSY
        history = session.history
        user = last_user_index(session.messages)
        if user is None or history.conversation_id is None:
            return "No other versions of the last turn."
        for position in (user + 1, user):
            versions = history.versions(position)
            if versions:
                history.swap_version(position, versions[-1] if back else versions[0], front=back)
                session.reload()
                return None
        return "No other versions of the last turn: regenerate (F5) or edit (F8) makes one."

    def versions_note(self) -> str:
        session = self.session
        user = last_user_index(session.messages)
        if user is None:
            return ""
        count = len(session.history.versions(user + 1)) or len(session.history.versions(user))
        return f"{count + 1} versions · alt+← / alt+→" if count else ""

    def notes(self) -> Callable[[int], tuple[str, bool]]:
        """``note(index)`` for the messages as they are now: the note each reply had live.
        What it needs from the store is read once, not once per reply."""
        messages = list(self.session.messages)
        last = max((i for i, m in enumerate(messages) if m.role == "assistant"), default=None)
        user = last_user_index(messages)
        versions = self.versions_note() if last is not None and user is not None and last > user else ""

        def note(index: int) -> tuple[str, bool]:
            return reply_note(messages[index], versions=versions if index == last else "")

        return note
