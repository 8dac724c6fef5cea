"""Model picker, per-chat settings, copying, MCP news and the help and tools screens:
the actions behind F4, F9, Ctrl+Up, Alt+C, F1 and F3, and the toast when an MCP server fails."""

from __future__ import annotations

from . import messages as m
from .widgets.message_log import MessageLog
from .widgets.tool_sidebar import ToolSidebar


class Comforts:
    """Screens and the clipboard; what they change is the session's (``set_model``,
    ``set_options``)."""

    def __init__(self, app) -> None:
        self.app = app

    # -- model and per-chat settings -------------------------------------------
    def pick_model(self) -> None:
        from .core.client import make_client
        from .core.session_setup import needs_key
        from .core.models import ModelsUnavailable, list_models
        from .screens.model_picker import ModelPicker

        app = self.app

        async def load() -> list[str]:
            if needs_key(app.settings, local=bool(app.local)):
                raise ModelsUnavailable("no API key is configured")
            settings = app.local.settings_for(app.settings) if app.local else app.settings
            if app.local:
                await app.local.server.start()
            client = make_client(settings)
            try:
                return await list_models(client.with_options(timeout=10.0, max_retries=0))
            finally:
                await client.close()

        def chosen(model: str | None) -> None:
            if model and model != app.session.model:
                app.session.set_model(model)
                app.notify(f"Model: {model} (from the next turn)", timeout=3, markup=False)

        app.push_screen(ModelPicker(app.session.model, load), chosen)

    def chat_settings(self) -> None:
        from dataclasses import replace

        from .screens.chat_settings import ChatSettingsScreen

        app = self.app

        def saved(options) -> None:
            if options is not None:
                app.session.set_options(options)
                app.notify("Chat settings saved: they apply from the next request.", timeout=3)

        persistent = app.session.history.persistent
        app.push_screen(ChatSettingsScreen(replace(app.session.options), persistent=persistent), saved)

    # -- copying ---------------------------------------------------------------------
    def focus_log(self) -> None:
        log = self.app.query_one(MessageLog)
        log.focus()
        log.select_last()
        if log.selected < 0:
            self.app.notify("No messages yet.", timeout=2)

    def copy_code(self) -> None:
        from .core.blocks import code_blocks

        for message in reversed(self.app.session.messages):
            if message.role == "assistant":
                blocks = code_blocks(message.content)
                if blocks:
                    lang, code = blocks[-1]
                    self._copy(code, f"the last {lang or 'text'} code block")
                    return
        self.app.notify("No code block in this conversation yet.", timeout=3)

    def copy_message(self, event: MessageLog.CopyRequested) -> None:
        self._copy(event.text, event.what)

    def copy_arguments(self, event: ToolSidebar.CopyRequested) -> None:
        if event.item is None:
            self.app.notify("No tool call selected.", timeout=2)
            return
        self.app.copy_to_clipboard(event.item.call.arguments)
        self.app.notify("Arguments copied to the clipboard.", timeout=2)

    def _copy(self, text: str, what: str) -> None:
        self.app.copy_to_clipboard(text)
        lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        self.app.notify(f"Copied {what} ({lines} line{'s' if lines != 1 else ''}) to the clipboard.", timeout=2, markup=False)

    # -- screens ------------------------------------------------------------------------
    def mcp_changed(self, message: m.MCPChanged) -> None:
        from .screens.mcp import MCPScreen

        app = self.app
        for screen in app.screen_stack:
            if isinstance(screen, MCPScreen):
                screen.refresh_servers()
        if message.state == "failed":
            from .core.sanitize import clean

            app.notify(f"MCP server '{message.name}' failed: {clean(message.error)} — F3 for details", severity="warning", timeout=6, markup=False)

    def help(self) -> None:
        from .screens.help import HelpScreen  # screens load on first use, off the first frame

        if not isinstance(self.app.screen, HelpScreen):
            self.app.push_screen(HelpScreen())

    def tools_screen(self) -> None:
        from .screens.mcp import MCPScreen

        if not isinstance(self.app.screen, MCPScreen):
            self.app.push_screen(MCPScreen(self.app.registry, self.app.mcp))
