"""The command palette's entries beyond Textual's own: every key of the app, and the
actions that only the palette (or a slash command) reaches."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.binding import Binding

if TYPE_CHECKING:
    from .app import ChatApp


def chat_commands(app: ChatApp) -> Iterable[SystemCommand]:
    for binding in app.BINDINGS:
        if isinstance(binding, Binding) and binding.action not in ("quit",) and "(" not in binding.action:  # Alt+1..9: next/previous tab are here
            yield SystemCommand(binding.description, binding.tooltip, getattr(app, f"action_{binding.action}"))
    yield SystemCommand("New tab", "Another conversation beside this one (Ctrl+N when ui.tabs is on)", app.action_new_tab)
    yield SystemCommand("Edit the prompt in $EDITOR", "Open the prompt in $VISUAL / $EDITOR (Ctrl+E in the input)", app.action_open_editor)
    yield SystemCommand("Export as Markdown", "Write this conversation to tui-chat-ID.md here", lambda: app.action_export("md"))
    yield SystemCommand("Export as JSON", "Write this conversation (OpenAI messages + metadata) to tui-chat-ID.json", lambda: app.action_export("json"))
