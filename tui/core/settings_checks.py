"""The checks and messages of load_settings that need more than the models: what a
validation error means and where it came from, the keymap, and imported MCP servers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .keys import keymap_problems
from .settings import ConfigError, MCPSettings, Settings


def keymap_error(keymap: dict[str, str], path: Path, data: dict[str, Any]) -> str | None:
    """Unknown binding ids and keys that would be taken from another binding, as a
    configuration error (Textual would accept both without a word)."""
    problems = keymap_problems(keymap)
    if not problems:
        return None
    where = str(path) if "keymap" in data else "TUI_CHAT_KEYMAP"
    return "\n".join(f"{where}: setting 'keymap': {problem}" for problem in problems)


def explain(exc: ValidationError, path: Path, data: dict[str, Any]) -> str:
    lines = []
    for error in exc.errors():
        loc = ".".join(str(part) for part in error["loc"])
        env_name = "TUI_CHAT_" + "__".join(str(p).upper() for p in error["loc"])
        where = env_name if env_name in os.environ else str(path) if _in_file(error["loc"], data) else "a command-line flag"
        if error["type"] == "extra_forbidden":
            lines.append(f"{where}: unknown setting '{loc}'. Fix: remove it or check its spelling (see config.example.toml).")
            continue
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"{where}: setting '{loc}': {message}. Fix: correct the value (see config.example.toml).")
    return "\n".join(lines)


def _in_file(loc: tuple[Any, ...], data: dict[str, Any]) -> bool:
    node: Any = data
    for part in loc:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def import_mcp(settings: Settings, config_path: Path) -> None:
    """Add the servers of a Claude Desktop style file; servers named in the TOML win."""
    import json

    assert settings.mcp.import_file is not None
    source = Path(settings.mcp.import_file).expanduser()
    if not source.is_absolute():
        source = config_path.parent / source
    where = f"{config_path}: setting 'mcp.import' ({source})"
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{where}: file not found. Fix: check the path.") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"{where}: not a readable JSON file ({exc}). Fix: check the file.") from None
    servers = data.get("mcpServers") if isinstance(data, dict) else None
    if not isinstance(servers, dict):
        raise ConfigError(f'{where}: no "mcpServers" object. Fix: use the Claude Desktop format.')
    for name, raw in servers.items():
        if name in settings.mcp.servers:
            continue
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: server '{name}' must be an object.")
        entry = {k: v for k, v in raw.items() if k not in ("type", "transport", "disabled", "autoApprove", "alwaysAllow")}
        entry["enabled"] = not raw.get("disabled", False)
        try:
            imported = MCPSettings(servers={name: entry}).servers[name]
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'][2:]) or name}: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors()
            )
            raise ConfigError(f"{where}: server '{name}': {problems}. Fix: correct the file.") from None
        settings.mcp.servers[name] = imported
