"""User-defined command tools from the config file.

    [[tools.command]]
    name = "git_log"
    description = "Recent commits"
    argv = ["git", "log", "-n", "{count}"]
    [tools.command.parameters]
    count = { type = "integer", description = "How many commits" }

Each ``{name}`` is replaced inside its own argv item; a value never becomes
more than one item and no shell ever sees it, so ``; rm -rf /`` stays text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, create_model

from .builtin import run_argv
from .registry import Tool

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
TYPES: dict[str, type] = {"string": str, "integer": int, "number": float, "boolean": bool}


def substitute(argv: list[str], values: dict[str, Any]) -> list[str]:
    """Fill ``{name}`` placeholders; each template item yields exactly one argv item."""

    def fill(item: str) -> str:
        return _PLACEHOLDER.sub(lambda m: _text(values[m.group(1)]), item)

    return [fill(item) for item in argv]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def placeholders(argv: list[str]) -> set[str]:
    return {name for item in argv for name in _PLACEHOLDER.findall(item)}


def params_model(name: str, parameters: dict[str, Any]) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for pname, spec in parameters.items():
        if isinstance(spec, str):
            spec = {"type": spec}
        kind = TYPES[spec.get("type", "string")]
        default = spec.get("default", ...)
        fields[pname] = (kind, Field(default=default, description=spec.get("description")))
    return create_model(f"{name}_params", **fields)


def make_command_tool(spec: Any, *, timeout: float, max_output: int, cwd: Path | None) -> Tool:
    model = params_model(spec.name, spec.parameters)

    async def run(args: BaseModel) -> str:
        argv = substitute(spec.argv, args.model_dump())
        return await run_argv(
            argv, timeout=spec.timeout or timeout, max_output=max_output, cwd=cwd, pass_env=spec.pass_env,
        )

    return Tool(
        spec.name,
        spec.description or f"Runs {spec.argv[0]}",
        model,
        run,
        side_effects=spec.side_effects,
        timeout=(spec.timeout or timeout) + 1,
    )
