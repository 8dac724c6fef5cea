"""Build the registry the app uses from Settings."""

from __future__ import annotations

from pathlib import Path

from ..settings import Settings
from .builtin import make_builtins, run_argv
from .commands import make_command_tool
from .registry import ToolRegistry


def build_registry(settings: Settings) -> ToolRegistry:
    config = settings.tools
    registry = ToolRegistry(timeout=config.timeout, max_output=config.max_output)
    if not config.enabled:
        return registry
    roots = [Path(root).expanduser() for root in config.roots] or [Path.cwd()]

    async def command_runner(argv: list[str]) -> str:
        return await run_argv(
            argv, timeout=config.timeout, max_output=config.max_output, cwd=roots[0], pass_env=config.pass_env,
        )

    enabled = {name: getattr(config, name) for name in ("get_time", "calculator", "read_file", "list_directory", "run_command")}
    for tool in make_builtins(
        roots, enabled=enabled, max_output=config.max_output, command_runner=command_runner, deny=config.deny,
    ):
        registry.add(tool)
    for spec in config.command:
        registry.add(make_command_tool(spec, timeout=config.timeout, max_output=config.max_output, cwd=roots[0]))
    return registry
