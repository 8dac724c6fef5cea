"""Opening stored conversations, the history screen and export: the app's side of history."""

from __future__ import annotations


class HistoryActions:
    """Mixed into ChatApp: open (F2 / --resume), browse and export conversations."""

    def open_conversation(self, conversation_id: int) -> bool:
        """Show a stored conversation; sending continues it (--resume, F2)."""
        return self.session.open(conversation_id)

    def open_in_tab(self, conversation_id: int) -> None:
        """From History: switch to its tab when it is open, else open it in a new tab
        (in this one when it is empty)."""
        open_at = self.tab_with(conversation_id)
        if open_at is not None:
            self.switch_tab(open_at)
            return
        if self.session.messages or self.session.busy:
            if self.new_tab() is None:
                return
        self.session.open(conversation_id)

    def action_history(self) -> None:
        from .screens.history import HistoryScreen

        tabs = self.settings is not None and self.settings.ui.tabs
        if tabs:
            def chosen(conversation_id: int | None) -> None:
                if conversation_id is not None:
                    self.open_in_tab(conversation_id)

            self.push_screen(HistoryScreen(self.session.history.store, self.session.history.persistent), chosen)
            return
        if self.streaming or self.tools_running:
            self.notify("A reply is still streaming — press Esc to stop it first.", severity="warning")
            return

        def opened(conversation_id: int | None) -> None:
            if conversation_id is not None:
                self.open_conversation(conversation_id)

        self.push_screen(HistoryScreen(self.session.history.store, self.session.history.persistent), opened)

    def action_export(self, fmt: str = "md") -> None:
        from pathlib import Path

        from .core.export import to_json, to_markdown, write_new

        history = self.session.history
        info = history.info()
        if info is None:
            self.notify("Nothing to export yet: send a message first.", timeout=3)
            return
        cid, messages = info.id, history.messages()
        text = to_markdown(info, messages) if fmt == "md" else to_json(info, messages)
        name = f"tui-chat-{cid}.{fmt}"
        try:
            path = write_new(Path.cwd(), f"tui-chat-{cid}", f".{fmt}", text)
        except OSError as exc:
            self.notify(f"Could not write {Path.cwd() / name}: {exc.strerror or exc}", severity="error")
            return
        kept = f" ({name} already exists and was kept)" if path.name != name else ""
        self.notify(f"Exported to {path}{kept}", timeout=4)
