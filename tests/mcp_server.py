"""Scripted MCP tool server for tests, built on the ``mcp`` SDK's low-level ``Server``.

    python -m tests.mcp_server              # stdio (the default)
    python -m tests.mcp_server --http 8931  # streamable HTTP at http://127.0.0.1:8931/mcp

Tools:

``read_note(name)``    readOnlyHint=True; returns ``"note {name}: hello from mcp"``.
``delete_note(name)``  destructiveHint=True, readOnlyHint=False; returns ``"deleted {name}"``.
``fail(reason)``       a result with ``isError=True`` whose text is ``reason``.
``slow(seconds)``      sleeps, then returns ``"done"`` (no annotations).
``crash()``            kills the server process at once (``os._exit(3)``).
``picture()``          an ImageContent (2x1 PNG) plus the text ``"here is a picture"``.
``stats()``            structuredContent ``{"count": 3, "items": ["a", "b"]}`` plus its JSON as text.
``plain(text)``        no annotations at all; echoes ``text``.

An unknown tool name is answered with a JSON-RPC error (INVALID_PARAMS), not a result.

Environment switches:

``MCP_FIXTURE_BAD_SCHEMA=1``  also list ``bad_schema`` whose inputSchema is ``{"type": "string"}``.
    The SDK sieves every result against the negotiated protocol version's schema (which
    requires ``type: "object"``) and would answer tools/list with an internal error, so the
    sieve is bypassed for tools/list here to emulate a non-SDK server. Note that the SDK
    *client* validates the same way: ``ClientSession.list_tools()`` raises
    ``pydantic.ValidationError`` for the whole listing.
``MCP_FIXTURE_HANG=1``  never answer anything: stdio sleeps before the protocol starts,
    HTTP accepts connections but never responds. The process stays alive until killed.

One line, ``mcp fixture server starting``, goes to stderr at startup. Nothing listens
beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import struct
import sys
import time
import zlib
from typing import Any

import anyio
import mcp_types as types
from mcp_types import methods as wire_methods
from mcp.server import Server
from mcp.shared.exceptions import MCPError
from pydantic import ValidationError

NOTE_TEXT = "note {name}: hello from mcp"
STATS = {"count": 3, "items": ["a", "b"]}


def _png_2x1() -> str:
    """A valid 2x1 RGB PNG (one red, one blue pixel), base64-encoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 2, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\xff\x00\x00" + b"\x00\x00\xff")
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return base64.b64encode(png).decode("ascii")


PNG_B64 = _png_2x1()


def _schema(**props: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: {"type": kind} for name, kind in props.items()},
        "required": list(props),
    }


def _tools() -> list[types.Tool]:
    read_only = types.ToolAnnotations(read_only_hint=True)
    destructive = types.ToolAnnotations(read_only_hint=False, destructive_hint=True)
    tools = [
        types.Tool(name="read_note", description="Read a note.", input_schema=_schema(name="string"),
                   annotations=read_only),
        types.Tool(name="delete_note", description="Delete a note.", input_schema=_schema(name="string"),
                   annotations=destructive),
        types.Tool(name="fail", description="Always fails with the given reason.", input_schema=_schema(reason="string"),
                   annotations=read_only),
        types.Tool(name="slow", description="Sleep, then say done.", input_schema=_schema(seconds="number")),
        types.Tool(name="crash", description="Kill the server process.", input_schema=_schema()),
        types.Tool(name="picture", description="Return a tiny image.", input_schema=_schema(), annotations=read_only),
        types.Tool(name="stats", description="Return structured statistics.", input_schema=_schema(),
                   output_schema={"type": "object",
                                  "properties": {"count": {"type": "integer"},
                                                 "items": {"type": "array", "items": {"type": "string"}}},
                                  "required": ["count", "items"]},
                   annotations=read_only),
        types.Tool(name="plain", description="Echo the text.", input_schema=_schema(text="string")),
    ]
    if os.environ.get("MCP_FIXTURE_BAD_SCHEMA") == "1":
        tools.append(types.Tool(name="bad_schema", description="Input schema is not an object.",
                                input_schema={"type": "string"}))
    return tools


def _text(text: str, *, error: bool = False) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=text)], is_error=error)


async def list_tools(ctx: Any, params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
    return types.ListToolsResult(tools=_tools())


async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
    args = params.arguments or {}
    name = params.name

    def arg(key: str) -> Any:
        if key not in args:
            raise KeyError(key)
        return args[key]

    try:
        if name == "read_note":
            return _text(NOTE_TEXT.format(name=arg("name")))
        if name == "delete_note":
            return _text(f"deleted {arg('name')}")
        if name == "fail":
            return _text(str(arg("reason")), error=True)
        if name == "slow":
            await anyio.sleep(float(arg("seconds")))
            return _text("done")
        if name == "crash":
            os._exit(3)
        if name == "picture":
            return types.CallToolResult(content=[
                types.ImageContent(data=PNG_B64, mime_type="image/png"),
                types.TextContent(text="here is a picture"),
            ])
        if name == "stats":
            return types.CallToolResult(content=[types.TextContent(text=json.dumps(STATS))],
                                        structured_content=STATS)
        if name == "plain":
            return _text(str(arg("text")))
        if name == "bad_schema":
            return _text(f"bad_schema got {args!r}")
    except KeyError as exc:
        return _text(f"missing argument {exc.args[0]!r}", error=True)
    raise MCPError(code=types.INVALID_PARAMS, message=f"Unknown tool: {name}")


def build_server() -> Server[Any]:
    return Server("tui-chat-mcp-fixture", version="1.0", on_list_tools=list_tools, on_call_tool=call_tool)


def _allow_bad_tools_list() -> None:
    """Let tools/list through the SDK's per-version result sieve even when it fails validation."""
    original = wire_methods.serialize_server_result

    def serialize_server_result(method: str, version: str, data: Any, **kw: Any) -> dict[str, Any]:
        try:
            return original(method, version, data, **kw)
        except ValidationError:
            if method != "tools/list":
                raise
            return dict(data)

    wire_methods.serialize_server_result = serialize_server_result  # looked up per call by the SDK


async def _serve_stdio(server: Server[Any]) -> None:
    from mcp.server.stdio import stdio_server

    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


async def _serve_http(server: Server[Any], port: int, hang: bool) -> None:
    import uvicorn

    app = server.streamable_http_app(host="127.0.0.1")

    async def hanging_app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            await anyio.sleep_forever()
        await app(scope, receive, send)

    config = uvicorn.Config(hanging_app if hang else app, host="127.0.0.1", port=port, log_level="warning")
    await uvicorn.Server(config).serve()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.mcp_server", description=__doc__.split("\n")[0])
    parser.add_argument("--http", type=int, metavar="PORT", help="serve streamable HTTP on 127.0.0.1:PORT/mcp")
    opts = parser.parse_args(argv)
    print("mcp fixture server starting", file=sys.stderr, flush=True)
    hang = os.environ.get("MCP_FIXTURE_HANG") == "1"
    if os.environ.get("MCP_FIXTURE_BAD_SCHEMA") == "1":
        _allow_bad_tools_list()
    server = build_server()
    if opts.http is not None:
        anyio.run(_serve_http, server, opts.http, hang)
        return
    if hang:
        while True:
            time.sleep(3600)
    anyio.run(_serve_stdio, server)


if __name__ == "__main__":
    main()
