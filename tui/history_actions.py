"""Opening stored conversations, the history screen and export: the app's side of history."""

from __future__ import annotations

from .core.conversation import Conversation


class HistoryActions:
    """Mixed into ChatApp: open (F2 / --resume), browse and export conversations."""

    def open_conversation(self, conversation_id: int) -> bool:
        """Replace the screen with a stored conversation; continuing it resends its history."""
        from .restore import restore

        info = self.history.store.conversation(conversation_id)
        if info is None or self.streaming or self.tools_running:
            return False
        messages = [message for _, message in self.history.store.messages(conversation_id)]
        self.action_new_chat()
        self.conversation = Conversation(messages=messages, system_prompt=info.system_prompt)
        stored = info.settings or {}
        self.chat.system_prompt = info.system_prompt
        self.chat.temperature = stored.get("temperature", self.chat.temperature)
        self.chat.max_tokens = stored.get("max_tokens", self.chat.max_tokens)
        if not self.local:
            self.model = info.model or self.settings.model
            self.query_one("StatusLine").model = self.model
        self._call_keys = restore(self.query_one("MessageLog"), self.query_one("ToolSidebar"), messages)
        self.query_one("StatusLine").calls = len(self._call_keys)
        self.history.reset(conversation_id)
        self.sub_title = info.title
        return True

    def action_history(self) -> None:
        from .screens.history import HistoryScreen

        if self.streaming or self.tools_running:
            self.notify("A reply is still streaming — press Esc to stop it first.", severity="warning")
            return

        def opened(conversation_id: int | None) -> None:
            if conversation_id is not None:
                self.open_conversation(conversation_id)

        self.push_screen(HistoryScreen(self.history.store, self.history.persistent), opened)

    def action_export(self, fmt: str = "md") -> None:
        from pathlib import Path

        from .core.export import to_json, to_markdown, write_new

        cid = self.history.conversation_id
        info = self.history.store.conversation(cid) if cid is not None else None
        if info is None:
            self.notify("Nothing to export yet: send a message first.", timeout=3)
            return
        messages = [message for _, message in self.history.store.messages(cid)]
        text = to_markdown(info, messages) if fmt == "md" else to_json(info, messages)
        name = f"tui-chat-{cid}.{fmt}"
        try:
            path = write_new(Path.cwd(), f"tui-chat-{cid}", f".{fmt}", text)
        except OSError as exc:
            self.notify(f"Could not write {Path.cwd() / name}: {exc.strerror or exc}", severity="error")
            return
        kept = f" ({name} already exists and was kept)" if path.name != name else ""
        self.notify(f"Exported to {path}{kept}", timeout=4)
