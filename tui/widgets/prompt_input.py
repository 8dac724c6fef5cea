"""The input box: multi-line, Enter sends, Up/Down recall earlier prompts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widgets import TextArea

from ..core.keys import shown


def placeholder(keymap: dict[str, str]) -> str:
    return f"Message — Enter to send, {shown('prompt.newline', keymap)} for a newline, {shown('app.help', keymap)} for keys"


class PromptInput(TextArea):
    """Enter sends; Ctrl+J or Shift+Enter inserts a newline."""

    DEFAULT_CSS = """
    PromptInput { height: auto; min-height: 3; max-height: 10; border: tall $primary 40%; }
    PromptInput:focus { border: tall $primary; }
    """

    BINDINGS = [
        Binding("ctrl+j,shift+enter", "newline", "Newline", show=False, id="prompt.newline",
                tooltip="Insert a newline in the prompt"),
        Binding("ctrl+e", "app.open_editor", "Editor", show=False, id="prompt.editor",
                tooltip="Edit the prompt in $VISUAL / $EDITOR (else vi); saving brings it back"),
        Binding("ctrl+w", "app.close_tab", "Close tab", show=False, id="prompt.close_tab",
                tooltip="Close this tab (the text area's own Ctrl+W would delete a word)"),
    ]

    @dataclass
    class Submitted(Message):
        """The user pressed Enter with this text."""

        input: "PromptInput"
        text: str

        @property
        def control(self) -> "PromptInput":
            return self.input

    def keys_changed(self, keymap: dict[str, str]) -> None:
        """The keymap arrived with the settings: the placeholder names the keys it binds."""
        self.placeholder = placeholder(keymap)

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("placeholder", placeholder({}))
        super().__init__(soft_wrap=True, show_line_numbers=False, tab_behavior="focus", **kwargs)
        self.prompt_history: list[str] = []
        self._history_index: int | None = None
        self._draft = ""
        self.paste_filter: Callable[[str], bool] | None = None
        """Takes a paste that should become an attachment (a long text, an image path)."""
        self.at_handler: Callable[[], None] | None = None
        """Opens the file picker when ``@`` starts a word."""
        self.completer: Callable[[], str | None] | None = None
        """Tab on a ``/`` command: the completed text, or None."""
        self.take_back: Callable[[], str | None] | None = None
        """Up in the empty box: the last queued prompt, taken out of the queue (or None)."""

    async def _on_key(self, event: events.Key) -> None:
        if event.character == "@" and self.at_handler is not None and self._word_start():
            event.stop()
            event.prevent_default()
            self.at_handler()
            return
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.post_message(self.Submitted(self, self.text))
            return
        if event.key == "up" and not self.text and self._take_back_queued():
            event.stop()
            event.prevent_default()
            return
        if event.key == "tab" and self.text.startswith("/"):
            completed = self.completer() if self.completer is not None else None
            if completed is not None:
                event.stop()
                event.prevent_default()
                self._set(completed)
                return
        if event.key.startswith("alt+") and event.character and (bound := self.app.active_bindings.get(event.key)):
            # From a terminal Alt+1 comes with the character "1": the text area would type it
            event.stop()
            event.prevent_default()
            await self.app.run_action(bound.binding.action, bound.node)
            return
        if event.key == "end" and not self.text:
            event.stop()
            await self.run_action("app.follow")
            return
        if event.key == "up" and self.cursor_at_first_line and self._recall(-1):
            event.stop()
            event.prevent_default()
            return
        if event.key == "down" and self.cursor_at_last_line and self._recall(+1):
            event.stop()
            event.prevent_default()
            return
        await super()._on_key(event)

    def _word_start(self) -> bool:
        row, column = self.cursor_location
        return column == 0 or self.document.get_line(row)[column - 1].isspace()

    def on_paste(self, event: events.Paste) -> None:
        """Runs before TextArea's own paste handler, which prevent_default skips."""
        if self.paste_filter is not None and self.paste_filter(event.text):
            event.stop()
            event.prevent_default()

    def _take_back_queued(self) -> bool:
        """A queued prompt (the app's session keeps the queue) comes back before older history."""
        text = self.take_back() if self.take_back is not None else None
        if text is None:
            return False
        self._set(text)
        return True

    def action_newline(self) -> None:
        start, end = self.selection
        self.replace("\n", start, end, maintain_selection_offset=False)

    def consume(self, submitted: str) -> None:
        """Take a submitted prompt out of the box. Keys typed after Enter, before the app
        handled it (a fast typist, a pasted script), stay in the box."""
        rest = self.text[len(submitted):] if self.text.startswith(submitted) else ""
        self.clear()
        if rest:
            self.insert(rest)

    def remember(self, text: str) -> None:
        """Add a sent prompt to the history (no immediate duplicates)."""
        if text.strip() and (not self.prompt_history or self.prompt_history[-1] != text):
            self.prompt_history.append(text)
        self._history_index = None

    def _recall(self, step: int) -> bool:
        if not self.prompt_history:
            return False
        if self._history_index is None:
            if step > 0:
                return False
            self._draft = self.text
            index = len(self.prompt_history) - 1
        else:
            index = self._history_index + step
        if index >= len(self.prompt_history):
            self._history_index = None
            self._set(self._draft)
            return True
        if index < 0:
            return True
        self._history_index = index
        self._set(self.prompt_history[index])
        return True

    def _set(self, text: str) -> None:
        self.load_text(text)
        self.move_cursor(self.document.end)
