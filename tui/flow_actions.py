"""Never wait, never lose your place: continue (F10), follow the stream again (End or the
marker), and the queue's hooks into the prompt box. The rules are the session's
(core/queue.py, core/continuation.py); these are the keys."""

from __future__ import annotations

from .widgets.message_log import MessageLog
from .widgets.stream_aids import NewTextMarker


class FlowActions:
    """Mixed into ChatApp, which provides the session and the widgets."""

    def action_continue_reply(self) -> None:
        from .widgets.error_banner import ErrorBanner

        refusal = self.session.continue_reply() if self.session is not None else None
        if refusal:
            self.notify(refusal, timeout=3)
        elif self.session is not None and self.session.busy:
            self.query_one(ErrorBanner).hide()  # the cut it reported is being mended

    def take_back_queued(self) -> str | None:
        """Up in the empty prompt: the last queued prompt comes back to be edited."""
        return self.session.queue.take_back() if self.session is not None else None

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

    # -- desktop notifications (core/notify.py) -----------------------------------------
    terminal_focused = True
    """False between Textual's AppBlur and AppFocus (when the terminal reports focus)."""

    def on_app_blur(self) -> None:
        self.terminal_focused = False

    def on_app_focus(self) -> None:
        self.terminal_focused = True

    def notify_terminal(self, kind: str) -> None:
        import os

        from .core.notify import sequence, wanted

        mode = self.settings.ui.notify if self.settings else "unfocused"
        if wanted(mode, self.terminal_focused):
            self.write_terminal(sequence(kind, os.environ))

    def write_terminal(self, data: str) -> None:
        """Straight to the terminal, as App.bell does; nothing is drawn."""
        driver = getattr(self, "_driver", None)
        if driver is not None:
            driver.write(data)
