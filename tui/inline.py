"""Inline mode (``tui-chat --inline``, ``ui.inline``): the app runs below the shell
prompt, and on exit the conversation is printed, so it stays in the scrollback.

Textual's own inline exit would clear the app (or leave its last frame: a screenful
of widgets). What is worth keeping is the conversation, so that is printed instead,
as Markdown rendered by Rich, with model text cleaned of escape sequences.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .core.conversation import ChatMessage

HEIGHT_SOURCE = ("tui/inline.py", "inline height")


def fit_height(requested: int, rows: int) -> int:
    """The inline height that fits: one row is left for the shell's prompt line, since a
    taller app than the terminal would scroll its own top away."""
    return max(1, min(requested, rows - 1))


def apply_height(app: Any) -> None:
    """Size every screen (modals included) to the inline height, for the terminal as it is now."""
    ui = app.settings.ui if app.settings is not None else app.preview
    height = fit_height(ui.inline_height, app.size.height)
    if getattr(app, "_inline_height_applied", None) == height:
        return
    app._inline_height_applied = height
    css = f"Screen:inline {{ height: {height}; max-height: {height}; min-height: {height}; }}"
    app.stylesheet.add_source(css, read_from=HEIGHT_SOURCE, is_default_css=False)
    app.refresh_css(animate=False)


def print_transcript(messages: list[ChatMessage], console: Any = None) -> None:
    """The conversation as the scrollback should keep it. Model and tool text is untrusted:
    control sequences are stripped and it is rendered as Markdown, never as Rich markup."""
    from rich.console import Console
    from rich.markdown import Markdown
    from rich.text import Text

    from .core.sanitize import clean

    console = console or Console()
    for message in messages:
        if message.role == "user":
            console.print(Text("› ", style="bold cyan") + Text(clean(message.content)))
        elif message.role == "assistant":
            if message.content:
                console.print(Markdown(clean(message.content)))
            for call in message.tool_calls:
                name = clean(str(call.get("function", {}).get("name", "")))
                console.print(Text(f"  ↳ called {name}", style="dim"))
            if message.status not in ("", "complete"):
                console.print(Text(f"  ({clean(message.status)})", style="dim"))
        else:
            continue
        console.print()
