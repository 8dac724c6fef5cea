"""Built-in tools: get_time, calculator, read_file, list_directory, run_command."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field

from .calculator import evaluate
from .env import tool_environment
from .paths import DEFAULT_DENY, denied_by, resolve_inside
from .registry import Tool, ToolError


class TimeArgs(BaseModel):
    timezone: str = Field(default="UTC", description="IANA time zone, e.g. Europe/Stockholm")


class CalcArgs(BaseModel):
    expression: str = Field(description="Arithmetic expression, e.g. (2 + 3) * 4 ** 2")


class ReadArgs(BaseModel):
    path: str = Field(description="File path, relative to the working directory")
    max_bytes: int = Field(default=16384, ge=1, le=1_048_576, description="Read at most this many bytes")


class ListArgs(BaseModel):
    path: str = Field(default=".", description="Directory path, relative to the working directory")


class CommandArgs(BaseModel):
    argv: list[str] = Field(min_length=1, description="Program and arguments, run without a shell")


async def _get_time(args: TimeArgs) -> str:
    try:
        zone = ZoneInfo(args.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ToolError(f"unknown time zone: {args.timezone}") from None
    now = datetime.now(zone)
    return now.strftime("%Y-%m-%d %H:%M:%S %Z (UTC%z)")


async def _calculate(args: CalcArgs) -> str:
    return str(evaluate(args.expression))


def make_builtins(
    roots: list[Path], *, enabled: dict[str, bool], max_output: int, command_runner, deny: Sequence[str] = DEFAULT_DENY,
) -> list[Tool]:
    async def read_file(args: ReadArgs) -> str:
        path = resolve_inside(args.path, roots)
        pattern = denied_by(args.path, path, roots, deny)
        if pattern is not None:
            raise ToolError(
                f"refused: {args.path} matches '{pattern}' in tools.deny, files that usually hold secrets "
                "(the user can change tools.deny in the config)"
            )
        if not path.is_file():
            raise ToolError(f"not a file: {args.path}")
        with path.open("rb") as handle:
            data = handle.read(args.max_bytes + 1)
        text = data[: args.max_bytes].decode("utf-8", "replace")
        if len(data) > args.max_bytes:
            text += f"\n[truncated at {args.max_bytes} bytes]"
        return text

    async def list_directory(args: ListArgs) -> str:
        path = resolve_inside(args.path, roots)
        if not path.is_dir():
            raise ToolError(f"not a directory: {args.path}")
        entries = sorted(path.iterdir(), key=lambda p: (not p.is_dir(), p.name.lower()))
        lines = [f"{entry.name}/" if entry.is_dir() else entry.name for entry in entries[:1000]]
        if len(entries) > 1000:
            lines.append(f"[{len(entries) - 1000} more entries]")
        return "\n".join(lines) or "(empty directory)"

    async def run_command(args: CommandArgs) -> str:
        return await command_runner(args.argv)

    tools = [
        Tool("get_time", "Current date and time in a time zone.", TimeArgs, _get_time),
        Tool("calculator", "Evaluate an arithmetic expression exactly.", CalcArgs, _calculate),
        Tool("read_file", "Read a text file inside the allowed folders.", ReadArgs, read_file),
        Tool("list_directory", "List a directory inside the allowed folders.", ListArgs, list_directory),
        Tool("run_command", "Run a program (no shell) and return its output.", CommandArgs, run_command,
             side_effects=True, always_confirm=True),
    ]
    return [tool for tool in tools if enabled.get(tool.name, False)]


async def run_argv(
    argv: list[str], *, timeout: float, max_output: int, cwd: Path | None = None, pass_env: Iterable[str] = (),
) -> str:
    """Run ``argv`` without a shell, in its own process group and a scrubbed environment
    (see env.py); return exit code and output, capped."""
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            cwd=cwd,
            env=tool_environment(pass_env),
            start_new_session=True,
        )
    except FileNotFoundError:
        raise ToolError(f"command not found: {argv[0]}") from None
    except OSError as exc:
        raise ToolError(f"cannot start {argv[0]}: {exc.strerror}") from None
    try:
        async with asyncio.timeout(timeout):
            output, _ = await proc.communicate()
    except TimeoutError:
        await _kill_group(proc)
        raise ToolError(f"{argv[0]} timed out after {timeout:g} s and was stopped") from None
    except asyncio.CancelledError:
        await _kill_group(proc)
        raise
    text = output[: max_output + 1].decode("utf-8", "replace")
    return f"exit code {proc.returncode}\n{text}"


async def _kill_group(proc: asyncio.subprocess.Process) -> None:
    """Stop the program and everything it started: it leads its own session, so its
    process group id is its pid (children that kept the output pipe open would hang)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    await proc.wait()
