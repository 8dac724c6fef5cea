"""The tab bar: one title per open conversation, with its state. Hidden with one tab."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from ..core.sanitize import clean

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
MARKS = {"unread": "●", "confirm": "?", "": ""}
TITLE_WIDTH = 18


@dataclass(frozen=True)
class TabInfo:
    title: str
    state: str = ""
    """"" / "streaming" / "unread" (a finished reply not seen yet) / "confirm" (a tool waits)."""


class TabBar(Static):
    """Renders what the app's tabs report; it owns no tab state."""

    DEFAULT_CSS = """
    TabBar { height: 1; background: $panel; color: $text-muted; display: none; }
    TabBar.-many { display: block; }
    """

    class Chosen(Message):
        """A tab's title was clicked: show tab ``index`` (0-based)."""

        def __init__(self, bar: TabBar, index: int) -> None:
            super().__init__()
            self.bar, self.index = bar, index

        @property
        def control(self) -> TabBar:
            return self.bar

    frame: reactive[int] = reactive(0)
    """The spinner's frame (still when animations are off)."""

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self._tabs: list[TabInfo] = []
        self._active = 0
        self._spans: list[tuple[int, int]] = []
        """Each tab's first and last-plus-one cell, as last drawn (for clicks)."""

    def on_mount(self) -> None:
        self.set_interval(0.12, self._spin)

    def _spin(self) -> None:
        if self.app.animation_level != "none" and any(tab.state == "streaming" for tab in self._tabs):
            self.frame = (self.frame + 1) % len(SPINNER)

    def watch_frame(self) -> None:
        self._draw()

    def show(self, tabs: list[TabInfo], active: int) -> None:
        self._tabs, self._active = list(tabs), active
        self.set_class(len(tabs) > 1, "-many")
        self._draw()

    def _draw(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []
        for number, tab in enumerate(self._tabs, 1):
            title = " ".join(clean(tab.title).split()) or "new chat"
            if len(title) > TITLE_WIDTH:
                title = title[: TITLE_WIDTH - 1] + "…"
            mark = SPINNER[self.frame] if tab.state == "streaming" else MARKS.get(tab.state, "")
            label = f" {number} {title}{' ' + mark if mark else ''} "
            style = "reverse bold" if number - 1 == self._active else ""
            start = cell_len(text.plain)
            text.append(label, style=style)
            self._spans.append((start, start + cell_len(label)))
            text.append("│", style="dim")
        self.update(text)

    def on_click(self, event: events.Click) -> None:
        for index, (start, end) in enumerate(self._spans):
            if start <= event.x < end:
                event.stop()
                self.post_message(self.Chosen(self, index))
                return
