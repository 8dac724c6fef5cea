"""Opening stored conversations, the history screen and export: the app's side of history."""

from __future__ import annotations


class HistoryUI:
    """Open (F2 / --resume), browse and export conversations; the store is the session's."""

    def __init__(self, app) -> None:
        self.app = app

    def open_in_tab(self, conversation_id: int) -> None:
        """From History: switch to its tab when it is open, else open it in a new tab
        (in this one when it is empty)."""
        app = self.app
        open_at = app.tab_set.index_of(conversation_id)
        if open_at is not None:
            app.tab_set.switch(open_at)
            return
        if app.session.messages or app.session.busy:
            if app.tab_set.new_tab() is None:
                return
        app.session.open(conversation_id)

    def browse(self) -> None:
        from .screens.history import HistoryScreen

        app = self.app
        tabs = app.settings is not None and app.settings.ui.tabs
        if tabs:
            def chosen(conversation_id: int | None) -> None:
                if conversation_id is not None:
                    self.open_in_tab(conversation_id)

            app.push_screen(HistoryScreen(app.session.history.store, app.session.history.persistent), chosen)
            return
        if app.streaming or app.tools_running:
            app.notify(f"A reply is still streaming — press {app.key('app.stop')} to stop it first.", severity="warning", markup=False)
            return

        def opened(conversation_id: int | None) -> None:
            if conversation_id is not None:
                app.open_conversation(conversation_id)

        app.push_screen(HistoryScreen(app.session.history.store, app.session.history.persistent), opened)

    def export(self, fmt: str = "md") -> None:
        from pathlib import Path

        from .core.export import to_json, to_markdown, write_new

        app = self.app
        history = app.session.history
        info = history.info()
        if info is None:
            app.notify("Nothing to export yet: send a message first.", timeout=3)
            return
        cid, messages = info.id, history.messages()
        text = to_markdown(info, messages) if fmt == "md" else to_json(info, messages)
        name = f"tui-chat-{cid}.{fmt}"
        try:
            path = write_new(Path.cwd(), f"tui-chat-{cid}", f".{fmt}", text)
        except OSError as exc:
            app.notify(f"Could not write {Path.cwd() / name}: {exc.strerror or exc}", severity="error")
            return
        kept = f" ({name} already exists and was kept)" if path.name != name else ""
        app.notify(f"Exported to {path}{kept}", timeout=4)
