"""The tool round trip in the app, against the loopback server with the real SDK."""

import sys

import pytest

from tests import sse_server as s
from tests.helpers import replies, screen_text, send, settle, wait_for
from tui.core.settings import ToolsSettings
from tui.screens.confirm import ConfirmScreen
from tui.screens.tool_detail import ToolDetailScreen
from tui.widgets.tool_sidebar import ToolCallItem

SIZE = (120, 40)
PY = sys.executable


def tools(tmp_path, **overrides):
    config = {
        "roots": [str(tmp_path)],
        "command": [
            {"name": "slow", "description": "Sleeps", "argv": [PY, "-c", "import time, sys; time.sleep(float(sys.argv[1])); print('woke')", "{secs}"],
             "parameters": {"secs": "number"}, "side_effects": False, "timeout": 0.5},
            {"name": "shout", "description": "Prints a lot", "argv": [PY, "-c", "print('A' * 3000)"], "side_effects": False},
            {"name": "touch_note", "description": "Writes a file", "argv": [PY, "-c", "print('wrote')"]},
        ],
    }
    config.update(overrides)
    return ToolsSettings.model_validate(config)




def states(app):
    return [item.state for item in app.query(ToolCallItem)]


async def test_parallel_read_only_calls_round_trip(make_app, server, tmp_path):
    calls = [("call_a", "get_time", '{"timezone": "UTC"}'), ("call_b", "calculator", '{"expression": "2**10 + 7"}')]
    server.queue(s.tool_calls_reply(calls), s.text_reply("2**10 + 7 is 1031."))
    app = make_app(tools=tools(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "time and maths")
        await wait_for(lambda: len(server.requests) == 2 and not app.streaming and not app.tools_running)
        await settle(pilot)
        assert states(app) == ["done", "done"]
        assert replies(app)[-1].text == "2**10 + 7 is 1031."
    first, second = server.requests
    assert {t["function"]["name"] for t in first["tools"]} >= {"get_time", "calculator", "read_file", "list_directory"}
    messages = second["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "tool", "tool"]
    assert messages[1] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "call_a", "type": "function", "function": {"name": "get_time", "arguments": '{"timezone": "UTC"}'}},
            {"id": "call_b", "type": "function", "function": {"name": "calculator", "arguments": '{"expression": "2**10 + 7"}'}},
        ],
    }
    assert messages[2]["tool_call_id"] == "call_a" and "UTC" in messages[2]["content"]
    assert messages[3] == {"role": "tool", "tool_call_id": "call_b", "content": "1031"}


async def test_side_effect_tool_asks_and_runs_once(make_app, server, tmp_path):
    server.queue(s.tool_calls_reply([("call_w", "touch_note", "{}")]), s.text_reply("Done."))
    app = make_app(tools=tools(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "write it", wait=False)
        await wait_for(lambda: isinstance(app.screen, ConfirmScreen))
        assert states(app) == ["awaiting approval"]
        assert "touch_note" in screen_text(app) and "side effects" in screen_text(app)
        await pilot.press("y")
        await wait_for(lambda: len(server.requests) == 2 and not app.streaming)
        await settle(pilot)
        assert states(app) == ["done"]
    assert server.requests[1]["messages"][-1] == {"role": "tool", "tool_call_id": "call_w", "content": "exit code 0\nwrote\n"}


async def test_denied_call_tells_the_model(make_app, server, tmp_path):
    server.queue(s.tool_calls_reply([("call_w", "touch_note", "{}")]), s.text_reply("Understood, I will not."))
    app = make_app(tools=tools(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "write it", wait=False)
        await wait_for(lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(lambda: len(server.requests) == 2 and not app.streaming)
        await settle(pilot)
        assert states(app) == ["denied"]
        assert replies(app)[-1].text == "Understood, I will not."
    assert server.requests[1]["messages"][-1] == {"role": "tool", "tool_call_id": "call_w", "content": "denied by the user"}


async def test_always_allow_skips_the_next_confirmation(make_app, server, tmp_path):
    server.queue(
        s.tool_calls_reply([("c1", "touch_note", "{}")]),
        s.tool_calls_reply([("c2", "touch_note", "{}")]),
        s.text_reply("Twice."),
    )
    app = make_app(tools=tools(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "write twice", wait=False)
        await wait_for(lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("a")
        await wait_for(lambda: len(server.requests) == 3 and not app.streaming and not app.tools_running)
        await settle(pilot)
        assert states(app) == ["done", "done"]


async def test_confirm_always_asks_even_for_read_only(make_app, server, tmp_path):
    server.queue(s.tool_calls_reply([("c1", "calculator", '{"expression": "1+1"}')]), s.text_reply("2"))
    app = make_app(tools=tools(tmp_path, confirm="always"))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "add", wait=False)
        await wait_for(lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")
        await wait_for(lambda: len(server.requests) == 2 and not app.streaming)
    assert server.requests[1]["messages"][-1]["content"] == "denied by the user"


async def test_every_error_kind_becomes_a_failed_result(make_app, server, tmp_path):
    calls = [
        ("e1", "no_such_tool", "{}"),
        ("e2", "calculator", '{"expression": '),
        ("e3", "calculator", '{"expr": "1"}'),
        ("e4", "slow", '{"secs": 5}'),
        ("e5", "read_file", '{"path": "../../etc/passwd"}'),
        ("e6", "shout", "{}"),
    ]
    server.queue(s.tool_calls_reply(calls, fragment_size=50), s.text_reply("I see the errors."))
    app = make_app(tools=tools(tmp_path, max_output=256))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "break things")
        await wait_for(lambda: len(server.requests) == 2 and not app.streaming and not app.tools_running)
        await settle(pilot)
        assert states(app) == ["failed", "failed", "failed", "failed", "failed", "done"]
        text = screen_text(app)
        assert "unknown tool" in text
    contents = {m["tool_call_id"]: m["content"] for m in server.requests[1]["messages"] if m["role"] == "tool"}
    assert "unknown tool 'no_such_tool'" in contents["e1"]
    assert "not valid JSON" in contents["e2"]
    assert "invalid arguments: expression: Field required" in contents["e3"]
    assert "timed out after 0.5 s" in contents["e4"]
    assert "outside the allowed folders" in contents["e5"]
    assert "[output truncated:" in contents["e6"] and len(contents["e6"]) < 400


async def test_loop_stops_after_max_rounds(make_app, server, tmp_path):
    loop_call = lambda i: s.tool_calls_reply([(f"c{i}", "calculator", '{"expression": "1+1"}')])  # noqa: E731
    server.queue(loop_call(1), loop_call(2), loop_call(3), s.text_reply("never sent"))
    app = make_app(tools=tools(tmp_path, max_rounds=2))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "loop forever")
        await wait_for(lambda: len(server.requests) == 3 and not app.streaming and not app.tools_running)
        await settle(pilot)
        assert "stopped: 2 tool rounds in a row" in replies(app)[-1].note_text  # the note wraps on screen
        assert states(app) == ["done", "done", "cancelled"]
        assert app.session.conversation.messages[-1].role == "tool"
    assert len(server.requests) == 3


async def test_escape_cancels_a_running_tool_and_the_loop(make_app, server, tmp_path):
    server.queue(s.tool_calls_reply([("c1", "slow", '{"secs": 0.4}')]), s.text_reply("Next turn works."))
    app = make_app(tools=tools(tmp_path, timeout=30, command=[
        {"name": "slow", "argv": [PY, "-c", "import time; time.sleep(20)"], "side_effects": False},
    ]))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "sleep", wait=False)
        await wait_for(lambda: states(app) == ["running"])
        await pilot.press("escape")
        await wait_for(lambda: not app.tools_running)
        await settle(pilot)
        assert states(app) == ["cancelled"]
        assert len(server.requests) == 1
        last = app.session.conversation.messages[-1]
        assert last.role == "tool" and last.content == "cancelled by the user"
        await send(pilot, "again")
    roles = [m["role"] for m in server.requests[-1]["messages"]]
    assert roles == ["user", "assistant", "tool", "user"]


async def test_detail_screen_shows_the_result(make_app, server, tmp_path):
    server.queue(s.tool_calls_reply([("c1", "calculator", '{"expression": "6*7"}')]), s.text_reply("42"))
    app = make_app(tools=tools(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "six times seven")
        await wait_for(lambda: len(server.requests) == 2 and not app.streaming)
        await settle(pilot)
        await pilot.press("ctrl+t", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ToolDetailScreen)
        text = screen_text(app)
        assert "Result" in text and "42" in text and "status: done" in text and "time:" in text


@pytest.mark.parametrize("enabled", [False])
async def test_tools_disabled_sends_no_tools(make_app, server, tmp_path, enabled):
    app = make_app(tools=tools(tmp_path, enabled=enabled))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "hi")
    assert "tools" not in server.requests[0]


async def test_ctrl_q_quits_even_while_a_confirmation_is_open(make_app, server, tmp_path):
    server.queue(s.tool_calls_reply([("call_w", "touch_note", "{}")]))
    app = make_app(tools=tools(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "write it", wait=False)
        await wait_for(lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("ctrl+q")
        await wait_for(lambda: app._exit)
    assert len(server.requests) == 1  # nothing ran, nothing more was sent
