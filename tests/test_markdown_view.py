"""Streaming Markdown renders exactly like the same text rendered at once."""

import random

from hypothesis import given, settings, strategies as st
from textual.app import App

from tests.sse_server import MARKDOWN_TEXT
from tui.core.blocks import BlockSplitter, split_blocks
from tui.widgets.markdown_view import MarkdownView

DOC = "\n\n".join([
    MARKDOWN_TEXT,
    "1. first\n2. second\n\n3. third after a gap",
    "| name | value |\n|------|-------|\n| a | 1 |\n| b | 2 |",
    "> a quote\n> over two lines",
    "~~~\nraw fence\n\n\nwith blank lines\n~~~",
    "```js\nconst x = 1;\n```\nText right after a fence.",
    "Final paragraph with `code` and **bold** and a [link](http://example.com).",
] * 3)


def render(view: MarkdownView) -> list[str]:
    return [strip.text for strip in view.lines()]


class Host(App):
    def compose(self):
        yield MarkdownView(id="a")
        yield MarkdownView(id="b")


async def test_random_splits_render_like_one_shot():
    rng = random.Random(1234)
    app = Host()
    async with app.run_test(size=(80, 40)) as pilot:
        streamed, whole = app.query_one("#a", MarkdownView), app.query_one("#b", MarkdownView)
        whole.append(DOC)
        i = 0
        while i < len(DOC):
            n = rng.choice([1, 1, 2, 3, 7, 40])
            streamed.append(DOC[i : i + n])
            i += n
        await pilot.pause()
        assert streamed.text == whole.text == DOC
        assert len(streamed.splitter.blocks) > 20
        assert render(streamed) == render(whole)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=400))
def test_block_split_points_do_not_depend_on_chunking(sizes):
    splitter = BlockSplitter()
    i = 0
    for size in sizes:
        splitter.feed(DOC[i : i + size])
        i += size
    splitter.feed(DOC[i:])
    assert splitter.blocks + ([splitter.tail] if splitter.tail.strip() else []) == split_blocks(DOC)


def test_fences_keep_blank_lines_inside_one_block():
    blocks = split_blocks("intro\n\n```\na\n\n\nb\n```\nafter")
    assert blocks == ["intro", "```\na\n\n\nb\n```", "after"]


async def test_open_tail_block_renders_every_line_on_screen():
    """The open block is rendered with a fixed height by Textual; trimming must not crop it."""
    from tests.helpers import screen_text

    app = Host()
    async with app.run_test(size=(80, 20)) as pilot:
        view = app.query_one("#a", MarkdownView)
        view.append("Intro\n\n- first item\n- second item\n- third item")
        await pilot.pause()
        text = screen_text(app)
        assert "• first item" in text and "• third item" in text
        view.append("\n\n> a quoted line")
        await pilot.pause()
        text = screen_text(app)
        assert "▌ a quoted line" in text and "• third item" in text


async def test_time_sliced_rendering_catches_up_to_the_one_shot_render(monkeypatch):
    """While streaming, settled blocks render a slice at a time; the result is the same."""
    import tui.widgets.markdown_view as mv

    monkeypatch.setattr(mv, "SLICE", 0.0)  # at most one block per turn of the event loop
    rng = random.Random(99)
    app = Host()
    async with app.run_test(size=(80, 40)) as pilot:
        streamed, whole = app.query_one("#a", MarkdownView), app.query_one("#b", MarkdownView)
        streamed.streaming = True
        whole.append(DOC)
        i, behind_seen = 0, False
        while i < len(DOC):
            n = rng.choice([40, 200, 900])
            streamed.append(DOC[i : i + n])
            behind_seen |= streamed._behind
            i += n
        assert behind_seen, "big pieces should leave settled blocks for later turns"
        streamed.finish()
        for _ in range(200):
            await pilot.pause()
            if not streamed._behind:
                break
        assert not streamed._behind
        assert render(streamed) == render(whole)
        assert streamed.size.height == len(render(whole))


async def test_a_new_height_is_laid_out_even_if_a_reflow_ran_while_a_layout_was_pending():
    """Textual caches a widget's box model on a counter that refresh(layout=True) does not bump
    while a layout is pending; a reflow in that window used to freeze the old height (the
    reply's last lines stayed off screen)."""
    app = Host()
    async with app.run_test(size=(80, 30)) as pilot:
        view, other = app.query_one("#a", MarkdownView), app.query_one("#b", MarkdownView)
        view.append("one\n\ntwo")
        await pilot.pause()
        view.append("\n\nthree")  # a layout request is now pending for the view...
        other.append("another widget")  # ...when another widget asks for one too
        other._check_refresh()  # its request is handled first, and a reflow measures every widget
        app.screen._refresh_layout()
        view.append("\n\nfour\n\nfive")  # the height changes again, the first request still pending
        await pilot.pause()
        await pilot.pause()
        assert view.size.height == len(render(view)) == 9
