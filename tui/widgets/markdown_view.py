"""Markdown that renders as it streams, at a cost per token that does not grow.

The reply is split into blocks (see :mod:`tui.core.blocks`). A finished block
is rendered once, at the current width, into cached lines; only the open block
at the end is rendered again as text arrives. The widget draws its lines
through the Line API, so Textual never re-renders or re-measures the settled
part: a long reply, or a log of hundreds of them, costs no more per frame than
a short one. Rich's Markdown renderable is used per block, and it treats the
text literally (no console markup).
"""

from __future__ import annotations

from time import perf_counter

from rich.console import RenderableType
from rich.segment import Segment
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from ..core.blocks import BlockSplitter
from ..core.sanitize import clean


HEIGHT_STEP = 4
SLICE = 0.005
"""While streaming, settled blocks are rendered for at most this many seconds per turn
of the event loop; the rest follow on the next turn. At wire speed one frame's text
can hold twenty blocks (about 25 ms of rendering), and a key press waiting behind
that is what the user feels."""


_MARKDOWN: type | None = None


def _markdown_class() -> type:
    """Rich's Markdown with one shared parser (building a parser costs more than parsing a
    block). Imported on first use: markdown-it and Pygments are not needed for the first frame."""
    global _MARKDOWN
    if _MARKDOWN is None:
        from markdown_it import MarkdownIt
        from rich.markdown import Markdown

        parser = MarkdownIt().enable("strikethrough").enable("table")

        class _Markdown(Markdown):
            def __init__(self, markup: str, code_theme: str) -> None:
                self.markup = markup
                self.parsed = parser.parse(markup)
                self.code_theme = code_theme
                self.justify = None
                self.style = "none"
                self.hyperlinks = False
                self.inline_code_lexer = None
                self.inline_code_theme = code_theme

        _MARKDOWN = _Markdown
    return _MARKDOWN


def render_block(block: str, code_theme: str) -> RenderableType:
    return _markdown_class()(clean(block), code_theme)


WARM_UP_SAMPLE = """# Title

Some *text* with `code`, a [link](https://example.com) and ~~this~~.

- item
1. item

> quote

| a | b |
|---|---|
| 1 | 2 |

```python
def f(x: int) -> int:
    return x
```

```bash
ls -la | grep x
```

```json
{"a": 1}
```

```javascript
const a = () => 1;
```
"""


def warm_up(code_theme: str = "monokai") -> None:
    """Render a sample off screen, so that the first reply does not pay for the imports
    (markdown-it, Rich's Markdown and Syntax, Pygments' lexers and style): about 0.1 s
    that would otherwise stall the first frames of a reply. Safe to run in a thread."""
    from io import StringIO

    from rich.console import Console

    Console(file=StringIO(), width=80, color_system="truecolor").render_lines(render_block(WARM_UP_SAMPLE, code_theme))


def _blank(line: list[Segment]) -> bool:
    return all(not seg.text.strip() and not (seg.style and seg.style.bgcolor) for seg in line)


def styled_line(cache: dict[int, Strip], lines: list[Strip], y: int, style, width: int) -> Strip:
    """Line ``y`` of ``lines`` in the widget's style and width, kept in ``cache`` (cleared
    by the caller when the style or width changes): a settled line is styled once."""
    strip = cache.get(y)
    if strip is None:
        strip = cache[y] = lines[y].apply_style(style).adjust_cell_length(width, style)
    return strip


class MarkdownView(Widget):
    """Streaming Markdown: ``append`` text as it arrives."""

    DEFAULT_CSS = """
    MarkdownView { height: auto; }
    """

    def __init__(self, text: str = "", *, code_theme: str = "monokai", **kwargs) -> None:
        super().__init__(**kwargs)
        self.code_theme = code_theme
        self.splitter = BlockSplitter()
        self._width = 0
        self._settled: list[Strip] = []  # lines of every settled block, blank lines between
        self._rendered_blocks = 0
        self._tail: list[Strip] = []
        self._tail_text = ""
        self._height = 0
        self.streaming = False
        """While True, the height grows in steps of HEIGHT_STEP lines (see ``_layout_height``)."""
        self._styled: dict[int, Strip] = {}
        self._styled_tail: dict[int, Strip] = {}  # settled lines with the widget's style applied
        self._style_key: object = None
        if text:
            self.splitter.feed(text)

    @property
    def text(self) -> str:
        return self.splitter.text

    def append(self, piece: str) -> None:
        if not piece:
            return
        self.splitter.feed(piece)
        if not self._behind:
            self._update()

    _behind = False
    """Settled blocks are waiting to be rendered (a catch-up is scheduled). Meanwhile the
    screen keeps what it showed, and nothing is refreshed: one frame when caught up."""
    _first_changed: int | None = None

    def _update(self) -> None:
        if self._first_changed is None:
            self._first_changed = len(self._settled)
        self._behind = False
        if self._width:
            deadline = perf_counter() + SLICE if self.streaming else None
            if not self._render_new_blocks(deadline):
                self._behind = True
                self.call_later(self._update)
                return
            self._render_tail()
        first_changed, self._first_changed = self._first_changed, None
        height = self._layout_height()
        if height != self._height:
            self._relayout(height)
        else:
            # Only the open block (and any newly settled lines) changed.
            first = max(0, min(first_changed, height) - 1)
            self.refresh(Region(0, first, self._width or self.size.width, height - first))

    def finish(self) -> None:
        """The reply is complete: drop the streaming slack at the bottom."""
        self.streaming = False
        height = self._layout_height()
        if height != self._height:
            self._relayout(height)

    def _relayout(self, height: int) -> None:
        self._height = height
        # Textual 8.2 keys its box-model cache on _layout_updates, and refresh(layout=True)
        # does not bump it while an earlier layout request is pending. If a reflow ran in
        # between (caching the old height), the new height was never measured and the
        # reply's last lines stayed off screen. Bump it every time.
        self._layout_updates += 1
        self.refresh(layout=True)

    def _layout_height(self) -> int:
        """The height to lay out. While streaming it grows in steps, so that the
        widget (and the whole log) is re-laid out and repainted once every few
        lines instead of on every line."""
        height = self._total_height()
        if self.streaming and height:
            height = -(-height // HEIGHT_STEP) * HEIGHT_STEP
        return height

    # -- rendering --------------------------------------------------------
    def _render(self, block: str) -> list[Strip]:
        if not block.strip():
            return []
        options = self.app.console_options.update(width=self._width, height=None, highlight=False)
        lines = self.app.console.render_lines(render_block(block, self.code_theme), options, pad=False)
        start, end = 0, len(lines)
        while start < end and _blank(lines[start]):
            start += 1
        while end > start and _blank(lines[end - 1]):
            end -= 1
        return [Strip(line) for line in lines[start:end]]

    def _render_new_blocks(self, deadline: float | None = None) -> bool:
        """Render the blocks that settled since last time; False if the deadline cut it short."""
        blocks = self.splitter.blocks
        while self._rendered_blocks < len(blocks):
            if deadline is not None and perf_counter() > deadline:
                return False
            block = blocks[self._rendered_blocks]
            if self._settled:
                self._settled.append(Strip.blank(0))
            # A block that just settled was usually the open block last frame.
            lines = self._tail if block == self._tail_text and self._tail_text else self._render(block)
            self._settled.extend(lines)
            self._rendered_blocks += 1
        return True

    def _render_tail(self) -> None:
        tail = self.splitter.tail
        if tail != self._tail_text:
            self._tail_text = tail
            self._tail = self._render(tail)
            self._styled_tail.clear()

    def _ensure_width(self, width: int) -> None:
        if width and width != self._width:
            self._width = width
            self._settled = []
            self._styled.clear()
            self._styled_tail.clear()
            self._rendered_blocks = 0
            self._tail_text = ""
            self._tail = []
            # All at once, even while streaming: a partial height here would change the
            # log's scrollbar, hence the width, and start this over.
            self._render_new_blocks()
            self._render_tail()

    def _total_height(self) -> int:
        gap = 1 if self._settled and self._tail else 0
        return len(self._settled) + gap + len(self._tail)

    def lines(self) -> list[Strip]:
        """Every line, unstyled: the settled blocks, then the open one."""
        gap = [Strip.blank(0)] if self._settled and self._tail else []
        return self._settled + gap + self._tail

    # -- Textual hooks ------------------------------------------------------
    def on_resize(self) -> None:
        self._ensure_width(self.size.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._ensure_width(width)
        self._height = self._layout_height()
        return self._height

    def render_lines(self, crop: Region) -> list[Strip]:
        # The widget's style is the same for every line of one pass, and computing
        # it (from every ancestor's background) costs more than drawing a cached line.
        self._pass_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._pass_style = None

    _pass_style = None

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        self._ensure_width(width)
        style = self._pass_style or self.rich_style
        if style != self._style_key:
            self._style_key = style
            self._styled.clear()
            self._styled_tail.clear()
        settled = len(self._settled)
        if y < settled:
            return styled_line(self._styled, self._settled, y, style, width)
        y -= settled + (1 if self._settled and self._tail else 0)
        if self._behind or not 0 <= y < len(self._tail):  # the old tail may have settled already
            return Strip.blank(width, style)
        return styled_line(self._styled_tail, self._tail, y, style, width)
