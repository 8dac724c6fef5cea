"""Split streamed Markdown into blocks that can be rendered once and kept.

A block ends at a blank line outside a code fence, or at a closing fence. The
split points depend only on the text, never on how it was chunked, so a reply
rendered while streaming looks exactly like the same text rendered at once.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


class BlockSplitter:
    """Feed text; ``settled`` grows with finished blocks, ``tail`` is the open one."""

    def __init__(self) -> None:
        self.text = ""
        self.blocks: list[str] = []
        self._start = 0  # where the open block starts
        self._scan = 0  # start of the first line not yet scanned
        self._fence: str | None = None

    def feed(self, piece: str) -> int:
        """Add text; returns how many blocks were settled by it."""
        self.text += piece
        before = len(self.blocks)
        text = self.text
        while True:
            end = text.find("\n", self._scan)
            if end == -1:
                break
            line = text[self._scan : end]
            self._scan = end + 1
            self._line(line)
        return len(self.blocks) - before

    def _line(self, line: str) -> None:
        match = _FENCE.match(line)
        if self._fence is not None:
            if match and match.group(1)[0] == self._fence[0] and len(match.group(1)) >= len(self._fence) and not line.strip(" `~"):
                self._fence = None
                self._settle()
            return
        if match:
            if self._scan - len(line) - 1 > self._start and self.text[self._start : self._scan - len(line) - 1].strip():
                self._settle_at(self._scan - len(line) - 1)
            self._fence = match.group(1)
            return
        if not line.strip():
            self._settle()

    def _settle(self) -> None:
        self._settle_at(self._scan)

    def _settle_at(self, end: int) -> None:
        block = self.text[self._start : end]
        if block.strip():
            self.blocks.append(block.strip("\n"))
        self._start = end

    @property
    def tail(self) -> str:
        return self.text[self._start :].strip("\n")


def split_blocks(text: str) -> list[str]:
    """All blocks of a finished text, the tail included."""
    splitter = BlockSplitter()
    splitter.feed(text)
    return splitter.blocks + ([splitter.tail] if splitter.tail.strip() else [])


def code_blocks(markdown: str) -> list[tuple[str, str]]:
    """The fenced and indented code blocks of a Markdown text, as (language, code)."""
    from markdown_it import MarkdownIt

    found = []
    for token in MarkdownIt().parse(markdown):
        if token.type in ("fence", "code_block"):
            found.append(((token.info or "").strip().split(" ")[0], token.content))
    return found
