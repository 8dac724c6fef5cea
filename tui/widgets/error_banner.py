"""The banner above the input that says what failed and what to do."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import var
from textual.widgets import Static

from ..core.errors import Failure
from .bound_keys import key_labels


class ErrorBanner(Static, can_focus=True):
    """Shows one :class:`Failure`. ``r`` retries (when that can help), ``x`` or Escape dismisses."""

    DEFAULT_CSS = """
    ErrorBanner {
        display: none; height: auto; padding: 0 1; margin: 0 0;
        background: $error 25%; border-left: thick $error; color: $text;
    }
    ErrorBanner.-visible { display: block; }
    ErrorBanner:focus { background: $error 40%; }
    """

    BINDINGS = [
        Binding("r", "retry", "Retry", id="banner.retry", tooltip="Send the failed turn again"),
        Binding("x,escape", "dismiss", "Dismiss", id="banner.dismiss", tooltip="Hide the error banner"),
    ]

    visible: var[bool] = var(False, toggle_class="-visible")
    """Whether the banner is shown."""

    class RetryRequested(Message):
        """The user asked to retry from the banner."""

    class Dismissed(Message):
        """The banner was dismissed."""

    def __init__(self, **kwargs) -> None:
        super().__init__("", markup=False, **kwargs)
        self.failure: Failure | None = None

    def show(self, failure: Failure, *, note: str = "") -> None:
        """``note``: a line of ours under the hint (e.g. that the prompt queue is paused)."""
        self.failure = failure
        text = Text()
        text.append("⚠ " + failure.title, style="bold")
        if failure.detail:
            text.append(f"  {failure.detail}")
        text.append("\n" + failure.hint)
        if note:
            text.append("\n" + note, style="italic")
        offered = [self._offer(binding) for binding in self.BINDINGS if self.check_action(binding.action, ())]
        text.append("   " + "  ".join(offered), style="dim")
        self.update(text)
        self.visible = True
        self.refresh_bindings()

    def _offer(self, binding: Binding) -> str:
        """``[key] what``, with the key as bound now (after the user's keymap)."""
        return f"[{key_labels(self.app, binding)[0]}] {binding.description.lower()}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Retrying cannot help every failure (no API key, a broken history file): then it is not offered."""
        if action == "retry":
            return self.failure is not None and self.failure.retryable
        return True

    def hide(self) -> None:
        self.failure = None
        self.visible = False

    def action_retry(self) -> None:
        self.post_message(self.RetryRequested())

    def action_dismiss(self) -> None:
        self.hide()
        self.post_message(self.Dismissed())
