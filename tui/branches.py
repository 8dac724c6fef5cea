"""Regenerate, edit and versions: the last turn can be redone, and the old one is kept.

A conversation's tail (the last reply, or the last prompt and what followed)
is archived in the store's ``versions`` table before it is replaced, so the
user can flip back to it. With history off the store lives in memory, so
versions still work for the session.
"""

from __future__ import annotations

from .core.conversation import ChatMessage


def last_user_index(messages: list[ChatMessage]) -> int | None:
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].role == "user":
            return index
    return None


class BranchActions:
    """Mixed into ChatApp: the actions that rewrite the end of the conversation."""

    _editing: int | None = None

    def _busy_refusal(self, what: str) -> bool:
        if self.streaming or self.tools_running:
            self.query_one("StatusLine").hint = f"{what} is refused while a reply streams — Esc stops it"
            self.notify(f"A reply is still streaming — press Esc to stop it before you {what.lower()}.", severity="warning", timeout=3)
            return True
        return False

    def _versions_at(self, position: int) -> list[int]:
        cid = self.history.conversation_id
        return self.history.store.versions(cid, position) if cid is not None else []

    # -- regenerate ------------------------------------------------------------
    def action_regenerate(self) -> None:
        """Ask again for the last reply; the old one becomes a version."""
        if self._busy_refusal("Regenerate"):
            return
        messages = self.conversation.messages
        user = last_user_index(messages)
        if user is None:
            self.notify("Nothing to regenerate yet: send a message first.", timeout=3)
            return
        self._archive_from(user + 1)
        self._reload_log()
        self._last_prompt = messages[user].content if messages else ""
        self._rounds = 0
        self._start_reply()

    # -- edit --------------------------------------------------------------------
    def action_edit_last(self) -> None:
        """Load the last prompt into the input box; sending it replaces that turn."""
        if self._busy_refusal("Editing"):
            return
        user = last_user_index(self.conversation.messages)
        if user is None:
            self.notify("No prompt to edit yet.", timeout=3)
            return
        prompt = self.query_one("PromptInput")
        prompt.load_text(self.conversation.messages[user].content)
        prompt.move_cursor(prompt.document.end)
        prompt.focus()
        self._editing = user
        self.query_one("StatusLine").hint = "editing the last prompt — Enter resends it, Esc cancels"

    def _cancel_edit(self) -> bool:
        if self._editing is None:
            return False
        self._editing = None
        self.query_one("PromptInput").clear()
        self.query_one("StatusLine").hint = ""
        return True

    def _apply_edit(self) -> None:
        """Called on send while editing: the old prompt and what followed become a version."""
        index, self._editing = self._editing, None
        if index is None:
            return
        self._archive_from(index)
        self._reload_log()

    # -- versions -------------------------------------------------------------
    def action_prev_version(self) -> None:
        self._flip(front=True)

    def action_next_version(self) -> None:
        self._flip(front=False)

    def _flip(self, *, front: bool) -> None:
        if self._busy_refusal("Switching versions"):
            return
        user = last_user_index(self.conversation.messages)
        cid = self.history.conversation_id
        if user is None or cid is None:
            self.notify("No other versions of the last turn.", timeout=2)
            return
        for position in (user + 1, user):
            versions = self._versions_at(position)
            if versions:
                chosen = versions[-1] if front else versions[0]
                self.history.store.swap_version(cid, position, chosen, front=front)
                self._reload_from_store()
                return
        self.notify("No other versions of the last turn: regenerate (F5) or edit (F8) makes one.", timeout=3)

    # -- shared -------------------------------------------------------------------
    def _archive_from(self, index: int) -> None:
        cid = self.history.conversation_id
        if cid is not None and index < len(self.conversation.messages):
            self.history._safe(lambda: self.history.store.archive_tail(cid, index))
        self.history.last_row = None
        del self.conversation.messages[index:]

    def _reload_from_store(self) -> None:
        cid = self.history.conversation_id
        self.conversation.messages[:] = [message for _, message in self.history.store.messages(cid)]
        self._reload_log()

    def _reload_log(self) -> None:
        from .restore import restore

        self._reply_widget = None
        self._call_keys = restore(self.query_one("MessageLog"), self.query_one("ToolSidebar"), self.conversation.messages, self._version_note)
        self.query_one("StatusLine").calls = len(self._call_keys)

    def _version_note(self, index: int) -> str:
        """For the last reply: how many versions of it (or of its prompt) exist."""
        user = last_user_index(self.conversation.messages)
        if user is None or index < user:
            return ""
        count = len(self._versions_at(user + 1)) or len(self._versions_at(user))
        return f"{count + 1} versions · alt+← / alt+→" if count else ""
