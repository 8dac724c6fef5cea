"""The tool registry: schemas for the request, and execution that never raises.

Every way a call can go wrong (unknown name, bad JSON, arguments that fail the
schema, a tool that raises or hangs, huge output) becomes an error *result*
sent back to the model, so the conversation can go on.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError


class ToolError(Exception):
    """A tool's own, expected failure; its message goes back to the model."""


@dataclass
class Tool:
    """One callable tool.

    Built-ins give ``params``, a pydantic model whose JSON Schema goes to the model
    and which checks the arguments. Tools from elsewhere (MCP) give ``schema``
    as-is instead; ``run`` then receives the decoded argument object and the
    tool's own server checks it.
    """

    name: str
    description: str
    params: type[BaseModel] | None
    run: Callable[[Any], Awaitable[str]]
    side_effects: bool = False
    always_confirm: bool = False
    timeout: float | None = None
    schema: dict[str, Any] | None = None
    never_confirm: bool = False
    source: str = "built-in"

    def spec(self) -> dict[str, Any]:
        if self.schema is not None:
            schema = dict(self.schema)
        else:
            assert self.params is not None
            schema = self.params.model_json_schema()
            schema.pop("title", None)
        return {"type": "function", "function": {"name": self.name, "description": self.description, "parameters": schema}}


@dataclass
class ToolResult:
    ok: bool
    content: str
    elapsed: float = 0.0
    truncated: bool = False


class ToolRegistry:
    def __init__(self, *, timeout: float = 30.0, max_output: int = 16 * 1024) -> None:
        self.timeout = timeout
        self.max_output = max_output
        self._tools: dict[str, Tool] = {}

    def add(self, tool: Tool) -> None:
        self._tools[tool.name] = tool

    def remove_source(self, source: str) -> None:
        """Drop every tool that came from ``source`` (e.g. one MCP server)."""
        self._tools = {name: tool for name, tool in self._tools.items() if tool.source != source}

    def tools(self) -> list[Tool]:
        return list(self._tools.values())

    def get(self, name: str) -> Tool | None:
        return self._tools.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self._tools

    def __bool__(self) -> bool:
        return bool(self._tools)

    @property
    def names(self) -> list[str]:
        return list(self._tools)

    def specs(self) -> list[dict[str, Any]]:
        return [tool.spec() for tool in self._tools.values()]

    async def execute(self, name: str, arguments: str) -> ToolResult:
        """Run one call. Returns an error result for every failure; never raises
        (except CancelledError, so Escape can stop a running tool)."""
        start = time.perf_counter()
        result = await self._execute(name, arguments)
        result.elapsed = time.perf_counter() - start
        return result

    async def _execute(self, name: str, arguments: str) -> ToolResult:
        tool = self._tools.get(name)
        if tool is None:
            known = ", ".join(self._tools) or "none"
            return ToolResult(False, f"error: unknown tool '{name}'. Available tools: {known}.")
        try:
            raw = json.loads(arguments.strip() or "{}")
        except ValueError as exc:
            return ToolResult(False, f"error: the arguments are not valid JSON ({exc}).")
        if not isinstance(raw, dict):
            return ToolResult(False, "error: the arguments must be a JSON object.")
        try:
            params = tool.params.model_validate(raw) if tool.params is not None else raw
        except ValidationError as exc:
            return ToolResult(False, "error: invalid arguments: " + summarize(exc))
        timeout = tool.timeout or self.timeout
        try:
            async with asyncio.timeout(timeout):
                output = await tool.run(params)
        except TimeoutError:
            return ToolResult(False, f"error: the tool timed out after {timeout:g} s.")
        except ToolError as exc:
            return ToolResult(False, f"error: {exc}")
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a tool bug must not take the app down
            return ToolResult(False, f"error: the tool failed: {type(exc).__name__}: {exc}")
        return self._cap(str(output))

    def _cap(self, output: str) -> ToolResult:
        data = output.encode("utf-8", "replace")
        if len(data) <= self.max_output:
            return ToolResult(True, output)
        kept = data[: self.max_output].decode("utf-8", "ignore")
        note = f"\n[output truncated: {len(data):,} bytes, showing the first {self.max_output:,}]"
        return ToolResult(True, kept + note, truncated=True)


def summarize(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        loc = ".".join(str(p) for p in error["loc"]) or "arguments"
        parts.append(f"{loc}: {error['msg']}")
    return "; ".join(parts)
