"""Edit this conversation's system prompt, temperature and max tokens.

Blank numbers mean "server default", so nothing is sent for them. Bad values
keep the screen open with the reason shown and the cursor on the field.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static, TextArea

from ..core.chat_options import ChatOptions, parse_max_tokens, parse_temperature
from ..widgets.key_bar import KeyBar


class ChatSettingsScreen(ModalScreen[ChatOptions | None]):
    """Returns the new :class:`ChatOptions`, or None when cancelled."""

    DEFAULT_CSS = """
    ChatSettingsScreen { align: center middle; }
    ChatSettingsScreen > Vertical { width: 90; max-width: 95%; height: auto; max-height: 90%; border: round $accent; background: $surface; padding: 0 1; }
    ChatSettingsScreen .title { text-style: bold; margin-bottom: 1; }
    ChatSettingsScreen .label { color: $text-muted; }
    ChatSettingsScreen TextArea { height: 8; }
    ChatSettingsScreen .numbers { height: auto; margin-top: 1; }
    ChatSettingsScreen .numbers > Vertical { width: 1fr; height: auto; }
    ChatSettingsScreen .hint { color: $text-muted; margin-top: 1; }
    ChatSettingsScreen #error { color: $error; height: auto; }
    ChatSettingsScreen .buttons { height: auto; align-horizontal: right; }
    ChatSettingsScreen Button { margin: 0 0 0 1; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="settings.save", tooltip="Check the values and save them for this conversation"),
        Binding("escape", "cancel", "Cancel", id="settings.cancel", tooltip="Close without changing anything"),
    ]

    def __init__(self, options: ChatOptions, *, persistent: bool) -> None:
        super().__init__()
        self.options = options
        self.persistent = persistent

    def compose(self):
        with Vertical():
            yield Static(Text("Chat settings"), classes="title", markup=False)
            yield Static(Text("System prompt"), classes="label", markup=False)
            yield TextArea(self.options.system_prompt, id="system-prompt", soft_wrap=True, tab_behavior="focus")
            with Horizontal(classes="numbers"):
                with Vertical():
                    yield Static(Text("Temperature (0–2)"), classes="label", markup=False)
                    yield Input(_number(self.options.temperature), placeholder="server default", id="temperature")
                with Vertical():
                    yield Static(Text("Max tokens"), classes="label", markup=False)
                    yield Input(_number(self.options.max_tokens), placeholder="server default", id="max-tokens")
            hint = "Saved with this conversation." if self.persistent else "History is off: kept for this session only."
            yield Static(Text(hint + " Blank numbers use the server default."), classes="hint", markup=False)
            yield Static(Text(""), id="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(Text("Save (ctrl+s)"), id="save", variant="primary")
                yield Button(Text("Cancel (Esc)"), id="cancel")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        values = {}
        for field, parse in (("temperature", parse_temperature), ("max-tokens", parse_max_tokens)):
            widget = self.query_one(f"#{field}", Input)
            try:
                values[field] = parse(widget.value)
            except ValueError as exc:
                self._show_error(str(exc))
                widget.focus()
                return
        self._show_error("")
        self.dismiss(ChatOptions(
            system_prompt=self.query_one(TextArea).text.strip(),
            temperature=values["temperature"],
            max_tokens=values["max-tokens"],
        ))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _show_error(self, message: str) -> None:
        self.query_one("#error", Static).update(Text(message[:1].upper() + message[1:]))


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and float(f"{value:g}") == value:
        return f"{value:g}"
    return str(value)
