"""The app's MCP servers, and their tools in the registry as SERVER__TOOL."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..settings import MCPSettings
from ..tools.registry import Tool, ToolError, ToolRegistry
from .connection import CallFailed, MCPConnection
from .results import render


def tool_name(server: str, tool: str) -> str:
    """What the model calls: letters, digits, '_' and '-' only, at most 64 characters."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", f"{server}__{tool}")[:64]


def has_side_effects(tool: Any) -> bool:
    """Only a tool that says it is read-only (and not destructive) runs without asking."""
    hints = getattr(tool, "annotations", None)
    if hints is None:
        return True
    if hints.destructive_hint is True:
        return True
    return hints.read_only_hint is not True


class MCPManager:
    def __init__(
        self, settings: MCPSettings, registry: ToolRegistry, *, default_timeout: float,
        log_dir: Path | None = None, on_change: Callable[[MCPConnection], None] | None = None,
    ) -> None:
        if log_dir is None:
            from platformdirs import user_log_path

            log_dir = user_log_path("tui-chat")
        self.registry = registry
        self.default_timeout = default_timeout
        self.on_change = on_change or (lambda c: None)
        self.servers: dict[str, MCPConnection] = {
            name: MCPConnection(
                name, config, startup_timeout=settings.startup_timeout, log_dir=log_dir, on_change=self._changed,
            )
            for name, config in settings.servers.items()
        }
        self.disabled: dict[str, set[str]] = {name: set(c.disabled_tools) for name, c in settings.servers.items()}

    def start_all(self) -> None:
        """Start every enabled server in the background (needs a running event loop)."""
        for server in self.servers.values():
            if server.config.enabled:
                server.start()

    async def restart(self, name: str) -> None:
        await self.servers[name].restart()

    async def aclose(self) -> None:
        import asyncio

        await asyncio.gather(*(server.stop() for server in self.servers.values()))

    def toggle_tool(self, server: str, tool: str) -> bool:
        """Offer the tool or stop offering it; returns whether it is now on."""
        connection = self.servers[server]
        off = self.disabled.setdefault(server, set())
        if tool in off:
            off.discard(tool)
        else:
            off.add(tool)
        self._sync(connection)
        return tool not in off

    def is_enabled(self, server: str, tool: str) -> bool:
        return tool not in self.disabled.get(server, set())

    def _changed(self, server: MCPConnection) -> None:
        self._sync(server)
        self.on_change(server)

    def _sync(self, server: MCPConnection) -> None:
        source = f"mcp:{server.name}"
        self.registry.remove_source(source)
        if not server.offers_tools:
            return
        config = server.config
        taken: set[str] = set()
        for tool in server.tools:
            if tool.name in self.disabled.get(server.name, set()):
                continue
            name = tool_name(server.name, tool.name)
            if name in taken:  # two names that clean to the same one: both stay callable
                name = next(f"{name[:60]}_{n}" for n in range(2, 1000) if f"{name[:60]}_{n}" not in taken)
            taken.add(name)
            self.registry.add(Tool(
                name=name,
                description=tool.description or tool.title or f"{tool.name} (from MCP server {server.name})",
                params=None,
                schema=tool.input_schema,
                run=self._runner(server, tool.name),
                side_effects=has_side_effects(tool),
                always_confirm=config.confirm == "always",
                never_confirm=config.confirm == "never",
                # A backstop only: the SDK times the call itself; a restart after a crash may come first.
                timeout=(config.timeout or self.default_timeout) + server.startup_timeout + 2,
                source=source,
            ))

    def _runner(self, server: MCPConnection, name: str):
        timeout = server.config.timeout or self.default_timeout

        async def run(arguments: dict[str, Any]) -> str:
            try:
                result = await server.call(name, arguments, timeout)
            except CallFailed as exc:
                raise ToolError(str(exc)) from None
            ok, text = render(result)
            if not ok:
                raise ToolError(text)
            return text

        return run
