"""Ask before a tool with side effects runs: run once, always allow, or deny."""

from __future__ import annotations

from rich.syntax import Syntax
from rich.text import Text
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ..core.sanitize import clean
from ..core.tool_round import ALWAYS, DENY, RUN
from ..core.toolcalls import ToolCall

__all__ = ["ALWAYS", "DENY", "RUN", "ConfirmScreen"]


class ConfirmScreen(ModalScreen[str]):
    """Returns "run", "always" or "deny". Fully keyboard-driven."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical { width: 80%; max-width: 100; height: auto; max-height: 85%; border: thick $warning; background: $surface; padding: 0 1; }
    ConfirmScreen .title { text-style: bold; margin-bottom: 1; }
    ConfirmScreen VerticalScroll { height: auto; max-height: 20; margin-bottom: 1; }
    ConfirmScreen Horizontal { height: auto; align-horizontal: center; }
    ConfirmScreen Button { margin: 0 1; }
    """

    BINDINGS = [
        Binding("y", "choose('run')", "Run once", id="confirm.run", tooltip="Run this call once"),
        Binding("a", "choose('always')", "Always allow", id="confirm.always", tooltip="Allow this tool for the rest of the session"),
        Binding("n,escape", "choose('deny')", "Deny", id="confirm.deny", tooltip="Do not run it; the model is told it was denied"),
        Binding("left,h", "app.focus_previous", show=False),
        Binding("right,l", "app.focus_next", show=False),
    ]

    def __init__(self, call: ToolCall, description: str, reason: str) -> None:
        super().__init__()
        self.call = call
        self.description = description
        self.reason = reason

    def compose(self):
        title = Text()
        title.append("Run tool ", style="bold")
        title.append(clean(self.call.name), style="bold")
        title.append(f"?  ({self.reason})", style="dim")
        with Vertical():
            yield Static(title, classes="title", markup=False)
            if self.description:
                yield Static(Text(clean(self.description), style="italic"), markup=False)
            with VerticalScroll():
                yield Static(Syntax(clean(self.call.pretty_arguments()), "json", theme="monokai", word_wrap=True), markup=False)
            with Horizontal():
                yield Button(Text("Run once (y)"), id="run", variant="primary")
                yield Button(Text("Always allow (a)"), id="always")
                yield Button(Text("Deny (n / Esc)"), id="deny", variant="error")

    def on_mount(self) -> None:
        self.query_one("#run", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or DENY)

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)
