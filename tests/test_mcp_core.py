"""MCP support in tui.core, without the Textual app.

Result rendering, tool naming and side-effect rules, the manager and registry
against the stdio fixture server (tests/mcp_server.py), start-up failures,
streamable HTTP, and the [mcp] settings (including the Claude Desktop import).

The stdio fixture takes about a second to start (importing mcp is slow), so the
read-only checks share one module-scoped manager; tests that crash, hang or
kill a server get their own.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import struct
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import pytest_asyncio
from mcp import types

from tui.core.mcp.connection import FAILED, READY, CallFailed
from tui.core.mcp.manager import MCPManager, has_side_effects, tool_name
from tui.core.mcp.results import image_size, render
from tui.core.settings import ConfigError, MCPSettings, load_settings
from tui.core.tools.registry import ToolRegistry

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_TOOLS = ["read_note", "delete_note", "fail", "slow", "crash", "picture", "stats", "plain"]
READ_NOTE_SCHEMA = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
STARTUP = 60.0  # generous: the suite may share two cores with another run
module_loop = pytest.mark.asyncio(loop_scope="module")


def _png(width: int, height: int) -> bytes:
    """Just enough of a PNG for its header: signature + IHDR."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + b"\0\0\0\0"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def fixture_server(**overrides) -> dict:
    """Config for the stdio fixture; MCP_FIXTURE_* switches go in ``env``."""
    return {"command": sys.executable, "args": ["-m", "tests.mcp_server"], "cwd": str(ROOT), **overrides}


# -- processes ----------------------------------------------------------------
def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _parent_and_state(pid: int) -> tuple[int, str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[1]), fields[0]


def fixture_children() -> set[int]:
    """Our own child processes running the stdio fixture (zombies included: not reaped = not gone)."""
    me = os.getpid()
    pids = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        info = _parent_and_state(int(entry.name))
        if info and info[0] == me:
            cmd = _cmdline(int(entry.name))
            if "tests.mcp_server" in cmd and "--http" not in cmd:
                pids.add(int(entry.name))
    return pids


def assert_gone(pids: set[int]) -> None:
    left = {pid: _parent_and_state(pid) for pid in pids}
    left = {pid: info for pid, info in left.items() if info is not None}
    assert not left, f"MCP server processes left behind (pid: (ppid, state)): {left}"


async def wait_for(predicate, what: str, limit: float = 15.0) -> None:
    """Poll until ``predicate()``; the limit only stops a broken test from hanging."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not predicate():
        if loop.time() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        await asyncio.sleep(0.02)


async def started(settings: MCPSettings, log_dir: Path, *, default_timeout: float = 20.0):
    registry = ToolRegistry(timeout=30)
    manager = MCPManager(settings, registry, default_timeout=default_timeout, log_dir=log_dir)
    manager.start_all()
    await asyncio.gather(*(c.wait_settled(STARTUP + 5) for c in manager.servers.values() if c.config.enabled))
    return manager, registry


# =============================================================================
# 1. results.render
# =============================================================================
def test_render_joins_text_blocks():
    result = types.CallToolResult(content=[types.TextContent(text="first"), types.TextContent(text="second")])
    assert render(result) == (True, "first\nsecond")


def test_render_structured_content_is_pretty_and_its_json_text_dropped():
    data = {"count": 3, "items": ["a", "b"]}
    result = types.CallToolResult(
        content=[types.TextContent(text=json.dumps(data)), types.TextContent(text="a note")],
        structured_content=data,
    )
    ok, text = render(result)
    assert ok
    assert text == "a note\n" + json.dumps(data, indent=2)
    assert json.dumps(data) not in text  # the compact mirror is not repeated


def test_render_structured_content_keeps_text_that_differs():
    result = types.CallToolResult(
        content=[types.TextContent(text='{"count": 4}')], structuredContent={"count": 3},  # camelCase alias
    )
    assert render(result) == (True, '{"count": 4}\n{\n  "count": 3\n}')


def test_render_image_is_summarised_from_its_header():
    result = types.CallToolResult(content=[types.ImageContent(data=_b64(_png(2, 1)), mime_type="image/png")])
    assert render(result) == (True, "[image: 2×1 png]")


GIF = b"GIF89a" + struct.pack("<HH", 3, 5) + b"\x00" * 8
JPEG = (
    b"\xff\xd8"
    + b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x01\x01\x00\x00\x01\x00\x01\x00\x00"  # APP0 first
    + b"\xff\xc0" + struct.pack(">HBHH", 17, 8, 480, 640) + b"\x03" + b"\x00" * 9  # SOF0: 640 wide, 480 high
)


@pytest.mark.parametrize(
    "raw, size",
    [(_png(300, 200), (300, 200)), (GIF, (3, 5)), (JPEG, (640, 480)), (b"not an image at all", None), (b"", None)],
    ids=["png", "gif", "jpeg-after-app0", "unknown", "empty"],
)
def test_image_size(raw, size):
    assert image_size(raw) == size


def test_render_image_gif_and_jpeg():
    result = types.CallToolResult(content=[
        types.ImageContent(data=_b64(GIF), mimeType="image/gif"),
        types.ImageContent(data=_b64(JPEG), mimeType="image/jpeg"),
    ])
    assert render(result) == (True, "[image: 3×5 gif]\n[image: 640×480 jpeg]")


def test_render_image_with_unknown_bytes_gives_the_size():
    raw = b"\x00\x01\x02 definitely not png \x03"
    result = types.CallToolResult(content=[types.ImageContent(data=_b64(raw), mime_type="image/png")])
    assert render(result) == (True, f"[image: png, {len(raw)} bytes]")


def test_render_audio():
    raw = bytes(range(256)) * 8 + b"xy"  # 2,050 bytes: base64 padding must be counted right
    result = types.CallToolResult(content=[types.AudioContent(data=_b64(raw), mime_type="audio/wav")])
    assert render(result) == (True, "[audio: wav, 2,050 bytes]")


def test_render_resource_link():
    link = types.ResourceLink(name="report", uri="file:///tmp/report.pdf", mime_type="application/pdf")
    plain = types.ResourceLink(name="thing", uri="https://example.com/x")
    result = types.CallToolResult(content=[link, plain])
    assert render(result) == (
        True, "[resource link: file:///tmp/report.pdf (application/pdf)]\n[resource link: https://example.com/x]",
    )


def test_render_embedded_text_and_blob_resources():
    text = types.EmbeddedResource(resource=types.TextResourceContents(
        uri="file:///notes/a.md", mime_type="text/markdown", text="# Title\nbody"))
    blob = types.EmbeddedResource(resource=types.BlobResourceContents(
        uri="file:///data.bin", mime_type="application/octet-stream", blob=_b64(b"12345")))
    ok, out = render(types.CallToolResult(content=[text, blob]))
    assert ok
    assert out == (
        "[resource: file:///notes/a.md (text/markdown)]\n# Title\nbody\n"
        "[resource: file:///data.bin (application/octet-stream), 5 bytes]"
    )


def test_render_error_result_is_not_ok():
    result = types.CallToolResult(content=[types.TextContent(text="nope")], is_error=True)
    assert render(result) == (False, "nope")
    ok, text = render(types.CallToolResult(content=[], isError=True))
    assert not ok and text  # never an empty error


# =============================================================================
# 2. has_side_effects and tool_name
# =============================================================================
def _tool(annotations: types.ToolAnnotations | None) -> types.Tool:
    return types.Tool(name="t", input_schema={"type": "object"}, annotations=annotations)


@pytest.mark.parametrize(
    "annotations, expected",
    [
        (None, True),
        (types.ToolAnnotations(), True),
        (types.ToolAnnotations(read_only_hint=False), True),
        (types.ToolAnnotations(read_only_hint=True), False),
        (types.ToolAnnotations(read_only_hint=True, destructive_hint=False), False),
        (types.ToolAnnotations(read_only_hint=True, destructive_hint=True), True),
        (types.ToolAnnotations(destructive_hint=True), True),
    ],
    ids=["none", "empty", "ro-false", "ro", "ro-not-destructive", "ro-but-destructive", "destructive"],
)
def test_has_side_effects(annotations, expected):
    assert has_side_effects(_tool(annotations)) is expected


def test_tool_name_sanitises_and_caps():
    assert tool_name("files", "read_note") == "files__read_note"
    assert tool_name("web-1", "get.page/v2 now") == "web-1__get_page_v2_now"
    long = tool_name("s" * 32, "t" * 60)
    assert len(long) == 64 and long == ("s" * 32 + "__" + "t" * 60)[:64]
    assert all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in tool_name("é", "ü😀 x"))


# =============================================================================
# 3. The stdio fixture through MCPManager + ToolRegistry (shared servers)
# =============================================================================
@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared(tmp_path_factory):
    """fx (timeout 2 s, 'plain' disabled), always/never confirm, and odd (a bad tool schema)."""
    before = fixture_children()
    settings = MCPSettings(
        servers={
            "fx": fixture_server(timeout=2, disabled_tools=["plain"]),
            "always": fixture_server(confirm="always"),
            "never": fixture_server(confirm="never"),
            "odd": fixture_server(env={"MCP_FIXTURE_BAD_SCHEMA": "1"}),
        },
        startup_timeout=STARTUP,
    )
    manager, registry = await started(settings, tmp_path_factory.mktemp("mcp-logs"))
    try:
        yield SimpleNamespace(manager=manager, registry=registry, pids=fixture_children() - before)
    finally:
        await manager.aclose()
    assert_gone(fixture_children() - before)


@module_loop
async def test_servers_start_and_tools_are_named_server__tool(shared):
    assert {n: (c.state, c.error) for n, c in shared.manager.servers.items()} == {
        n: (READY, "") for n in ("fx", "always", "never", "odd")
    }
    assert len(shared.pids) == 4  # one child process per server
    names = set(shared.registry.names)
    for server in ("always", "never", "odd"):
        assert {f"{server}__{t}" for t in FIXTURE_TOOLS} <= names
    assert {f"fx__{t}" for t in FIXTURE_TOOLS if t != "plain"} <= names
    assert all(shared.registry.get(n).source == f"mcp:{n.split('__')[0]}" for n in names)


@module_loop
async def test_schemas_and_descriptions_pass_through_unchanged(shared):
    from tests.mcp_server import _tools

    listed = {t.name: t for t in _tools()}
    specs = {s["function"]["name"]: s for s in shared.registry.specs()}
    assert specs["fx__read_note"] == {
        "type": "function",
        "function": {"name": "fx__read_note", "description": "Read a note.", "parameters": READ_NOTE_SCHEMA},
    }
    for tool in FIXTURE_TOOLS:
        spec = specs[f"always__{tool}"]["function"]
        assert spec["parameters"] == listed[tool].input_schema
        assert spec["description"] == listed[tool].description
    assert shared.registry.get("fx__read_note").params is None  # the server checks its own arguments


@module_loop
async def test_side_effect_flags_and_confirm_modes(shared):
    get = shared.registry.get
    assert get("fx__read_note").side_effects is False
    assert get("fx__stats").side_effects is False
    assert get("fx__delete_note").side_effects is True  # destructive
    assert get("fx__slow").side_effects is True  # no annotations
    for name in ("fx__read_note", "fx__delete_note"):
        assert (get(name).always_confirm, get(name).never_confirm) == (False, False)
    for tool in ("read_note", "delete_note"):
        assert (get(f"always__{tool}").always_confirm, get(f"always__{tool}").never_confirm) == (True, False)
        assert (get(f"never__{tool}").always_confirm, get(f"never__{tool}").never_confirm) == (False, True)
    assert get("fx__read_note").timeout == 2 + STARTUP + 2  # the call timeout, room for a restart, slack
    assert get("always__read_note").timeout == 20 + STARTUP + 2  # the default timeout


@module_loop
async def test_disabled_tools_and_toggle_tool(shared):
    manager, registry = shared.manager, shared.registry
    assert "fx__plain" not in registry and not manager.is_enabled("fx", "plain")
    assert (await registry.execute("fx__plain", '{"text": "hi"}')).ok is False
    try:
        assert manager.toggle_tool("fx", "plain") is True
        assert "fx__plain" in registry and manager.is_enabled("fx", "plain")
        result = await registry.execute("fx__plain", '{"text": "hi"}')
        assert (result.ok, result.content) == (True, "hi")

        assert manager.toggle_tool("fx", "read_note") is False
        assert "fx__read_note" not in registry
        assert "always__read_note" in registry  # only that server's tool
    finally:
        if manager.is_enabled("fx", "plain"):
            manager.toggle_tool("fx", "plain")
        if not manager.is_enabled("fx", "read_note"):
            manager.toggle_tool("fx", "read_note")
    assert "fx__read_note" in registry and "fx__plain" not in registry


@module_loop
async def test_calls_and_rendered_results(shared):
    execute = shared.registry.execute
    result = await execute("fx__read_note", '{"name": "groceries"}')
    assert (result.ok, result.content) == (True, "note groceries: hello from mcp")

    result = await execute("fx__delete_note", '{"name": "old"}')
    assert (result.ok, result.content) == (True, "deleted old")

    result = await execute("fx__fail", '{"reason": "nope"}')
    assert (result.ok, result.content) == (False, "error: nope")

    result = await execute("fx__picture", "{}")
    assert (result.ok, result.content) == (True, "[image: 2×1 png]\nhere is a picture")

    result = await execute("fx__stats", "{}")
    assert result.ok and json.loads(result.content) == {"count": 3, "items": ["a", "b"]}
    assert result.content == json.dumps({"count": 3, "items": ["a", "b"]}, indent=2)  # pretty, shown once

    result = await execute("fx__read_note", "{}")  # the server checks the arguments
    assert (result.ok, result.content) == (False, "error: missing argument 'name'")

    with pytest.raises(CallFailed, match="refused the call"):  # a JSON-RPC error, not a result
        await shared.manager.servers["fx"].call("no_such_tool", {}, 5)


@module_loop
async def test_slow_call_times_out_and_the_server_keeps_working(shared):
    result = await shared.registry.execute("fx__slow", '{"seconds": 60}')
    assert not result.ok
    assert "timed out after 2 s" in result.content
    assert shared.manager.servers["fx"].state == READY
    result = await shared.registry.execute("fx__read_note", '{"name": "after"}')
    assert (result.ok, result.content) == (True, "note after: hello from mcp")


@module_loop
async def test_stderr_tail(shared):
    assert "mcp fixture server starting" in shared.manager.servers["fx"].stderr_tail()


@module_loop
async def test_bad_schema_tool_is_skipped_and_the_rest_work(shared):
    odd = shared.manager.servers["odd"]
    assert odd.state == READY
    assert [s for s in odd.skipped if s.startswith("bad_schema")], odd.skipped
    assert "odd__bad_schema" not in shared.registry
    assert "bad_schema" not in [t.name for t in odd.tools]
    result = await shared.registry.execute("odd__read_note", '{"name": "x"}')
    assert (result.ok, result.content) == (True, "note x: hello from mcp")


# =============================================================================
# 3b. A crash: clear error, restart on the next call, nothing left behind
# =============================================================================
async def test_crash_is_reported_then_the_next_call_restarts_it(tmp_path):
    before = fixture_children()
    settings = MCPSettings(servers={"fx": fixture_server()}, startup_timeout=STARTUP)
    manager, registry = await started(settings, tmp_path)
    conn = manager.servers["fx"]
    try:
        assert conn.state == READY, conn.error
        first = fixture_children() - before
        assert len(first) == 1

        result = await registry.execute("fx__crash", "{}")
        assert not result.ok
        assert "'fx' stopped during the call" in result.content and "next call restarts it" in result.content

        # the owner task notices the dead process (as it would while the model thinks) ...
        await wait_for(lambda: conn.state != READY, "the crash to be noticed")
        assert conn.state == FAILED
        assert "next call restarts it" in conn.error and "cannot connect" not in conn.error
        await wait_for(lambda: not (first & fixture_children()), "the crashed child to be reaped")
        # ... and its tools stay on offer, so that the next call can restart it
        assert {f"fx__{t}" for t in FIXTURE_TOOLS} <= set(registry.names)

        result = await registry.execute("fx__plain", '{"text": "again"}')
        assert (result.ok, result.content) == (True, "again")
        assert conn.state == READY
        second = fixture_children() - before
        assert len(second) == 1 and not (second & first)
        assert "mcp fixture server starting" in conn.stderr_tail()
        result = await registry.execute("fx__read_note", '{"name": "n"}')
        assert (result.ok, result.content) == (True, "note n: hello from mcp")
    finally:
        await manager.aclose()
    assert_gone(fixture_children() - before)


async def test_server_killed_while_idle_restarts_once_on_the_next_call(tmp_path):
    before = fixture_children()
    settings = MCPSettings(servers={"fx": fixture_server()}, startup_timeout=STARTUP)
    manager, registry = await started(settings, tmp_path)
    conn = manager.servers["fx"]
    try:
        assert conn.state == READY, conn.error
        (child,) = fixture_children() - before
        os.kill(child, 9)
        await wait_for(lambda: conn.state != READY, "the dead server to be noticed")
        assert conn.state == FAILED and "next call restarts it" in conn.error
        assert "fx__read_note" in registry

        result = await registry.execute("fx__read_note", '{"name": "n"}')
        assert (result.ok, result.content) == (True, "note n: hello from mcp")
        (child,) = fixture_children() - before

        # dead again, and this time the restart itself fails: one attempt, a clear error, tools withdrawn
        missing = str(tmp_path / "no-such-mcp-server")
        conn.config = conn.config.model_copy(update={"command": missing})
        os.kill(child, 9)
        await wait_for(lambda: conn.state != READY, "the dead server to be noticed")
        result = await registry.execute("fx__read_note", '{"name": "n"}')
        assert not result.ok
        assert f"'fx' is failed: command not found: {missing}" in result.content
        assert conn.state == FAILED and not any(n.startswith("fx__") for n in registry.names)
    finally:
        await manager.aclose()
    assert_gone(fixture_children() - before)


# =============================================================================
# 4. Start-up failures
# =============================================================================
async def test_missing_command_fails_clearly(tmp_path):
    missing = str(tmp_path / "no-such-mcp-server")
    settings = MCPSettings(servers={"gone": {"command": missing}}, startup_timeout=STARTUP)
    manager, registry = await started(settings, tmp_path)
    conn = manager.servers["gone"]
    try:
        assert conn.state == FAILED
        assert conn.error == f"command not found: {missing}"
        assert not registry
        with pytest.raises(CallFailed, match="is failed: command not found"):
            await conn.call("read_note", {"name": "x"}, 5)
    finally:
        await manager.aclose()


async def test_disabled_server_is_not_started(tmp_path):
    before = fixture_children()
    settings = MCPSettings(servers={"off": fixture_server(enabled=False)}, startup_timeout=STARTUP)
    manager, registry = await started(settings, tmp_path)
    conn = manager.servers["off"]
    try:
        await asyncio.sleep(0.2)  # a started process would show up by now
        assert conn.state == "disabled" and not registry
        assert not (fixture_children() - before)
        with pytest.raises(CallFailed, match="'off' is disabled"):
            await conn.call("read_note", {"name": "x"}, 5)
    finally:
        await manager.aclose()


async def test_hanging_server_hits_the_startup_timeout_and_leaves_no_orphan(tmp_path):
    before = fixture_children()
    settings = MCPSettings(servers={"hang": fixture_server(env={"MCP_FIXTURE_HANG": "1"})}, startup_timeout=1)
    manager = MCPManager(settings, ToolRegistry(), default_timeout=5, log_dir=tmp_path)
    conn = manager.servers["hang"]
    manager.start_all()
    try:
        await wait_for(lambda: fixture_children() - before or conn.state != "starting", "the child to start")
        spawned = fixture_children() - before
        assert spawned, "the hanging server was never started"
        await conn.wait_settled(30)
        assert conn.state == FAILED
        assert "mcp.startup_timeout" in conn.error and "initialize" in conn.error
        assert not manager.registry
    finally:
        await manager.aclose()
    assert conn.state == FAILED  # closing does not hide the failure
    assert_gone(spawned | (fixture_children() - before))


# =============================================================================
# 5. Streamable HTTP
# =============================================================================
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _wait_accepting(port: int, proc: subprocess.Popen, log: Path) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STARTUP
    while True:
        if proc.poll() is not None:
            pytest.fail(f"the HTTP fixture exited ({proc.returncode}): {log.read_text()}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if loop.time() > deadline:
                pytest.fail("the HTTP fixture never accepted a connection")
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return


async def _header_recorder(seen: list[bytes]):
    """Not an MCP server: records each request head and answers 404."""

    async def handle(reader, writer):
        try:
            seen.append(await reader.readuntil(b"\r\n\r\n"))
            writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


async def test_streamable_http_call_headers_and_server_death(tmp_path):
    port = _free_port()
    log = tmp_path / "http-fixture.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "tests.mcp_server", "--http", str(port)],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
    seen: list[bytes] = []
    recorder = await _header_recorder(seen)
    manager = None
    try:
        await _wait_accepting(port, proc, log)
        rec_port = recorder.sockets[0].getsockname()[1]
        settings = MCPSettings(servers={
            "web": {"url": f"http://127.0.0.1:{port}/mcp", "headers": {"Authorization": "Bearer test-token"},
                    "timeout": 10},
            "rec": {"url": f"http://127.0.0.1:{rec_port}/mcp", "headers": {"X-Tui-Probe": "probe-123"}},
        }, startup_timeout=STARTUP)
        manager, registry = await started(settings, tmp_path)
        web, rec = manager.servers["web"], manager.servers["rec"]

        assert web.state == READY, web.error
        assert {f"web__{t}" for t in FIXTURE_TOOLS} <= set(registry.names)
        result = await registry.execute("web__read_note", '{"name": "remote"}')
        assert (result.ok, result.content) == (True, "note remote: hello from mcp")
        result = await registry.execute("web__picture", "{}")
        assert (result.ok, result.content) == (True, "[image: 2×1 png]\nhere is a picture")
        assert web.stderr_tail() == []

        # the configured headers are sent; a non-MCP endpoint fails cleanly
        assert seen and all(b"x-tui-probe: probe-123" in head.lower() for head in seen), seen
        assert rec.state == FAILED and rec.error
        assert not any(n.startswith("rec__") for n in registry.names)

        # the server goes away: an error result, not a hang or an exception
        proc.kill()
        proc.wait()
        result = await asyncio.wait_for(registry.execute("web__read_note", '{"name": "x"}'), 30)
        assert not result.ok and "MCP server 'web'" in result.content, result.content
        await wait_for(lambda: web.state != READY, "the HTTP server's death to be noticed")
        assert web.state == FAILED and web.error
        # the next call tries one restart, which cannot connect
        result = await asyncio.wait_for(registry.execute("web__read_note", '{"name": "x"}'), 30)
        assert not result.ok
        assert "'web' is failed: cannot connect to http://127.0.0.1:" in result.content, result.content
        assert not any(n.startswith("web__") for n in registry.names)
        with pytest.raises(CallFailed, match="'web' is failed"):
            await asyncio.wait_for(web.call("read_note", {"name": "x"}, 5), 30)
    finally:
        if manager is not None:
            await manager.aclose()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        recorder.close()
        await recorder.wait_closed()


# =============================================================================
# 6. Settings
# =============================================================================
def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def _config_error(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    return str(info.value)


def test_server_needs_a_command_or_a_url(tmp_path):
    message = _config_error(_config(tmp_path, '[mcp.servers.x]\nargs = ["a"]\n'))
    assert "'mcp.servers.x'" in message and "command" in message and "url" in message
    message = _config_error(_config(tmp_path, '[mcp.servers.x]\ncommand = "a"\nurl = "http://h/mcp"\n'))
    assert "'mcp.servers.x'" in message and "exactly one" in message
    message = _config_error(_config(tmp_path, '[mcp.servers.x]\nurl = "ftp://h/mcp"\n'))
    assert "'mcp.servers.x'" in message and "http://" in message


def test_unknown_server_setting(tmp_path):
    message = _config_error(_config(tmp_path, '[mcp.servers.x]\ncommand = "a"\ncolour = "red"\n'))
    assert "unknown setting 'mcp.servers.x.colour'" in message
    message = _config_error(_config(tmp_path, '[mcp]\nstartup_timeuot = 3\n'))
    assert "unknown setting 'mcp.startup_timeuot'" in message


@pytest.mark.parametrize("name", ["bad name", "a.b", "x" * 33])
def test_bad_server_name(tmp_path, name):
    message = _config_error(_config(tmp_path, f'[mcp.servers."{name}"]\ncommand = "a"\n'))
    assert f"server name '{name}'" in message and "mcp.servers" in message


def test_valid_servers_load(tmp_path):
    path = _config(tmp_path, (
        '[mcp]\nstartup_timeout = 5\n'
        '[mcp.servers.files]\ncommand = "npx"\nargs = ["-y", "srv"]\nenv = { A = "1" }\n'
        'confirm = "always"\ndisabled_tools = ["rm"]\ntimeout = 3\n'
        '[mcp.servers.web]\nurl = "https://example.com/mcp"\nheaders = { Authorization = "Bearer t" }\n'
    ))
    mcp = load_settings(path).mcp
    assert mcp.startup_timeout == 5
    files, web = mcp.servers["files"], mcp.servers["web"]
    assert (files.command, files.args, files.env, files.confirm, files.disabled_tools, files.timeout) == (
        "npx", ["-y", "srv"], {"A": "1"}, "always", ["rm"], 3)
    assert (web.url, web.headers, web.command) == ("https://example.com/mcp", {"Authorization": "Bearer t"}, None)


def test_import_claude_json_relative_to_the_config_file(tmp_path):
    folder = tmp_path / "conf"
    folder.mkdir()
    (folder / "claude.json").write_text(json.dumps({"mcpServers": {
        "x": {"command": "from-json"},
        "y": {"command": "npx", "args": ["-y", "srv"], "env": {"A": "1"}, "disabled": True, "type": "stdio"},
        "z": {"url": "http://127.0.0.1:9/mcp", "headers": {"A": "b"}},
    }}))
    path = folder / "config.toml"
    path.write_text('[mcp]\nimport = "claude.json"\n[mcp.servers.x]\ncommand = "from-toml"\n')
    servers = load_settings(path).mcp.servers
    assert set(servers) == {"x", "y", "z"}
    assert servers["x"].command == "from-toml"  # the TOML wins
    assert (servers["y"].command, servers["y"].args, servers["y"].env, servers["y"].enabled) == (
        "npx", ["-y", "srv"], {"A": "1"}, False)
    assert (servers["z"].url, servers["z"].headers, servers["z"].enabled) == ("http://127.0.0.1:9/mcp", {"A": "b"}, True)


@pytest.mark.parametrize(
    "content, words",
    [
        (None, "file not found"),
        ("{not json", "not a readable JSON file"),
        ('{"servers": {}}', '"mcpServers"'),
        ('["a"]', '"mcpServers"'),
        ('{"mcpServers": {"x": {"args": []}}}', "server 'x'"),
        ('{"mcpServers": {"x": "npx"}}', "server 'x' must be an object"),
    ],
    ids=["missing", "invalid-json", "no-mcpServers", "not-an-object", "no-command", "entry-not-object"],
)
def test_import_errors(tmp_path, content, words):
    if content is not None:
        (tmp_path / "claude.json").write_text(content)
    message = _config_error(_config(tmp_path, '[mcp]\nimport = "claude.json"\n'))
    assert "mcp.import" in message and str(tmp_path / "claude.json") in message
    assert words in message


def test_cli_exits_2_on_a_bad_mcp_config(tmp_path):
    path = _config(tmp_path, '[mcp.servers.x]\nargs = ["a"]\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUI_CHAT_")}
    result = subprocess.run([sys.executable, "-m", "tui", "--config", str(path)], capture_output=True, text=True,
                            cwd=ROOT, env=env, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 2, result.stderr
    assert "'mcp.servers.x'" in result.stderr and "command" in result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
