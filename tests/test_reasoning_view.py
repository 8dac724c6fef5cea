"""The reasoning block streams at a cost per flush that does not grow with its length."""

import random

from textual.app import App

from tests.helpers import screen_text
from tui.widgets import message_log
from tui.widgets.message_log import AssistantMessage

LINES = [f"Step {i}: weigh option {i % 7} against the last one, then move on." for i in range(150)]
THOUGHTS = "\n".join(LINES)


class Host(App):
    def compose(self):
        yield AssistantMessage()


def _count_cleaned(monkeypatch) -> list[int]:
    """Count the characters sanitised for the reasoning, wherever the widget does it."""
    from tui.core.sanitize import clean

    cleaned = [0]

    def counting(text: str) -> str:
        cleaned[0] += len(text)
        return clean(text)

    monkeypatch.setattr(message_log, "clean", counting)
    try:
        from tui.widgets import reasoning_view
    except ImportError:  # the old code has no reasoning_view module
        return cleaned
    monkeypatch.setattr(reasoning_view, "clean", counting)
    return cleaned


def _rows(widget) -> list[str]:
    return [strip.text.rstrip() for strip in widget._settled + widget._tail]


async def test_reasoning_is_sanitised_once_per_line_not_whole_per_flush(monkeypatch):
    cleaned = _count_cleaned(monkeypatch)
    app = Host()
    async with app.run_test(size=(100, 200)) as pilot:
        reply = app.query_one(AssistantMessage)
        for i, line in enumerate(LINES):
            reply.append_reasoning(("\n" if i else "") + line)
            if i % 10 == 0:
                await pilot.pause()
        await pilot.pause()
        text = screen_text(app)
        assert LINES[0] in text and LINES[-1] in text
        # Whole-text re-sanitising costs ~ len * flushes / 2 (about 75x the text here).
        assert cleaned[0] <= 3 * len(THOUGHTS), f"{cleaned[0]} characters sanitised for {len(THOUGHTS)}"
        assert reply.reasoning == THOUGHTS


async def test_rendered_rows_are_kept_and_only_new_text_is_rendered(monkeypatch):
    from tui.widgets.reasoning_view import ReasoningView

    rendered = [0]
    original = ReasoningView._render

    def counting(self, text: str):
        rendered[0] += len(text)
        return original(self, text)

    monkeypatch.setattr(ReasoningView, "_render", counting)
    app = Host()
    async with app.run_test(size=(100, 200)) as pilot:
        reply = app.query_one(AssistantMessage)
        reply.append_reasoning(LINES[0] + "\n")
        await pilot.pause()
        view = app.query_one(ReasoningView)
        first = view._settled[0]
        for line in LINES[1:]:
            for piece in (line[:20], line[20:], "\n"):
                reply.append_reasoning(piece)
        await pilot.pause()
        assert view._settled[0] is first
        assert rendered[0] <= 2 * len(THOUGHTS)


async def test_streamed_reasoning_renders_like_the_whole_text_and_literally():
    from tui.widgets.reasoning_view import ReasoningView

    hostile = "Plan [bold]x[/bold] \x1b]52;c;SGVsbG8=\x07and \x1b[31mred\x1b[0m.\nNext\tline\r\nlast"
    text = THOUGHTS[:2000] + "\n\n" + hostile

    class Two(App):
        def compose(self):
            yield ReasoningView(id="streamed")
            yield ReasoningView(text, id="whole")

    app = Two()
    async with app.run_test(size=(60, 400)) as pilot:
        streamed = app.query_one("#streamed", ReasoningView)
        await pilot.pause()
        rng, at = random.Random(7), 0
        while at < len(text):
            step = rng.randint(1, 40)
            streamed.append(text[at:at + step])
            at += step
        await pilot.pause()
        whole = app.query_one("#whole", ReasoningView)
        assert _rows(streamed) == _rows(whole)
        shown = "\n".join(_rows(streamed))
        assert "[bold]x[/bold]" in shown and "\x1b" not in shown and "SGVsbG8" not in shown
        await pilot.resize_terminal(40, 400)
        await pilot.pause()
        assert max(len(row) for row in _rows(streamed)) <= 40
        assert _rows(streamed) == _rows(whole)
