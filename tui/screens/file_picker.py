"""The ``@`` picker: type part of a file name, pick it from textual-autocomplete's
fuzzy dropdown, Enter attaches it. Returns the path (relative to the root) or None."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static
from textual_autocomplete import AutoComplete, DropdownItem


class _FileComplete(AutoComplete):
    """Choosing a file in the dropdown attaches it at once: a second Enter to confirm
    what was just chosen would be one key too many (and easy to type into the wrong place)."""

    def post_completion(self) -> None:
        super().post_completion()
        target = self.target
        target.post_message(Input.Submitted(target, target.value))


class FilePicker(ModalScreen[str | None]):
    DEFAULT_CSS = """
    FilePicker { align: center top; }
    FilePicker > Vertical { width: 80%; max-width: 90; height: auto; margin-top: 2; border: thick $primary; background: $surface; padding: 0 1; }
    FilePicker .title { text-style: bold; }
    FilePicker .hint { color: $text-muted; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="files.cancel", tooltip="Close the file picker without attaching")]

    def __init__(self, files: list[str], root: str) -> None:
        super().__init__()
        self.files = files
        self.root = root

    def compose(self):
        with Vertical():
            yield Static(Text(f"Attach a file from {self.root}", style="bold"), classes="title", markup=False)
            yield Input(placeholder="type to search; ↓ to choose; Enter attaches", id="file-query")
            yield Static(Text(f"{len(self.files)} files (.gitignore respected) · Esc cancels"), classes="hint", markup=False)
        yield _FileComplete("#file-query", candidates=[DropdownItem(name) for name in self.files])

    def on_mount(self) -> None:
        self.query_one("#file-query", Input).focus()

    @on(Input.Submitted, "#file-query")
    def _chosen(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if value in self.files:
            self.dismiss(value)
            return
        matches = [name for name in self.files if value and value.lower() in name.lower()]
        if len(matches) == 1:
            self.dismiss(matches[0])
        elif value:
            self.notify(f"No single file matches '{value}': pick one from the list.", severity="warning", timeout=3)

    def action_cancel(self) -> None:
        self.dismiss(None)
