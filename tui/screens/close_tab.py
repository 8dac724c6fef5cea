"""Ask before closing a tab whose reply is still streaming."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class CloseTabScreen(ModalScreen[bool]):
    """True to stop the reply and close the tab."""

    DEFAULT_CSS = """
    CloseTabScreen { align: center middle; }
    CloseTabScreen > Vertical { width: 60; height: auto; border: thick $warning; background: $surface; padding: 0 1; }
    """

    BINDINGS = [
        Binding("y", "answer(True)", "Close", id="close_tab.yes", tooltip="Stop the reply and close the tab"),
        Binding("n,escape", "answer(False)", "Keep", id="close_tab.no", tooltip="Keep the tab open"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("A reply is still streaming in this tab.\nClose it anyway? (what came so far is saved)")
            yield Static("y close · n keep", classes="keys")

    def action_answer(self, close: bool) -> None:
        self.dismiss(close)
