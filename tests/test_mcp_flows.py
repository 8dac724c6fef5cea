"""MCP tools in the app: the model calls them over the same round trip as the built-ins,
against the tests' MCP server (tests/mcp_server.py) over stdio and the loopback model server."""

import os
import sys
from pathlib import Path

from tests import sse_server as s
from tests.helpers import screen_text, send, settle, wait_for
from tui.core.settings import MCPSettings
from tui.screens.confirm import ConfirmScreen
from tui.screens.mcp import MCPScreen
from tui.widgets.tool_sidebar import ToolCallItem

SIZE = (120, 40)
ROOT = str(Path(__file__).resolve().parent.parent)


def mcp_settings(**servers) -> MCPSettings:
    base = {"command": sys.executable, "args": ["-m", "tests.mcp_server"], "cwd": ROOT}
    return MCPSettings.model_validate({"servers": {name: {**base, **extra} for name, extra in servers.items()}, "startup_timeout": 15})


def states(app):
    return [item.state for item in app.query(ToolCallItem)]


async def ready(app, name="notes"):
    await wait_for(lambda: app.mcp.servers[name].state in ("ready", "failed"), tries=1000)
    assert app.mcp.servers[name].state == "ready", app.mcp.servers[name].error


def server_pids(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and b"tests.mcp_server" in cmdline and " Z " not in stat[:60]:
            found.append(int(entry.name))
    return found


async def test_model_calls_a_read_only_mcp_tool_and_the_result_goes_back(make_app, server):
    server.queue(s.tool_calls_reply([("call_1", "notes__read_note", '{"name": "groceries"}')]), s.text_reply("Milk."))
    app = make_app(mcp=mcp_settings(notes={}))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app)
        await send(pilot, "read my note")
        await wait_for(lambda: len(server.requests) == 2 and not app.streaming and not app.tools_running)
        await settle(pilot)
        assert states(app) == ["done"]  # read-only: no confirmation
        assert "note groceries: hello from mcp" in screen_text(app)
    first, second = server.requests
    offered = {t["function"]["name"]: t["function"] for t in first["tools"]}
    assert offered["notes__read_note"]["parameters"]["properties"] == {"name": {"type": "string"}}
    assert "notes__crash" in offered and "get_time" in offered
    assert second["messages"][-1] == {"role": "tool", "tool_call_id": "call_1", "content": "note groceries: hello from mcp"}


async def test_destructive_tool_asks_first_then_denial_tells_the_model(make_app, server):
    calls = [("call_d", "notes__delete_note", '{"name": "old"}')]
    server.queue(s.tool_calls_reply(calls), s.text_reply("Deleted."), s.tool_calls_reply(calls), s.text_reply("OK, kept."))
    app = make_app(mcp=mcp_settings(notes={}))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app)
        await send(pilot, "delete it", wait=False)
        await wait_for(lambda: isinstance(app.screen, ConfirmScreen))
        assert "notes__delete_note" in screen_text(app) and "side effects" in screen_text(app)
        await pilot.press("y")
        await wait_for(lambda: len(server.requests) == 2 and not app.streaming and not app.tools_running)
        assert server.requests[1]["messages"][-1]["content"] == "deleted old"
        await send(pilot, "delete it again", wait=False)
        await wait_for(lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(lambda: len(server.requests) == 4 and not app.streaming and not app.tools_running)
        await settle(pilot)
        assert states(app)[-1] == "denied"
    assert server.requests[3]["messages"][-1]["content"] == "denied by the user"


async def test_is_error_result_is_a_failed_call(make_app, server):
    server.queue(s.tool_calls_reply([("call_f", "notes__fail", '{"reason": "disk on fire"}')]), s.text_reply("Sorry."))
    app = make_app(mcp=mcp_settings(notes={"confirm": "never"}))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app)
        await send(pilot, "fail please")
        await wait_for(lambda: len(server.requests) == 2 and not app.tools_running)
        await settle(pilot)
        assert states(app) == ["failed"]
    assert server.requests[1]["messages"][-1]["content"] == "error: disk on fire"


async def test_server_crash_mid_call_fails_the_call_and_the_next_call_restarts_it(make_app, server):
    server.queue(
        s.tool_calls_reply([("call_c", "notes__crash", "{}")]), s.text_reply("It crashed."),
        s.tool_calls_reply([("call_r", "notes__read_note", '{"name": "x"}')]), s.text_reply("Back."),
    )
    app = make_app(mcp=mcp_settings(notes={"confirm": "never"}))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app)
        first_pids = server_pids(os.getpid())
        await send(pilot, "crash it")
        await wait_for(lambda: len(server.requests) == 2 and not app.tools_running and not app.streaming)
        await settle(pilot)
        assert states(app) == ["failed"]
        crash_result = server.requests[1]["messages"][-1]["content"]
        assert "MCP server 'notes' stopped during the call" in crash_result
        await send(pilot, "read again")
        await wait_for(lambda: len(server.requests) == 4 and not app.tools_running and not app.streaming, tries=1000)
        await settle(pilot)
        assert server.requests[3]["messages"][-1]["content"] == "note x: hello from mcp"
        assert states(app)[-1] == "done"
        assert server_pids(os.getpid()) != first_pids


async def test_tools_screen_shows_states_and_restarts_a_server(make_app, server):
    app = make_app(mcp=mcp_settings(notes={}, broken={"command": "no-such-mcp-command"}))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app)
        await wait_for(lambda: app.mcp.servers["broken"].state == "failed")
        await pilot.press("f3")
        await wait_for(lambda: isinstance(app.screen, MCPScreen))
        text = screen_text(app)
        assert "notes  ready · 8 tools" in text
        assert "broken  failed" in text and "command not found: no-such-mcp-command" in text
        before = server_pids(os.getpid())
        tree = app.screen.query_one("Tree")
        tree.cursor_line = next(i for i in range(tree.last_line + 1) if tree.get_node_at_line(i).data == ("notes", ""))
        await pilot.press("r")
        await wait_for(lambda: app.mcp.servers["notes"].state == "starting", tries=200)
        await ready(app)
        await settle(pilot)
        assert server_pids(os.getpid()) != before
        assert "notes  ready · 8 tools" in screen_text(app)


async def test_toggling_a_tool_off_stops_offering_it(make_app, server):
    server.queue(s.text_reply("Hi."))
    app = make_app(mcp=mcp_settings(notes={}))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app)
        await pilot.press("f3")
        await wait_for(lambda: isinstance(app.screen, MCPScreen))
        tree = app.screen.query_one("Tree")
        tree.cursor_line = next(i for i in range(tree.last_line + 1) if tree.get_node_at_line(i).data == ("notes", "crash"))
        await pilot.press("space")
        await settle(pilot)
        assert "[ ] crash" in screen_text(app)
        await pilot.press("escape")
        await send(pilot, "hello")
    names = {t["function"]["name"] for t in server.requests[0]["tools"]}
    assert "notes__crash" not in names and "notes__read_note" in names


async def test_no_orphan_servers_after_quit(make_app, server):
    app = make_app(mcp=mcp_settings(notes={}, other={}))
    async with app.run_test(size=SIZE) as pilot:
        await ready(app)
        await ready(app, "other")
        assert len(server_pids(os.getpid())) == 2
        await pilot.press("ctrl+q")
    await wait_for(lambda: server_pids(os.getpid()) == [], tries=500)


async def test_the_app_starts_without_waiting_for_servers(make_app, server):
    """A server that never answers initialize does not hold up the UI; it is marked failed."""
    server.queue(s.text_reply("Hello."))
    app = make_app(mcp=MCPSettings.model_validate({"servers": {"hang": {
        "command": sys.executable, "args": ["-m", "tests.mcp_server"], "cwd": ROOT, "env": {"MCP_FIXTURE_HANG": "1"},
    }}, "startup_timeout": 1}))
    async with app.run_test(size=SIZE) as pilot:
        assert app.mcp.servers["hang"].state == "starting"
        await send(pilot, "hi")
        assert app.session.conversation.messages[-1].content == "Hello."
        await wait_for(lambda: app.mcp.servers["hang"].state == "failed", tries=500)
        assert "mcp.startup_timeout" in app.mcp.servers["hang"].error
