"""The terminal around the app: desktop notifications (core/notify.py) while it is not
focused, and the prompt in $VISUAL / $EDITOR with the app suspended (core/editor.py)."""

from __future__ import annotations


class Terminal:
    """The one writer of ``focused``: Textual's AppBlur and AppFocus, when the terminal
    reports focus."""

    def __init__(self, app) -> None:
        self.app = app
        self.focused = True
        """False between Textual's AppBlur and AppFocus."""

    def blurred(self, _event=None) -> None:
        self.focused = False

    def refocused(self, _event=None) -> None:
        self.focused = True

    def notify(self, kind: str, tab: int | None = None) -> None:
        """A desktop notification of ``kind`` (core/notify.py), naming tab number ``tab``."""
        import os

        from .core.notify import sequence, wanted

        settings = self.app.settings
        mode = settings.ui.notify if settings else "unfocused"
        if wanted(mode, self.focused):
            self.write(sequence(kind, os.environ, tab))

    def write(self, data: str) -> None:
        """Straight to the terminal, as App.bell does; nothing is drawn."""
        driver = getattr(self.app, "_driver", None)
        if driver is not None:
            driver.write(data)

    def open_editor(self) -> None:
        """Ctrl+E: the prompt in $VISUAL / $EDITOR, with the app suspended (works over SSH and in tmux)."""
        from textual.app import SuspendNotSupported

        from .core.editor import edit
        from .widgets.prompt_input import PromptInput

        app = self.app
        prompt = app.query_one(PromptInput)
        try:
            with app.suspend():
                result = edit(prompt.text)
        except SuspendNotSupported:  # headless (tests): raised before the editor ran
            result = edit(prompt.text)
        if result.text is None:
            if result.error:
                app.notify(result.error, severity="warning", timeout=5, markup=False)
            return
        prompt.load_text(result.text)
        prompt.move_cursor(prompt.document.end)
        prompt.focus()
