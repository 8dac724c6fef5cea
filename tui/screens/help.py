"""F1: every key, read from the bindings themselves (after the user's keymap), grouped by where it works."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..widgets.bound_keys import key_labels
from ..widgets.key_bar import KeyBar

INPUT_KEYS = [
    ("⏎", "Send the prompt (while a reply streams: queue it; empty: resume a paused queue)"),
    ("↑ / ↓", "Recall earlier prompts (on the first / last line); ↑ on an empty prompt takes back the last queued one"),
    ("esc", "On an empty prompt: cancel the last queued prompt"),
    ("tab", "After a / at the start: complete the slash command"),
]
"""Keys the input box handles itself rather than through a binding."""


def _sections() -> list[tuple[str, str | None, list]]:
    """(title, the app action that opens it, the classes whose BINDINGS work there).

    Bindings without a tooltip are internal helpers (focus moves, a tree's own toggle) and are left out.
    """
    from ..screens.chat_settings import ChatSettingsScreen
    from ..screens.confirm import ConfirmScreen
    from ..screens.history import HistoryScreen, TextPrompt, YesNo
    from ..screens.mcp import MCPScreen
    from ..screens.model_picker import ModelPicker
    from ..screens.tool_detail import ToolDetailScreen
    from ..widgets.error_banner import ErrorBanner
    from ..widgets.message_log import MessageLog
    from ..widgets.prompt_input import PromptInput
    from ..widgets.tool_sidebar import ToolSidebar

    return [
        ("Input box", None, [PromptInput]),
        ("Error banner (when focused)", None, [ErrorBanner]),
        ("Messages", "focus_log", [MessageLog]),
        ("Tool-call sidebar", "focus_tools", [ToolSidebar]),
        ("Tool-call details (⏎ in the sidebar)", None, [ToolDetailScreen]),
        ("Tool confirmation", None, [ConfirmScreen]),
        ("History", "history", [HistoryScreen]),
        ("History: the rename box", None, [TextPrompt]),
        ("History: delete this conversation?", None, [YesNo]),
        ("Tools and MCP servers", "tools_screen", [MCPScreen]),
        ("Model picker", "pick_model", [ModelPicker]),
        ("Chat settings", "chat_settings", [ChatSettingsScreen]),
        ("Help", "help", [HelpScreen]),
    ]


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 80; max-width: 95%; height: 85%; border: round $accent; background: $surface; padding: 0 1; }
    HelpScreen Static { margin-bottom: 1; }
    HelpScreen .title { text-align: center; }
    """

    BINDINGS = [Binding("escape,f1,q", "app.pop_screen", "Close", id="help.close", tooltip="Close the help")]

    def compose(self):
        sections = [("Everywhere", self._app_rows())]
        for title, opener, classes in _sections():
            rows = INPUT_KEYS.copy() if classes[0].__name__ == "PromptInput" else []
            for cls in classes:
                rows.extend(self._rows(cls.BINDINGS))
            keys = self._keys_for_action(opener) if opener else ""
            sections.append((f"{title} ({keys})" if keys else title, rows))
        from ..core.slash import COMMANDS

        sections.append(("Slash commands (a / at the start of the prompt; // sends a literal slash)",
                         [(command.usage, command.summary) for command in COMMANDS]))
        width = max(len(keys) for _title, rows in sections for keys, _ in rows)
        with VerticalScroll():
            yield Static(Text("Keys, as bound now (the keymap setting changes them)", style="bold"), classes="title")
            for title, rows in sections:
                if rows:
                    yield Static(self._table(title, rows, width))
        yield KeyBar()

    @staticmethod
    def _table(title: str, rows: list[tuple[str, str]], width: int) -> Table:
        table = Table(title=Text(title), title_justify="left", title_style="bold italic", expand=True,
                      show_edge=False, show_header=False, box=None, padding=(0, 1))
        table.add_column("Key", style="bold", no_wrap=True, width=width)
        table.add_column("Action", ratio=1)
        for keys, description in rows:
            table.add_row(Text(keys), Text(description))
        return table

    def _rows(self, bindings) -> list[tuple[str, str]]:
        rows = []
        for binding in bindings:
            if isinstance(binding, Binding) and binding.tooltip:
                rows.append((" / ".join(key_labels(self.app, binding)), binding.tooltip))
        return rows

    def _app_rows(self) -> list[tuple[str, str]]:
        app = self.app
        rows = self._rows(type(app).BINDINGS)
        if app.ENABLE_COMMAND_PALETTE:
            palette = Binding(app.COMMAND_PALETTE_BINDING, "command_palette", key_display=app.COMMAND_PALETTE_DISPLAY)
            rows.append((" / ".join(key_labels(app, palette)), "Command palette: every action by name; \"Theme\" picks a theme"))
        return rows

    def _keys_for_action(self, action: str) -> str:
        """The keys bound to one of the app's actions, as bound now."""
        for binding in type(self.app).BINDINGS:
            if isinstance(binding, Binding) and binding.action == action:
                return " / ".join(key_labels(self.app, binding))
        return ""
