"""Pilot tests of the main flows, against the loopback server with the real SDK."""

import asyncio

import pytest
from textual.widgets import Collapsible

from tests import sse_server as s
from tests.conftest import TEST_KEY
from tests.helpers import replies, screen_text, send, settle, users, wait_for
from tui.core.settings import ToolsSettings
from tui.screens.help import HelpScreen
from tui.screens.tool_detail import ToolDetailScreen
from tui.widgets.error_banner import ErrorBanner
from tui.widgets.prompt_input import PromptInput
from tui.widgets.status_line import StatusLine
from tui.widgets.tool_sidebar import ToolCallItem, ToolSidebar

SIZE = (120, 40)
NO_TOOLS = ToolsSettings(enabled=False)


async def test_send_streams_reply_into_log(make_app, server):
    server.queue(s.markdown_reply())
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "How do I sort?")
        assert users(app) == ["How do I sort?"]
        (reply,) = replies(app)
        assert reply.text == s.MARKDOWN_TEXT
        text = screen_text(app)
        assert "Sorting in Python" in text and 'words = ["pear"' in text and "```" not in text
        status = app.query_one(StatusLine)
        assert status.state == "ready" and status.usage == "11 in · 7 out"
        assert app.query_one(PromptInput).text == ""
        assert app.session.conversation.messages[-1].content == s.MARKDOWN_TEXT


async def test_reply_text_arrives_incrementally(make_app, server):
    server.queue(s.paced(s.text_reply("one two three four five six seven eight"), 20))
    app = make_app()
    seen = []
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "count", wait=False)
        for _ in range(60):
            await asyncio.sleep(0.02)
            if replies(app):
                seen.append(replies(app)[0].text)
        await settle(pilot)
    partials = {t for t in seen if t and t != "one two three four five six seven eight"}
    assert len(partials) >= 2, seen


async def test_reasoning_shows_in_a_collapsible_block(make_app, server):
    scenario = s.reasoning_reply("Weighing the options.", "Final answer.")
    first_content = next(i for i, a in enumerate(scenario.actions) if a[0] == "chunk" and a[1]["choices"] and a[1]["choices"][0]["delta"].get("content"))
    scenario.actions.insert(first_content, ("stall",))
    server.queue(scenario)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "think", wait=False)
        for _ in range(100):
            await asyncio.sleep(0.02)
            if "Weighing the options." in screen_text(app):
                break
        assert "Reasoning" in screen_text(app) and "Weighing the options." in screen_text(app)
        server.release_stalls()
        await settle(pilot)
        assert "Final answer." in screen_text(app)
        assert app.query_one(Collapsible).collapsed
        assert app.session.conversation.messages[-1].reasoning == "Weighing the options."


async def test_tool_calls_appear_in_sidebar_while_streaming(make_app, server):
    calls = [("call_a", "get_time", '{"timezone": "Europe/Stockholm"}'), ("call_b", "calculator", '{"expression": "2+2"}')]
    scenario = s.tool_calls_reply(calls, fragment_size=3)
    # Stall after the first call's name is known, so we can look mid-stream.
    scenario.actions.insert(1, ("stall",))
    server.queue(scenario)
    app = make_app(tools=NO_TOOLS)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "time?", wait=False)
        for _ in range(100):
            await asyncio.sleep(0.02)
            if app.query(ToolCallItem):
                break
        (item,) = app.query(ToolCallItem)
        assert item.call.name == "get_time" and item.state == "assembling"
        assert "calling get_time" in screen_text(app)
        server.release_stalls()
        await settle(pilot)
        items = list(app.query(ToolCallItem))
        assert [i.call.name for i in items] == ["get_time", "calculator"]
        assert all(i.state == "requested" for i in items)
        assert '"timezone": "Europe/Stockholm"' in screen_text(app)
        assert "model requested 2 tool calls" in screen_text(app)
        assert app.session.conversation.messages[-1].tool_calls[0]["id"] == "call_a"


async def test_whole_call_with_stop_finish_counts_as_tool_call(make_app, server):
    server.queue(s.whole_tool_call_reply("", "list_directory", '{"path": "."}'))
    app = make_app(tools=NO_TOOLS)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "ls")
        assert "model requested 1 tool call" in screen_text(app)


async def test_invalid_tool_json_is_marked(make_app, server):
    server.queue(s.tool_calls_reply([("call_x", "read_file", '{"path": "README.md", ')]))
    app = make_app(tools=NO_TOOLS)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "read")
        (item,) = app.query(ToolCallItem)
        assert item.state == "invalid"
        assert "invalid JSON" in screen_text(app)


async def test_keyboard_navigation_and_detail_screen(make_app, server):
    calls = [("call_a", "get_time", '{"timezone": "UTC"}'), ("call_b", "calculator", '{"expression": "2+2"}')]
    server.queue(s.tool_calls_reply(calls))
    app = make_app(tools=NO_TOOLS)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "tools")
        await pilot.press("ctrl+t")
        sidebar = app.query_one(ToolSidebar)
        assert app.focused is sidebar and sidebar.selected == 0
        await pilot.press("j")
        assert sidebar.selected == 1
        await pilot.press("k")
        await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ToolDetailScreen)
        text = screen_text(app)
        assert "calculator" in text and "call_b" in text and '"expression": "2+2"' in text and "fragments:" in text
        await pilot.press("c")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ToolDetailScreen)
        assert app.clipboard == '{"expression": "2+2"}'


@pytest.mark.parametrize(
    "scenario, words",
    [
        (s.error_midstream("Partial answer"), "reported an error during the reply"),
        (s.cut_midstream("Partial answer"), "connection to the server was lost"),
    ],
)
async def test_midstream_failure_keeps_partial_and_retry_works(make_app, server, scenario, words):
    server.queue(scenario, s.text_reply("Recovered reply."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "question")
        banner = app.query_one(ErrorBanner)
        assert banner.visible and words in screen_text(app)
        (reply,) = replies(app)
        assert reply.text.startswith("Partial") and "interrupted" in screen_text(app)
        assert app.session.conversation.messages[-1].status == "interrupted"
        assert app.focused is banner
        await pilot.press("r")
        await settle(pilot)
        assert not banner.visible
        assert users(app) == ["question"]
        assert [r.text for r in replies(app)] == ["Recovered reply."]
        body = server.requests[-1]
        assert [m["role"] for m in body["messages"]] == ["user"]


async def test_stall_shows_timeout_banner(make_app, server):
    server.queue(s.stall_after("Partial"))
    app = make_app(read_timeout=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "slow")
        server.release_stalls()
        assert "No data from the server for 0.5 s" in screen_text(app)
        assert replies(app)[0].text == "Partial"


@pytest.mark.parametrize(
    "status, words",
    [(401, "rejected the API key"), (404, "model name or the endpoint URL"), (429, "Rate limited"), (500, "HTTP 500")],
)
async def test_http_error_banner_restores_prompt(make_app, server, status, words):
    server.queue(s.http_error(status, message=f"bad key {TEST_KEY}"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "my precious prompt")
        text = screen_text(app)
        assert words in text and TEST_KEY not in text and "Traceback" not in text
        assert app.query_one(PromptInput).text == "my precious prompt"
        assert users(app) == ["my precious prompt"]
        await pilot.press("x")
        assert not app.query_one(ErrorBanner).visible
        assert app.focused is app.query_one(PromptInput)


async def test_retry_after_http_error_does_not_duplicate_user_message(make_app, server):
    server.queue(s.http_error(500), s.text_reply("Fine now."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "hello")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert users(app) == ["hello"]
        assert [m["role"] for m in server.requests[-1]["messages"]] == ["user"]
        assert replies(app)[-1].text == "Fine now."
        assert app.query_one(PromptInput).text == ""


async def test_no_key_banner_names_the_variables(make_app, server):
    app = make_app(api_key=None, base_url="https://api.example.invalid/v1")
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "hi")
        assert "OPPER_API_KEY" in screen_text(app)
        assert server.requests == []
        assert app.query_one(PromptInput).text == "hi"


async def test_escape_cancels_stream_and_keeps_partial(make_app, server):
    server.queue(s.stall_after("Partial reply"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "go", wait=False)
        for _ in range(100):
            await asyncio.sleep(0.02)
            if replies(app) and replies(app)[0].text:
                break
        await pilot.press("escape")
        await settle(pilot)
        server.release_stalls()
        assert not app.streaming
        assert replies(app)[0].text == "Partial reply"
        assert "stopped" in screen_text(app)
        assert app.session.conversation.messages[-1].status == "stopped"
        assert not [w for w in app.workers if w.group == "reply" and w.is_running]


async def test_send_while_streaming_queues_the_prompt(make_app, server):
    """Issue 17: Enter while a reply streams queues the prompt instead of refusing it."""
    first = s.text_reply("Partial answer.")
    first.actions.insert(2, ("stall",))
    server.queue(first, s.text_reply("Second answer."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "first", wait=False)
        await wait_for(lambda: app.streaming and replies(app) and replies(app)[0].text == "Partial ")
        await send(pilot, "second", wait=False)
        await pilot.pause()
        assert app.query_one(PromptInput).text == "" and app.session.queue.texts == ["second"]
        server.release_stalls()
        await wait_for(lambda: users(app) == ["first", "second"] and not app.streaming and len(replies(app)) == 2)
        await settle(pilot)
        assert replies(app)[1].text == "Second answer."


async def test_multi_turn_request_body(make_app, server):
    server.queue(
        s.text_reply("First answer."),
        s.tool_calls_reply([("call_a", "get_time", '{"timezone": "UTC"}')]),
        s.stall_after("Partial"),
        s.text_reply("Last."),
    )
    app = make_app(system_prompt="Be brief.", tools=NO_TOOLS)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "one")
        await send(pilot, "two")
        await send(pilot, "three", wait=False)
        await wait_for(lambda: app.streaming and replies(app)[-1].text == "Partial")
        await pilot.press("escape")
        server.release_stalls()
        await settle(pilot)
        await send(pilot, "four")
    messages = server.requests[-1]["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user", "assistant", "user", "assistant", "user"]
    assert messages[0]["content"] == "Be brief."
    assert messages[2] == {"role": "assistant", "content": "First answer."}
    assert messages[4]["tool_calls"][0] == {"id": "call_a", "type": "function", "function": {"name": "get_time", "arguments": '{"timezone": "UTC"}'}}
    assert messages[6] == {"role": "assistant", "content": "Partial"}
    assert server.requests[-1]["model"] == "test-model"


async def test_finish_reason_notes(make_app, server):
    server.queue(s.finish_only("Cut here", "length"), s.finish_only("Blocked", "content_filter"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "a")
        await send(pilot, "b")
        text = screen_text(app)
        assert "cut off at the token limit" in text
        assert "blocked or changed by a content filter / guard rule" in text


async def test_markup_and_escapes_are_rendered_literally(make_app, server):
    hostile = "Literal [bold]x[/] [@click=app.quit]y[/] \x1b[31mred\x1b[0m \x1b]52;c;aGk=\x07end"
    server.queue(s.text_reply(hostile), s.tool_calls_reply([("c1", "f[bold]x[/]", '{"a": "[@click=app.quit]\\u001b[2J"}')]))
    app = make_app(tools=NO_TOOLS)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "[red]user markup[/]")
        await send(pilot, "tools")
        text = screen_text(app)
        assert "[bold]x[/]" in text and "[@click=app.quit]y[/]" in text
        assert "[red]user markup[/]" in text
        assert "f[bold]x[/]" in text
        assert "\x1b" not in text and "aGk=" not in text
        assert app.is_running


async def test_prompt_history_and_newline(make_app, server):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "first prompt")
        await send(pilot, "second prompt")
        prompt = app.query_one(PromptInput)
        await pilot.press("up")
        assert prompt.text == "second prompt"
        await pilot.press("up")
        assert prompt.text == "first prompt"
        await pilot.press("down")
        await pilot.press("down")
        assert prompt.text == ""
        await pilot.press("a", "ctrl+j", "b")
        assert prompt.text == "a\nb"


async def test_help_screen_lists_bindings(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "^t" in text and "Focus the tool-call sidebar" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_keymap_remaps_a_binding(make_app):
    app = make_app(keymap={"app.focus_tools": "ctrl+g"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+g")
        assert app.focused is app.query_one(ToolSidebar)


async def test_sidebar_collapses_on_narrow_terminal_and_toggles(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        sidebar = app.query_one(ToolSidebar)
        assert sidebar.has_class("-hidden")
        await pilot.press("ctrl+b")
        assert not sidebar.has_class("-hidden")
        await pilot.press("ctrl+b")
        assert sidebar.has_class("-hidden")
