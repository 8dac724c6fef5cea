"""The reasoning block: plain text that streams in, at a cost per flush that does not grow.

Every line that has ended (a newline arrived) is sanitised and rendered once, at the
current width, into cached rows; only the open line at the end is done again when
text arrives. The rows are drawn through the Line API, like the reply's MarkdownView.
A width change renders everything once more. The text is shown literally (never markup).
"""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

from ..core.sanitize import clean
from .markdown_view import styled_line


class ReasoningView(Widget):
    """Streaming plain text: ``append`` pieces as they arrive."""

    DEFAULT_CSS = """
    ReasoningView { height: auto; }
    """

    def __init__(self, text: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.text = text
        """Everything received so far, raw."""
        self._width = 0
        self._settled: list[Strip] = []  # rows of the lines that have ended
        self._settled_upto = 0  # self.text[:_settled_upto] is in _settled
        self._tail: list[Strip] = []
        self._tail_text = ""
        self._styled: dict[int, Strip] = {}
        self._style_key: object = None

    def append(self, piece: str) -> None:
        if not piece:
            return
        self.text += piece
        if self._width:
            height = self._height()
            self._render_new()
            if self._height() != height:
                self._layout_updates += 1  # see MarkdownView._relayout: Textual 8.2 may skip the re-measure
                self.refresh(layout=True)
            else:
                self.refresh()

    def _render_new(self) -> None:
        """Render the lines that ended since last time, then the open line again."""
        end = self.text.rfind("\n") + 1
        if end > self._settled_upto:
            ended = self.text[self._settled_upto:end - 1].removesuffix("\r")
            # The line that just ended was usually the open line last time.
            self._settled.extend(self._tail if ended == self._tail_text and self._tail else self._render(ended))
            self._settled_upto = end
        tail = self.text[self._settled_upto:]
        if tail != self._tail_text:
            self._tail_text = tail
            self._tail = self._render(tail) if tail else []
        self._styled = {y: strip for y, strip in self._styled.items() if y < len(self._settled)}

    def _render(self, text: str) -> list[Strip]:
        """Rows for whole lines of text; every line gets at least one row, empty or not."""
        options = self.app.console_options.update(width=self._width, height=None, highlight=False)
        rows: list[Strip] = []
        for line in clean(text).split("\n"):
            if line:
                rows.extend(Strip(row) for row in self.app.console.render_lines(Text(line, end=""), options, pad=False))
            else:
                rows.append(Strip.blank(0))
        return rows

    def _ensure_width(self, width: int) -> None:
        if width and width != self._width:
            self._width = width
            self._settled, self._settled_upto, self._tail, self._tail_text = [], 0, [], ""
            self._styled.clear()
            self._render_new()

    def _height(self) -> int:
        return len(self._settled) + len(self._tail)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._ensure_width(width)
        return self._height()

    def on_resize(self) -> None:
        self._ensure_width(self.size.width)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        self._ensure_width(width)
        style = self.rich_style
        if style != self._style_key:
            self._style_key = style
            self._styled.clear()
        settled = len(self._settled)
        if y < settled:
            return styled_line(self._styled, self._settled, y, style, width)
        y -= settled
        if not 0 <= y < len(self._tail):
            return Strip.blank(width, style)
        return self._tail[y].apply_style(style).adjust_cell_length(width, style)
