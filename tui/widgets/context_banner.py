"""The banner that says the conversation does not fit the model's window, and offers
the three ways on: compact, drop the oldest turns, or send anyway."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import var
from textual.widgets import Static

from .bound_keys import key_labels


class ContextBanner(Static, can_focus=True):
    DEFAULT_CSS = """
    ContextBanner {
        display: none; height: auto; padding: 0 1;
        background: $warning 20%; border-left: thick $warning; color: $text;
    }
    ContextBanner.-visible { display: block; }
    ContextBanner:focus { background: $warning 35%; }
    """

    BINDINGS = [
        Binding("c", "choose('compact')", "Compact", id="context.compact",
                tooltip="Summarise the earlier turns, then send (the originals stay in history)"),
        Binding("d", "choose('drop')", "Drop oldest turns", id="context.drop",
                tooltip="Leave the oldest turns out of requests, then send"),
        Binding("s", "choose('send')", "Send anyway", id="context.send", tooltip="Send as it is"),
        Binding("x,escape", "dismiss", "Dismiss", id="context.dismiss", tooltip="Hide the banner; the prompt stays"),
    ]

    visible: var[bool] = var(False, toggle_class="-visible")
    """Whether the banner is shown."""

    @dataclass
    class Chosen(Message):
        banner: ContextBanner
        choice: str
        """compact / drop / send"""

        @property
        def control(self) -> ContextBanner:
            return self.banner

    class Dismissed(Message):
        """Hidden without a choice."""

    def __init__(self, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)

    def show(self, message: str) -> None:
        text = Text()
        text.append("⚠ " + message, style="bold")
        offered = [f"[{key_labels(self.app, b)[0]}] {b.description.lower()}" for b in self.BINDINGS]
        text.append("\n" + "  ".join(offered), style="dim")
        self.update(text)
        self.visible = True

    def hide(self) -> None:
        self.visible = False

    def action_choose(self, choice: str) -> None:
        self.hide()
        self.post_message(self.Chosen(self, choice))

    def action_dismiss(self) -> None:
        self.hide()
        self.post_message(self.Dismissed())
