"""The [mcp] section of the settings: Model Context Protocol tool servers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class MCPServerSettings(BaseModel):
    """One MCP tool server: a program over stdio (command) or a streamable-HTTP url."""

    model_config = ConfigDict(extra="forbid")

    command: str | None = None
    """Program to start (stdio transport), e.g. "npx" or "uvx"."""
    args: list[str] = Field(default_factory=list)
    """Its arguments."""
    env: dict[str, str] = Field(default_factory=dict)
    """Extra environment variables for it (added to a minimal safe environment)."""
    cwd: Path | None = None
    """Working directory for it (default: tui-chat's)."""
    url: str | None = None
    """Streamable-HTTP endpoint instead of a command, e.g. "http://127.0.0.1:8931/mcp"."""
    headers: dict[str, str] = Field(default_factory=dict)
    """HTTP headers for url servers (e.g. Authorization)."""
    enabled: bool = True
    """Start it and offer its tools."""
    confirm: Literal["never", "side-effects", "always"] = "side-effects"
    """Ask before: "never", tools with side effects (readOnlyHint absent or false), or "always"."""
    timeout: float | None = Field(default=None, gt=0)
    """Seconds a call may take (default: tools.timeout)."""
    disabled_tools: list[str] = Field(default_factory=list)
    """Tool names (as the server calls them) never offered to the model."""

    @model_validator(mode="after")
    def _one_transport(self) -> "MCPServerSettings":
        if bool(self.command) == bool(self.url):
            raise ValueError("give exactly one of command (a program over stdio) or url (streamable HTTP)")
        if self.url and not self.url.startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        return self


class MCPSettings(BaseModel):
    """Model Context Protocol tool servers ([mcp.servers.NAME])."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    servers: dict[str, MCPServerSettings] = Field(default_factory=dict)
    """Servers by name; tools are offered as NAME__TOOL."""
    import_file: Path | None = Field(default=None, alias="import")
    """A Claude Desktop style JSON file ({"mcpServers": {...}}) whose servers are added too."""
    startup_timeout: float = Field(default=20.0, gt=0)
    """Seconds a server may take to answer initialize before it is marked failed."""

    @field_validator("servers")
    @classmethod
    def _names(cls, value: dict[str, MCPServerSettings]) -> dict[str, MCPServerSettings]:
        for name in value:
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", name):
                raise ValueError(f"server name '{name}': use 1-32 letters, digits, '_' or '-'")
        return value
