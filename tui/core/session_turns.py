"""Asking again for the last turn of a ChatSession: retry, regenerate, continue a cut-off
reply, edit the last prompt, and switch between the turn's versions.

The session owns one Redo, which is the one writer of the prompt being edited and of
the last prompt sent (what the failure banner gives back). It decides whether a redo can
happen, changes the messages through the session's public operations (``drop_last_reply``,
``drop_from``, ``reload``; the session stays their one writer), and asks again through the
``start_reply`` the session hands it. What a continued reply continues is the
Continuation's to keep (core/continuation.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from . import continuation, keys
from .attachments import Attachment
from .continuation import Continuation
from .conversation import COMPLETE
from .notes import last_user_index, reply_note

if TYPE_CHECKING:
    from .session import ChatSession

BUSY = "A reply is still streaming — press {stop} to stop it first."
"""With ``{stop}`` the user's stop key: see ``busy``."""


def busy(keymap) -> str:
    """The refusal while a reply streams, naming the stop key as the user has it."""
    return BUSY.format(stop=keys.shown("app.stop", keymap))


class Redo:
    def __init__(self, session: ChatSession, start_reply: Callable[[], None], continuing: Continuation) -> None:
        self.session = session
        self.start_reply = start_reply
        self.continuing = continuing
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
            return busy(session.settings.keymap)
        last = session.messages[-1] if session.messages else None
        if last is None or (last.role == "assistant" and last.status == COMPLETE) or last.role == "tool":
            return "Nothing to retry."
        return None

    def retry(self) -> str | None:
        """Ask again after a failed, stopped or interrupted reply, which it replaces (also
        one read back from the store). Returns why not, or None."""
        refusal = self.cannot_retry()
        if refusal:
            return refusal
        session = self.session
        session.queue.unpause()  # r on the banner resumes the queue too
        if session.messages[-1].role == "assistant":
            session.drop_last_reply()
        user = last_user_index(session.messages)
        self.last_prompt = session.messages[user].content if user is not None else ""
        self.start_reply()
        return None

    def regenerate(self) -> str | None:
        """Ask again for the last reply; the old one becomes a version."""
        session = self.session
        if session.busy:
            return busy(session.settings.keymap)
        user = last_user_index(session.messages)
        if user is None:
            return "Nothing to regenerate yet: send a message first."
        session.drop_from(user + 1)
        self.last_prompt = session.messages[user].content
        session.tools.new_prompt()
        self.start_reply()
        return None

    def continue_reply(self) -> str | None:
        """Ask the model to go on from where the last (cut-off) reply stopped."""
        session = self.session
        refusal = continuation.refusal(session.busy, session.messages, keys.shown("app.stop", session.settings.keymap))
        if refusal:
            return refusal
        if session.precheck() is not None:
            self.start_reply()  # reports the failure; the cut-off reply stays as it was
            return None
        self.continuing.begin(session.drop_last_reply())
        self.start_reply()
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
            return busy(session.settings.keymap)
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
        keymap = session.settings.keymap
        return (f"No other versions of the last turn: regenerate ({keys.shown('app.regenerate', keymap)}) "
                f"or edit ({keys.shown('app.edit_last', keymap)}) makes one.")

    def versions_note(self) -> str:
        session = self.session
        user = last_user_index(session.messages)
        if user is None:
            return ""
        count = len(session.history.versions(user + 1)) or len(session.history.versions(user))
        if not count:
            return ""
        keymap = session.settings.keymap
        return f"{count + 1} versions · {keys.shown('app.prev_version', keymap)} / {keys.shown('app.next_version', keymap)}"

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
