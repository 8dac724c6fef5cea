"""Model picker, per-chat settings, copying, MCP news and themes: the actions behind F4,
F9, Ctrl+Up and Alt+C, and the toast when an MCP server fails."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from . import messages as m
from .widgets.message_log import MessageLog
from .widgets.tool_sidebar import ToolSidebar


class ComfortActions:
    """Mixed into ChatApp, which provides the session, the settings and the widgets."""

    # -- model and per-chat settings -------------------------------------------
    def action_pick_model(self) -> None:
        from .core.client import make_client
        from .core.session_setup import needs_key
        from .core.models import ModelsUnavailable, list_models
        from .screens.model_picker import ModelPicker

        async def load() -> list[str]:
            if needs_key(self.settings, local=bool(self.local)):
                raise ModelsUnavailable("no API key is configured")
            settings = self.local.settings_for(self.settings) if self.local else self.settings
            if self.local:
                await self.local.server.start()
            client = make_client(settings)
            try:
                return await list_models(client.with_options(timeout=10.0, max_retries=0))
            finally:
                await client.close()

        def chosen(model: str | None) -> None:
            if model and model != self.session.model:
                self.session.set_model(model)
                self.notify(f"Model: {model} (from the next turn)", timeout=3, markup=False)

        self.push_screen(ModelPicker(self.session.model, load), chosen)

    def action_chat_settings(self) -> None:
        from dataclasses import replace

        from .screens.chat_settings import ChatSettingsScreen

        def saved(options) -> None:
            if options is not None:
                self.session.set_options(options)
                self.notify("Chat settings saved: they apply from the next request.", timeout=3)

        persistent = self.session.history.persistent
        self.push_screen(ChatSettingsScreen(replace(self.session.options), persistent=persistent), saved)

    # -- copying ---------------------------------------------------------------------
    def action_focus_log(self) -> None:
        log = self.query_one(MessageLog)
        log.focus()
        log.select_last()
        if log.selected < 0:
            self.notify("No messages yet.", timeout=2)

    def action_copy_code(self) -> None:
        from .core.blocks import code_blocks

        for message in reversed(self.session.messages):
            if message.role == "assistant":
                blocks = code_blocks(message.content)
                if blocks:
                    lang, code = blocks[-1]
                    self._copy(code, f"the last {lang or 'text'} code block")
                    return
        self.notify("No code block in this conversation yet.", timeout=3)

    def on_message_log_copy_requested(self, event: MessageLog.CopyRequested) -> None:
        self._copy(event.text, event.what)

    def on_tool_sidebar_copy_requested(self, event: ToolSidebar.CopyRequested) -> None:
        if event.item is None:
            self.notify("No tool call selected.", timeout=2)
            return
        self.copy_to_clipboard(event.item.call.arguments)
        self.notify("Arguments copied to the clipboard.", timeout=2)

    def on_mcpchanged(self, message: m.MCPChanged) -> None:
        """Named, not @on: this class is a mixin, and Textual collects @on only from the App class."""
        from .screens.mcp import MCPScreen

        for screen in self.screen_stack:
            if isinstance(screen, MCPScreen):
                screen.refresh_servers()
        if message.state == "failed":
            from .core.sanitize import clean

            self.notify(f"MCP server '{message.name}' failed: {clean(message.error)} — F3 for details", severity="warning", timeout=6, markup=False)

    def _copy(self, text: str, what: str) -> None:
        self.copy_to_clipboard(text)
        lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        self.notify(f"Copied {what} ({lines} line{'s' if lines != 1 else ''}) to the clipboard.", timeout=2, markup=False)

    # -- themes ------------------------------------------------------------------
    def _apply_theme(self, name: str) -> str:
        """Use the configured theme; an unknown name is a warning (returned), not a crash."""
        try:
            self.theme = name
        except Exception:  # noqa: BLE001 - Textual raises InvalidThemeError for an unknown name
            return (
                f"Unknown theme '{name}' (setting 'theme'); using textual-dark. "
                f"Available: {', '.join(sorted(self.available_themes))}."
            )
        return ""

    def _remember_theme(self, theme) -> None:
        """A theme picked in the palette is written to the config file, for next time."""
        from .core.settings import save_top_level

        path = self.settings.config_path
        if path is None or theme.name == self.settings.theme:
            return
        try:
            save_top_level(path, "theme", theme.name)
        except (OSError, ValueError) as exc:
            self.notify(f"Theme not saved to {path}: {exc}", severity="warning", markup=False)
            return
        self.settings.theme = theme.name

    # -- screens ------------------------------------------------------------------------
    def action_help(self) -> None:
        from .screens.help import HelpScreen  # screens load on first use, off the first frame

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_tools_screen(self) -> None:
        from .screens.mcp import MCPScreen

        if not isinstance(self.screen, MCPScreen):
            self.push_screen(MCPScreen(self.registry, self.mcp))

    # -- palette / help -------------------------------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.action not in ("quit",) and "(" not in binding.action:  # Alt+1..9: next/previous tab are here
                yield SystemCommand(binding.description, binding.tooltip, getattr(self, f"action_{binding.action}"))
        yield SystemCommand("New tab", "Another conversation beside this one (Ctrl+N when ui.tabs is on)", self.action_new_tab)
        yield SystemCommand("Edit the prompt in $EDITOR", "Open the prompt in $VISUAL / $EDITOR (Ctrl+E in the input)", self.action_open_editor)
        yield SystemCommand("Export as Markdown", "Write this conversation to tui-chat-ID.md here", lambda: self.action_export("md"))
        yield SystemCommand("Export as JSON", "Write this conversation (OpenAI messages + metadata) to tui-chat-ID.json", lambda: self.action_export("json"))
