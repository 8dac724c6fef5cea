"""Two small aids while a reply streams: the prompts queued behind it, and a marker that
says new text arrived below while the user reads further up."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.reactive import var
from textual.widgets import Static

from ..core.sanitize import clean


class QueuedPrompts(Static):
    """The queued prompts, dimmed, in the order they will go out."""

    DEFAULT_CSS = """
    QueuedPrompts { display: none; height: auto; max-height: 8; padding: 0 1 0 2; color: $text-muted; }
    QueuedPrompts.-shown { display: block; }
    """

    shown: var[bool] = var(False, toggle_class="-shown")
    """Whether any prompt is queued."""

    def __init__(self, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)
        self.texts: list[str] = []

    def _stop_key(self) -> str:
        key = getattr(self.app, "key", None)  # ChatApp.key: the stop key after the user's keymap
        return key("app.stop") if key else "Esc"

    def show(self, texts: list[str], paused: bool) -> None:
        self.texts = list(texts)
        self.shown = bool(texts)
        text = Text()
        for index, prompt in enumerate(texts):
            first = clean(prompt).strip().splitlines()[0] if prompt.strip() else ""
            text.append("queued ", style="italic")
            text.append(first[:200], style="dim")
            if index < len(texts) - 1:
                text.append("\n")
        if texts:
            hint = ("\n⏸ paused — Enter on an empty prompt (or r) sends the next one" if paused
                    else f"\n↑ on an empty prompt takes the last one back · {self._stop_key()} cancels it")
            text.append(hint, style="dim italic")
        self.update(text)


class NewTextMarker(Static):
    """"↓ new text below": shown while the log holds still above a streaming reply."""

    DEFAULT_CSS = """
    NewTextMarker { display: none; width: auto; height: 1; padding: 0 1; background: $accent 40%; color: $text; }
    NewTextMarker.-shown { display: block; }
    """

    shown: var[bool] = var(False, toggle_class="-shown")
    """Whether text arrived below the part of the log in view."""

    class Clicked(Message):
        """Follow the stream again."""

    def __init__(self, **kwargs) -> None:
        super().__init__("↓ new text below · End follows", markup=False, **kwargs)

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(self.Clicked())
