"""The tool-call sidebar: each call appears when its name is known and grows live."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.reactive import var
from textual.widgets import Static

from ..core.sanitize import clean
from ..core.toolcalls import ToolCall

PREVIEW_CHARS = 400
RESULT_PREVIEW_CHARS = 200
RESULT_PREVIEW_LINES = 4
ICONS = {
    "assembling": "…", "requested": "●", "invalid": "✗", "awaiting approval": "?",
    "running": "▶", "done": "✓", "failed": "✗", "denied": "⊘", "cancelled": "■",
}
FAILED_STATES = ("invalid", "failed", "denied", "cancelled")


class ToolCallItem(Static):
    """One call: name, id and its arguments (raw while streaming, pretty after)."""

    DEFAULT_CSS = """
    ToolCallItem { height: auto; padding: 0 1; margin: 0 0 1 0; border-left: wide $secondary 50%; }
    ToolCallItem.-selected { border-left: wide $accent; background: $boost; }
    ToolCallItem.-invalid { border-left: wide $error; }
    ToolCallItem.-failed { border-left: wide $error; }
    ToolCallItem.-done { border-left: wide $success; }
    ToolCallItem.-waiting { border-left: wide $warning; }
    """

    def __init__(self, call: ToolCall, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)
        self.call = call
        self.state = "assembling"
        self.result = ""
        self.elapsed: float | None = None

    def on_mount(self) -> None:
        self.refresh_call()

    def refresh_call(self) -> None:
        call = self.call
        text = Text()
        text.append(f"{ICONS.get(self.state, '●')} ", style="bold")
        if self.state == "assembling":
            text.append(f"calling {clean(call.name)}…", style="bold")
        else:
            text.append(clean(call.name), style="bold")
        if call.id:
            text.append(f"  {clean(call.id)}", style="dim")
        if self.state not in ("assembling", "requested", "invalid"):
            timing = f" {self.elapsed:.2f} s" if self.elapsed is not None else ""
            text.append(f"\n{self.state}{timing}", style="bold red" if self.state in FAILED_STATES else "italic")
        if self.state == "assembling":
            body = call.arguments
        elif self.state == "invalid":
            text.append("\ninvalid JSON", style="bold red")
            body = call.arguments
        else:
            body = call.pretty_arguments()
        body = clean(body)
        if len(body) > PREVIEW_CHARS:
            body = body[:PREVIEW_CHARS] + "…"
        if body:
            text.append("\n" + body)
        if self.result:
            preview = clean(self.result)
            lines = preview.splitlines()
            if len(preview) > RESULT_PREVIEW_CHARS or len(lines) > RESULT_PREVIEW_LINES:
                preview = "\n".join(lines[:RESULT_PREVIEW_LINES])[:RESULT_PREVIEW_CHARS] + " …"
            text.append("\n→ " + preview, style="dim")
        self.update(text)
        self.set_class(self.state == "invalid", "-invalid")
        self.set_class(self.state in ("failed", "denied", "cancelled"), "-failed")
        self.set_class(self.state == "done", "-done")
        self.set_class(self.state == "awaiting approval", "-waiting")

    def set_state(self, state: str, *, result: str | None = None, elapsed: float | None = None) -> None:
        self.state = state
        if result is not None:
            self.result = result
        if elapsed is not None:
            self.elapsed = elapsed
        self.refresh_call()

    def finish(self) -> None:
        _, error = self.call.parsed_arguments()
        self.state = "invalid" if error else "requested"
        self.refresh_call()


class ToolSidebar(VerticalScroll, can_focus=True):
    """Keyboard: Up/Down or j/k move, Enter opens the detail screen, c copies."""

    DEFAULT_CSS = """
    ToolSidebar { width: 40; border-left: solid $panel-lighten-2; padding: 0 0 0 1; }
    ToolSidebar:focus { border-left: solid $accent; }
    ToolSidebar > .title { color: $text-muted; text-style: bold; margin-bottom: 1; }
    """

    BINDINGS = [
        Binding("down,j", "move(1)", "Next call", id="tools.next", tooltip="Select the next tool call"),
        Binding("up,k", "move(-1)", "Previous call", id="tools.previous", tooltip="Select the previous tool call"),
        Binding("enter", "open", "Details", id="tools.open", tooltip="Open the selected call's details"),
        Binding("c", "copy", "Copy args", id="tools.copy", tooltip="Copy the selected call's arguments"),
    ]

    selected: var[int] = var(-1)
    """Index of the highlighted call among the items, or -1."""

    @dataclass
    class CallSelected(Message):
        """Enter was pressed on a call."""

        sidebar: "ToolSidebar"
        item: ToolCallItem

        @property
        def control(self) -> "ToolSidebar":
            return self.sidebar

    @dataclass
    class CopyRequested(Message):
        sidebar: "ToolSidebar"
        item: ToolCallItem | None

        @property
        def control(self) -> "ToolSidebar":
            return self.sidebar

    def compose(self):
        yield Static("Tool calls", classes="title")

    def clear_calls(self) -> None:
        for item in self.items:
            item.remove()
        self.selected = -1

    @property
    def items(self) -> list[ToolCallItem]:
        return list(self.query(ToolCallItem))

    def upsert(self, key: str, call: ToolCall) -> ToolCallItem | None:
        """Show or refresh the call; a call appears once its name is known."""
        item = self._by_key(key)
        if item is None:
            if not call.name:
                return None
            item = ToolCallItem(call, name=key)
            self.mount(item)
            self._prune()
            if self.selected < 0:
                self.selected = 0
        else:
            item.call = call
            item.refresh_call()
        return item

    MAX_ITEMS = 100
    """Older calls are dropped from the sidebar (the conversation keeps them)."""

    def _prune(self) -> None:
        items = self.items
        for item in items[: max(0, len(items) - self.MAX_ITEMS)]:
            item.remove()
        if len(items) > self.MAX_ITEMS:
            self.selected = min(self.selected, self.MAX_ITEMS - 1)

    def finish_all(self, keys: list[str]) -> None:
        for key in keys:
            item = self._by_key(key)
            if item is not None:
                item.finish()

    def set_state(self, key: str, state: str, **kwargs) -> None:
        item = self._by_key(key)
        if item is not None:
            item.set_state(state, **kwargs)

    def _by_key(self, key: str) -> ToolCallItem | None:
        for item in self.query(ToolCallItem):
            if item.name == key:
                return item
        return None

    def watch_selected(self, old: int, new: int) -> None:
        items = self.items
        for index, item in enumerate(items):
            item.set_class(index == new, "-selected")
        if 0 <= new < len(items):
            self.scroll_to_widget(items[new], animate=False)

    def action_move(self, step: int) -> None:
        count = len(self.items)
        if count:
            self.selected = max(0, min(count - 1, self.selected + step))

    def current(self) -> ToolCallItem | None:
        items = self.items
        return items[self.selected] if 0 <= self.selected < len(items) else None

    def action_open(self) -> None:
        item = self.current()
        if item is not None:
            self.post_message(self.CallSelected(self, item))

    def action_copy(self) -> None:
        self.post_message(self.CopyRequested(self, self.current()))
