"""Markdown that renders as it streams, at a cost per token that does not grow.

Finished blocks are rendered once into small static segments; only the open
block at the end is re-rendered as text arrives. Rich's Markdown renderable is
used per block, which treats the text literally (no console markup).
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.markdown import Markdown
from rich.segment import Segment
from rich.text import Text
from textual.containers import Vertical
from textual.widgets import Static

from ..core.blocks import BlockSplitter
from ..core.sanitize import clean

BLOCKS_PER_SEGMENT = 8


class _Trimmed:
    """A block without the blank lines Rich puts around some elements.

    Rendered alone, a list or quote starts with an empty line; trimming makes
    the spacing between blocks uniform, whatever the block type.
    """

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = console.render_lines(self.renderable, options.update(height=None), pad=False)
        start, end = 0, len(lines)
        while start < end and _blank(lines[start]):
            start += 1
        while end > start and _blank(lines[end - 1]):
            end -= 1
        new_line = Segment.line()
        for line in lines[start:end]:
            yield from line
            yield new_line


def _blank(line: list[Segment]) -> bool:
    return all(not seg.text.strip() and not (seg.style and seg.style.bgcolor) for seg in line)


def render_block(block: str, code_theme: str) -> RenderableType:
    return _Trimmed(Markdown(clean(block), code_theme=code_theme, hyperlinks=False))


def render_blocks(blocks: list[str], code_theme: str) -> RenderableType:
    parts: list[RenderableType] = []
    for index, block in enumerate(blocks):
        if index:
            parts.append(Text(""))
        parts.append(render_block(block, code_theme))
    return Group(*parts)


class MarkdownView(Vertical):
    """Streaming Markdown: ``append`` text, then ``finish``."""

    DEFAULT_CSS = """
    MarkdownView { height: auto; }
    MarkdownView > .md-segment { height: auto; margin-bottom: 1; }
    MarkdownView > .md-tail { height: auto; }
    MarkdownView > .md-tail.-empty { display: none; }
    """

    def __init__(self, text: str = "", *, code_theme: str = "monokai", **kwargs) -> None:
        super().__init__(**kwargs)
        self.code_theme = code_theme
        self.splitter = BlockSplitter()
        self._segments: list[Static] = []
        self._tail = Static("", classes="md-tail -empty", markup=False)
        self._initial = text

    def compose(self):
        yield self._tail

    def on_mount(self) -> None:
        if self._initial:
            self.append(self._initial)
            self._initial = ""

    @property
    def text(self) -> str:
        return self.splitter.text

    def append(self, piece: str) -> None:
        if not piece:
            return
        if self.splitter.feed(piece):
            self._update_segments()
        tail = self.splitter.tail
        self._tail.set_class(not tail.strip(), "-empty")
        self._tail.update(render_block(tail, self.code_theme) if tail.strip() else "")

    def _update_segments(self) -> None:
        blocks = self.splitter.blocks
        first_dirty = len(self._segments) - 1 if self._segments else 0
        needed = (len(blocks) + BLOCKS_PER_SEGMENT - 1) // BLOCKS_PER_SEGMENT
        for index in range(max(first_dirty, 0), needed):
            chunk = blocks[index * BLOCKS_PER_SEGMENT : (index + 1) * BLOCKS_PER_SEGMENT]
            renderable = render_blocks(chunk, self.code_theme)
            if index < len(self._segments):
                segment = self._segments[index]
                if getattr(segment, "_block_count", 0) != len(chunk):
                    segment.update(renderable)
            else:
                segment = Static(renderable, classes="md-segment", markup=False)
                self._segments.append(segment)
                self.mount(segment, before=self._tail)
            segment._block_count = len(chunk)  # type: ignore[attr-defined]
