"""Never wait, never lose your place: continue (F10), follow the stream again (End or the
marker), and the queue's hooks into the prompt box. The rules are the session's
(core/queue.py, core/continuation.py); these are the keys."""

from __future__ import annotations

from .widgets.message_log import MessageLog
from .widgets.stream_aids import NewTextMarker


class FlowActions:
    """Mixed into ChatApp, which provides the session and the widgets."""

    def action_continue_reply(self) -> None:
        refusal = self.session.continue_reply() if self.session is not None else None
        if refusal:
            self.notify(refusal, timeout=3)

    def action_follow(self) -> None:
        """Scroll to the end and follow the reply again."""
        log = self.query_one(MessageLog)
        log.anchor()
        log.scroll_end(animate=False, immediate=True)
        self.query_one(NewTextMarker).shown = False

    def on_new_text_marker_clicked(self, _message: NewTextMarker.Clicked) -> None:
        """Named, not @on: Textual collects @on only from the App class itself."""
        self.action_follow()

    def action_open_editor(self) -> None:
        """Ctrl+E: the prompt in $VISUAL / $EDITOR, with the app suspended (works over SSH and in tmux)."""
        from textual.app import SuspendNotSupported

        from .core.editor import edit
        from .widgets.prompt_input import PromptInput

        prompt = self.query_one(PromptInput)
        try:
            with self.suspend():
                result = edit(prompt.text)
        except SuspendNotSupported:  # headless (tests): raised before the editor ran
            result = edit(prompt.text)
        if result.text is None:
            if result.error:
                self.notify(result.error, severity="warning", timeout=5, markup=False)
            return
        prompt.load_text(result.text)
        prompt.move_cursor(prompt.document.end)
        prompt.focus()
