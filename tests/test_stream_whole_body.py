"""A server that ignores `stream: true` and answers with one whole JSON `chat.completion`:
the answer is shown as if it had been streamed. Real SDK, real HTTP, the loopback server."""

import pytest

from tests import sse_server as s
from tests.test_stream import run
from tui.core.errors import StreamError


async def test_the_answer_of_a_whole_json_body_is_read(settings, server):
    reply, exc = await run(settings, s.whole_completion("The whole answer, at once."), server)
    assert exc is None
    assert reply.text == "The whole answer, at once." and reply.finish_reason == "stop"
    assert reply.usage.prompt_tokens == 11 and reply.usage.completion_tokens == 7
    assert server.requests[-1]["stream"] is True


async def test_tool_calls_in_a_whole_json_body(settings, server):
    calls = [("call_a", "get_time", '{"timezone": "UTC"}'), ("call_b", "calculator", '{"expression": "1+2"}')]
    reply, exc = await run(settings, s.whole_completion(None, calls, finish_reason="tool_calls"), server)
    assert exc is None and reply.finish_reason == "tool_calls"
    assert [(c.id, c.name, c.arguments) for c in reply.tools.calls] == calls


@pytest.mark.parametrize("reason", ["length", "content_filter"])
async def test_finish_reason_and_reasoning_of_a_whole_json_body(settings, server, reason):
    scenario = s.whole_completion("Cut", finish_reason=reason, usage=False, reasoning_content="Thinking first.")
    reply, exc = await run(settings, scenario, server)
    assert exc is None and reply.text == "Cut" and reply.finish_reason == reason
    assert reply.reasoning == "Thinking first."


async def test_a_whole_body_without_finish_reason_is_still_complete(settings, server):
    reply, exc = await run(settings, s.whole_completion("Done anyway.", finish_reason=None), server)
    assert exc is None and reply.text == "Done anyway." and reply.finish_reason == "stop"


async def test_an_error_object_in_a_whole_200_body(settings, server):
    body = {"error": {"message": "model overloaded", "code": "overloaded"}}
    reply, exc = await run(settings, s.Scenario([("status", 200, body, {})]), server)
    assert isinstance(exc, StreamError) and "model overloaded" in str(exc)
