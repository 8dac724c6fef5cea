"""Everything about one tool call, reachable from the keyboard."""

from __future__ import annotations

from rich.syntax import Syntax
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static
from ..widgets.key_bar import KeyBar

from ..core.sanitize import clean
from ..widgets.tool_sidebar import ToolCallItem


class ToolDetailScreen(ModalScreen[None]):
    """Name, id, status, fragments and the full arguments, highlighted."""

    DEFAULT_CSS = """
    ToolDetailScreen { align: center middle; }
    ToolDetailScreen > VerticalScroll {
        width: 90%; height: 85%; border: round $accent; background: $surface; padding: 0 1;
    }
    ToolDetailScreen .meta { margin-bottom: 1; }
    ToolDetailScreen .section { color: $text-muted; text-style: bold; }
    """

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back", id="detail.back", tooltip="Close the details"),
        Binding("c", "copy", "Copy args", id="detail.copy", tooltip="Copy the arguments to the clipboard"),
    ]

    def __init__(self, item: ToolCallItem) -> None:
        super().__init__()
        self.item = item

    def compose(self):
        call = self.item.call
        meta = Text()
        meta.append("Tool call  ", style="bold")
        meta.append(clean(call.name), style="bold")
        meta.append(f"\nid: {clean(call.id) or '(none sent)'}")
        meta.append(f"\nstatus: {self.item.state}")
        if self.item.elapsed is not None:
            meta.append(f"\ntime: {self.item.elapsed:.3f} s")
        meta.append(f"\nfragments: {call.fragments}")
        _, error = call.parsed_arguments()
        with VerticalScroll():
            yield Static(meta, classes="meta", markup=False)
            yield Static(Text("Arguments"), classes="section", markup=False)
            if error:
                yield Static(Text(f"{error}\n", style="red"), markup=False)
                yield Static(Text(clean(call.arguments)), markup=False, id="arguments")
            else:
                yield Static(
                    Syntax(clean(call.pretty_arguments()), "json", theme="monokai", word_wrap=True),
                    markup=False,
                    id="arguments",
                )
            if self.item.result:
                yield Static(Text("\nResult"), classes="section", markup=False)
                yield Static(Text(clean(self.item.result)), markup=False, id="result")
        yield KeyBar()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.item.call.arguments)
        self.notify("Arguments copied to the clipboard.", timeout=2)
