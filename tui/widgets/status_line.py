"""One line: model @ host, the streaming state, and the last reply's usage."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


class StatusLine(Static):
    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    """

    model: reactive[str] = reactive("")
    """Model id of the next request."""
    host: reactive[str] = reactive("")
    """Endpoint host (never the key)."""
    state: reactive[str] = reactive("ready")
    """ready / streaming / stopped / failed ..."""
    usage: reactive[str] = reactive("")
    """Token counts (and cost) of the last reply."""
    hint: reactive[str] = reactive("")
    """A transient hint, e.g. why a send was refused."""
    note: reactive[str] = reactive("")
    """A lasting note about the session, e.g. that the local model is in use."""

    context: reactive[str] = reactive("")
    """The context meter, e.g. ``ctx 12.3k/128k`` (the session's count)."""
    context_warning: reactive[bool] = reactive(False)
    """Past context.warn_at of the window: the meter turns to warning colours."""

    calls: reactive[int] = reactive(0)
    """Tool calls in this conversation (shown as a badge when the sidebar is hidden)."""
    sidebar_hidden: reactive[bool] = reactive(False)
    """True when the sidebar is collapsed (narrow terminal, or toggled off)."""

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.sidebar_hidden and self.calls:
            text.append(f" ⚙ {self.calls} ", style="reverse bold")
            text.append(" ")
        text.append(self.model, style="bold")
        text.append(f" @ {self.host}")
        text.append("  ·  ")
        text.append(self.state, style="bold red" if self.state == "failed" else "bold")
        if self.hint:
            text.append("  ·  " + self.hint, style="italic")
        if self.note:
            text.append("  ·  " + self.note, style="dim")
        if self.context:
            text.append("  ·  ")
            text.append(f" {self.context} " if self.context_warning else self.context,
                        style="bold black on yellow" if self.context_warning else "")
        if self.usage:
            text.append("  ·  " + self.usage)
        return text
