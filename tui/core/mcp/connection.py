"""One MCP server: a long-lived owner task holds its transport and session.

The SDK's transports and sessions open anyio task groups, so the task that
enters them must be the one that leaves them. Each server therefore gets one
owner task, stopped by an Event (a second ``cancel`` during the SDK's shielded
shutdown can hang it); calls come from other tasks and share the session.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..settings import MCPServerSettings

STARTING, READY, FAILED, DISABLED, STOPPED = "starting", "ready", "failed", "disabled", "stopped"


class ServerExited(Exception):
    """The server went away while idle."""


class CallFailed(Exception):
    """A call could not be made or did not finish; the message is for the model and the user."""


class MCPConnection:
    def __init__(
        self, name: str, config: MCPServerSettings, *, startup_timeout: float, log_dir: Path,
        on_change: Callable[["MCPConnection"], None] = lambda c: None,
    ) -> None:
        self.name = name
        self.config = config
        self.startup_timeout = startup_timeout
        self.log_path = log_dir / f"mcp-{name}.log"
        self.on_change = on_change
        self.state = STARTING if config.enabled else DISABLED
        self.error = ""
        self.tools: list[Any] = []
        self.skipped: list[str] = []
        self.session: Any = None
        self.crashed = False
        self._task: asyncio.Task | None = None
        self._stop = asyncio.Event()
        self._settled = asyncio.Event()
        self._log_start = 0

    # -- lifecycle ------------------------------------------------------------
    def start(self) -> None:
        """Begin connecting in the background; the caller never waits."""
        if self._task is not None and not self._task.done():
            return
        self._stop, self._settled = asyncio.Event(), asyncio.Event()
        self.state, self.error = STARTING, ""  # the last known tools stay offered until the new list arrives
        self._task = asyncio.get_running_loop().create_task(self._own(), name=f"mcp:{self.name}")
        self.on_change(self)

    async def stop(self, timeout: float = 8.0) -> None:
        self._stop.set()
        task = self._task
        if task is not None and not task.done():
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError, Exception):
                await asyncio.wait_for(asyncio.shield(task), timeout)
        if self.state in (STARTING, READY):
            self.state = STOPPED
        self.session = None

    async def restart(self) -> None:
        await self.stop()
        self.crashed = False
        self.start()

    async def wait_settled(self, timeout: float) -> None:
        """Until the server is ready or has failed (or the timeout passes)."""
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._settled.wait(), timeout)

    async def _own(self) -> None:
        from mcp import ClientSession

        quiet_sdk_logs(self.log_path)
        try:
            async with self._transport() as streams:
                watch = _EofWatch(streams[0])
                async with ClientSession(watch, streams[1]) as session:
                    try:
                        await asyncio.wait_for(session.initialize(), self.startup_timeout)
                    except asyncio.TimeoutError:
                        raise TimeoutError(f"no answer to initialize within {self.startup_timeout:g} s (mcp.startup_timeout)") from None
                    self.tools, self.skipped = await list_tools(session)
                    self.session, self.state = session, READY
                    self._settled.set()
                    self.on_change(self)
                    await _first(self._stop.wait(), watch.closed.wait())
                    if not self._stop.is_set():
                        raise ServerExited("the server exited; the next call restarts it")
        except asyncio.CancelledError:
            self.state = STOPPED
            raise
        except BaseException as exc:  # noqa: BLE001 - every way a server can fail is shown, never raised
            if not self._stop.is_set():
                self.crashed = self.state == READY
                self.state, self.error = FAILED, describe(exc, self.config)
        finally:
            self.session = None
            if self._stop.is_set() and self.state in (STARTING, READY):
                self.state = STOPPED
            self._settled.set()
            self.on_change(self)

    @contextlib.asynccontextmanager
    async def _transport(self):
        if self.config.url:
            from mcp.client.streamable_http import streamable_http_client
            from mcp.shared._httpx_utils import create_mcp_http_client

            async with create_mcp_http_client(headers=self.config.headers or None) as http:
                async with streamable_http_client(self.config.url, http_client=http) as streams:
                    yield streams
            return
        from mcp import StdioServerParameters, stdio_client

        params = StdioServerParameters(
            command=self.config.command or "", args=list(self.config.args), env=dict(self.config.env) or None,
            cwd=str(Path(self.config.cwd).expanduser()) if self.config.cwd else None,
        )
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "a", encoding="utf-8", errors="replace") as errlog:
            errlog.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting {self.config.command}\n")
            errlog.flush()
            self._log_start = errlog.tell()
            async with stdio_client(params, errlog=errlog) as streams:
                yield streams

    # -- calls ----------------------------------------------------------------
    async def call(self, tool: str, arguments: dict[str, Any], timeout: float) -> Any:
        """Call one tool. A server that died is restarted once, by the next call."""
        from mcp import MCPError
        from mcp.types import CONNECTION_CLOSED, REQUEST_TIMEOUT, CallToolRequest, CallToolRequestParams, CallToolResult

        session = await self._session_for_call()
        request = CallToolRequest(params=CallToolRequestParams(name=tool, arguments=arguments))
        try:
            # send_request, not call_tool: call_tool re-lists tools behind the scenes.
            return await session.send_request(request, CallToolResult, request_read_timeout_seconds=timeout)
        except MCPError as exc:
            if exc.code == REQUEST_TIMEOUT:
                raise CallFailed(f"the tool timed out after {timeout:g} s (the server was asked to cancel it)") from None
            if exc.code == CONNECTION_CLOSED or self.state != READY:
                self.crashed = True
                raise CallFailed(
                    f"the MCP server '{self.name}' stopped during the call ({exc.message}). "
                    "The next call restarts it."
                ) from None
            raise CallFailed(f"the MCP server '{self.name}' refused the call: {exc.message}") from None
        except (ValueError, TypeError) as exc:  # a result that does not fit the protocol
            raise CallFailed(f"the MCP server '{self.name}' sent a malformed result: {str(exc)[:300]}") from None

    async def _session_for_call(self) -> Any:
        if self.crashed:  # set by a call that saw the server die; restart once
            self.crashed = False
            await self.restart()
        if self.state == STARTING:
            await self.wait_settled(self.startup_timeout + 1)
        if self.state != READY or self.session is None:
            detail = f": {self.error}" if self.error else ""
            raise CallFailed(f"the MCP server '{self.name}' is {self.state}{detail}")
        return self.session

    @property
    def offers_tools(self) -> bool:
        """Ready, restarting, or crashed (the next call restarts it): its tools stay on offer."""
        return self.state in (READY, STARTING) or (self.state == FAILED and self.crashed)

    def stderr_tail(self, lines: int = 5) -> list[str]:
        """The last lines the server wrote to stderr since it was last started."""
        if self.config.url:
            return []
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as log:
                log.seek(self._log_start)
                text = log.read()
        except OSError:
            return []
        return [line for line in text.splitlines() if line.strip()][-lines:]


async def list_tools(session: Any) -> tuple[list[Any], list[str]]:
    """Every tool (all pages). Tools whose input schema is not a JSON object are
    skipped with a note, so one bad tool does not cost the whole server."""
    from pydantic import ValidationError
    from mcp.types import PaginatedRequestParams

    tools: list[Any] = []
    cursor = None
    try:
        while True:
            result = await session.list_tools(params=PaginatedRequestParams(cursor=cursor) if cursor else None)
            tools += result.tools
            cursor = result.next_cursor
            if not cursor:
                return _checked(tools)
    except ValidationError:
        return await _lenient_listing(session)


def _checked(tools: list[Any]) -> tuple[list[Any], list[str]]:
    kept, skipped = [], []
    for tool in tools:
        schema = tool.input_schema
        if isinstance(schema, dict) and schema.get("type") == "object":
            kept.append(tool)
        else:
            skipped.append(f"{tool.name}: input schema is not a JSON object; not offered to the model")
    return kept, skipped


async def _lenient_listing(session: Any) -> tuple[list[Any], list[str]]:
    """The SDK rejects a whole listing for one bad tool; read it raw and sort the tools one by one."""
    from pydantic import ValidationError
    from mcp.types import Tool

    send_raw = getattr(getattr(session, "_dispatcher", None), "send_raw_request", None)
    if send_raw is None:
        raise ValueError("the server's tool list does not follow the protocol")
    kept, skipped, cursor = [], [], None
    while True:
        raw = await send_raw("tools/list", {"cursor": cursor} if cursor else None, {})
        for entry in raw.get("tools") or []:
            name = entry.get("name", "?") if isinstance(entry, dict) else "?"
            try:
                tool = Tool.model_validate(entry)
            except ValidationError:
                skipped.append(f"{name}: input schema is not a JSON object; not offered to the model")
                continue
            kept.append(tool)
        cursor = raw.get("nextCursor")
        if not cursor:
            good, bad = _checked(kept)
            return good, skipped + bad


def describe(exc: BaseException, config: MCPServerSettings) -> str:
    """One line for the Tools screen: what went wrong, in plain words."""
    leaf = exc
    while isinstance(leaf, BaseExceptionGroup) and leaf.exceptions:
        leaf = leaf.exceptions[0]
    if isinstance(leaf, FileNotFoundError):
        return f"command not found: {config.command}"
    if isinstance(leaf, PermissionError):
        return f"cannot run {config.command}: permission denied"
    if isinstance(leaf, (TimeoutError, ServerExited)):
        return str(leaf) or "timed out"
    message = getattr(leaf, "message", None) or str(leaf) or type(leaf).__name__
    name = type(leaf).__name__
    if "connect" in name.lower() or "connect" in message.lower():
        return f"cannot connect to {config.url or config.command}: {message}"
    if message == "Connection closed":
        return "the server closed the connection during start-up (see its stderr below)"
    return f"{name}: {message}"[:300]


def quiet_sdk_logs(path: Path) -> None:
    """The SDK logs through ``logging``; without a handler Python prints to stderr, over the UI."""
    for name in ("client", "mcp", "httpx2", "mcp_types"):
        logger = logging.getLogger(name)
        if not any(h.get_name() == "tui-chat" for h in logger.handlers):
            handler: logging.Handler
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                handler = logging.FileHandler(path.parent / "mcp-sdk.log", encoding="utf-8")
            except OSError:
                handler = logging.NullHandler()
            handler.set_name("tui-chat")
            logger.addHandler(handler)
            logger.propagate = False


async def _first(*awaitables) -> None:
    tasks = [asyncio.ensure_future(a) for a in awaitables]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()


class _EofWatch:
    """Wraps the read stream so a server that dies while idle is noticed at once."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.closed = asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def receive(self) -> Any:
        import anyio

        try:
            return await self._inner.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            self.closed.set()
            raise

    def __aiter__(self) -> "_EofWatch":
        return self

    async def __anext__(self) -> Any:
        import anyio

        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None

    async def aclose(self) -> None:
        self.closed.set()
        await self._inner.aclose()

    async def __aenter__(self) -> "_EofWatch":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

