"""F1: every key binding in the app, with what it does."""

from __future__ import annotations

from rich.table import Table
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static
from ..widgets.key_bar import KeyBar

EXTRA_KEYS = [
    ("enter", "Send the prompt (input box)"),
    ("ctrl+j / shift+enter", "Insert a newline (input box)"),
    ("up / down", "Recall earlier prompts (on the first / last line)"),
    ("r", "Retry the failed turn (error banner focused)"),
    ("x / escape", "Dismiss the error banner (banner focused)"),
    ("down / j, up / k", "Move between tool calls (sidebar focused)"),
    ("enter", "Open the selected tool call (sidebar focused)"),
    ("c", "Copy the selected call's arguments (sidebar or detail)"),
    ("up / down, k / j", "Select the previous / next message (log focused: Ctrl+Up)"),
    ("[ / ]", "Select the previous / next code block (log focused)"),
    ("c / y", "Copy the selected code block or message (log focused)"),
    ("r / space", "Restart the selected MCP server / turn a tool on or off (Tools screen, F3)"),
    ("ctrl+s", "Save (chat settings, F9)"),
    ("ctrl+p", "Command palette: every action by name; \"Theme\" picks a theme (saved to the config)"),
]


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 80; max-width: 95%; height: 85%; border: round $accent; background: $surface; padding: 0 1; }
    """

    BINDINGS = [Binding("escape,f1,q", "app.pop_screen", "Close", id="help.close", tooltip="Close the help")]

    def compose(self):
        table = Table(title="Keys", expand=True, show_edge=False)
        table.add_column("Key", style="bold", no_wrap=True)
        table.add_column("Action")
        for key, description in self._app_keys():
            table.add_row(key, description)
        for key, description in EXTRA_KEYS:
            table.add_row(key, description)
        with VerticalScroll():
            yield Static(table)
        yield KeyBar()

    def _app_keys(self) -> list[tuple[str, str]]:
        rows = []
        for binding in self.app.BINDINGS:
            if isinstance(binding, Binding):
                keys = self.app._keymap_keys(binding)
                rows.append((keys.replace(",", " / "), binding.tooltip or binding.description))
        return rows
