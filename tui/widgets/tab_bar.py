"""The tab bar: one title per open conversation, with its state. Hidden with one tab."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
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

    frame: reactive[int] = reactive(0)
    """The spinner's frame (still when animations are off)."""

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self._tabs: list[TabInfo] = []
        self._active = 0

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
        for number, tab in enumerate(self._tabs, 1):
            title = " ".join(clean(tab.title).split()) or "new chat"
            if len(title) > TITLE_WIDTH:
                title = title[: TITLE_WIDTH - 1] + "…"
            mark = SPINNER[self.frame] if tab.state == "streaming" else MARKS.get(tab.state, "")
            label = f" {number} {title}{' ' + mark if mark else ''} "
            style = "reverse bold" if number - 1 == self._active else ""
            text.append(label, style=style)
            text.append("│", style="dim")
        self.update(text)
