"""The bottom key bar: the screen's active bindings as one line of text.

Textual's Footer rebuilds a widget per key whenever focus moves, which costs a
restyle of the whole bar each time (a banner taking focus, a prompt getting it
back). This bar draws the same keys as a single rendered line, and a click on a
key still runs it.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.events import Click
from textual.screen import Screen
from textual.widget import Widget


DIM = Style(dim=True)


class KeyBar(Widget):
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description"}

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
        .key-bar--key { color: $footer-key-foreground; background: $footer-key-background; text-style: bold; }
        .key-bar--description { color: $footer-description-foreground; background: $footer-description-background; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._items: list[tuple[str, str, bool, str]] = []
        self._palette: tuple[str, str, bool, str] | None = None
        self._spans: list[tuple[int, int, str]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        """Snapshot the keys now, while this screen is the active one."""
        if not (self.is_attached and screen is self.screen and screen.is_current):
            return
        active = screen.active_bindings
        items, seen = [], set()
        for _node, binding, enabled, _tooltip in active.values():
            if binding.show and binding.action not in seen:
                seen.add(binding.action)
                items.append((self.app.get_key_display(binding), binding.description, enabled, binding.key))
        found = active.get(self.app.COMMAND_PALETTE_BINDING) if self.app.ENABLE_COMMAND_PALETTE else None
        palette = None
        if found is not None:
            _node, binding, enabled, _tooltip = found
            palette = (self.app.get_key_display(binding), binding.description, enabled, binding.key)
        if (items, palette) != (self._items, self._palette):
            self._items, self._palette = items, palette
            self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        spans = []
        for item in self._items:
            spans.append(self._append(text, item, key_style, description_style))
        if self._palette is not None:
            tail = Text(no_wrap=True, end="")
            tail.append("▏", style=key_style)
            a, b, key = self._append(tail, self._palette, key_style, description_style)
            gap = self.size.width - text.cell_len - tail.cell_len
            if gap > 0:
                start = text.cell_len + gap
                spans.append((start + a, start + b, key))
                text.append(" " * gap)
                text.append_text(tail)
        self._spans = spans
        return text

    @staticmethod
    def _append(text: Text, item: tuple[str, str, bool, str], key_style: Style, description_style: Style) -> tuple[int, int, str]:
        display, description, enabled, key = item
        if not enabled:
            key_style, description_style = key_style + DIM, description_style + DIM
        start = text.cell_len
        text.append(f" {display} ", style=key_style)
        if description:
            text.append(description + " ", style=description_style)
        return start, text.cell_len, key

    async def _on_click(self, event: Click) -> None:
        """Run the clicked key's action where its binding lives, as a key press would."""
        for start, end, key in self._spans:
            if start <= event.x < end:
                event.stop()
                active = self.screen.active_bindings.get(key)
                if active is None:
                    return
                namespace, binding, enabled, _tooltip = active
                if enabled:
                    await self.app.run_action(binding.action, namespace)
                else:
                    self.app.bell()
                return
