"""Checks that the scripted server looks like a real endpoint to the real OpenAI SDK."""

from __future__ import annotations

import asyncio

import openai
import pytest

from tests.helpers import wait_for
from tests.sse_server import (
    Scenario,
    ScriptedServer,
    chunk,
    cut_midstream,
    error_midstream,
    http_error,
    stall_after,
    text_reply,
    token_stream,
    tool_calls_reply,
)

MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.fixture
def server():
    with ScriptedServer() as srv:
        yield srv


@pytest.fixture
async def client(server):
    async with openai.AsyncOpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0) as c:
        yield c


async def _stream(client, **kwargs):
    return await client.chat.completions.create(
        model="test-model", messages=MESSAGES, stream=True,
        stream_options={"include_usage": True}, **kwargs,
    )


async def test_text_stream_collects_text_usage_and_records_request(server, client):
    server.queue(text_reply("Hello there, general Kenobi.", pieces=5))
    text, usage = "", None
    async for event in await _stream(client, temperature=0.5):
        if event.choices:
            text += event.choices[0].delta.content or ""
        if event.usage:
            usage = event.usage
    assert text == "Hello there, general Kenobi."
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (11, 7, 18)
    body = server.requests[0]
    assert body["messages"] == MESSAGES and body["stream"] is True and body["temperature"] == 0.5
    assert body["stream_options"] == {"include_usage": True}
    assert server.request_headers[0]["authorization"] == "Bearer sk-test"


async def test_default_scenario_and_keep_alive(server, client):
    for _ in range(3):  # sequential requests reuse one pooled connection
        parts = [e.choices[0].delta.content or "" async for e in await _stream(client) if e.choices]
        assert "".join(parts) == "Hello from the test server."
    assert len(server.requests) == 3


async def test_tool_call_fragments_reassemble(server, client):
    calls = [("call_a", "get_weather", '{"city": "Paris"}'), ("call_b", "get_time", '{"tz": "UTC"}')]
    server.queue(tool_calls_reply(calls, fragment_size=3))
    args: dict[int, str] = {}
    finish = None
    async for event in await _stream(client):
        for choice in event.choices:
            finish = choice.finish_reason or finish
            for tc in choice.delta.tool_calls or []:
                args[tc.index] = args.get(tc.index, "") + (tc.function.arguments or "")
    assert args == {0: calls[0][2], 1: calls[1][2]} and finish == "tool_calls"


@pytest.mark.parametrize(
    ("status", "exc", "code"),
    [
        (401, openai.AuthenticationError, "invalid_api_key"),
        (404, openai.NotFoundError, "model_not_found"),
        (429, openai.RateLimitError, "rate_limit_exceeded"),
        (500, openai.InternalServerError, None),
    ],
)
async def test_http_errors_map_to_sdk_exceptions(server, client, status, exc, code):
    server.queue(http_error(status))
    with pytest.raises(exc) as info:
        await _stream(client)
    assert info.value.status_code == status and info.value.code == code
    if status == 429:
        assert info.value.response.headers["retry-after"] == "1"


async def test_error_event_midstream_raises_api_error(server, client):
    server.queue(error_midstream())
    seen = ""
    with pytest.raises(openai.APIError) as info:
        async for event in await _stream(client):
            seen += (event.choices[0].delta.content or "") if event.choices else ""
    assert seen == "Partial answer"
    assert info.value.message == "Upstream model failed"
    # Plain APIError (no status code): the HTTP status of the stream was 200.
    assert not isinstance(info.value, openai.APIStatusError)


async def test_cut_midstream_raises_connection_error(server, client):
    server.queue(cut_midstream())
    seen = ""
    # The SDK wraps httpx2's RemoteProtocolError ("incomplete chunked read")
    # into openai.APIConnectionError in AsyncStream._iter_events.
    with pytest.raises(openai.APIConnectionError):
        async for event in await _stream(client):
            seen += (event.choices[0].delta.content or "") if event.choices else ""
    assert seen == "Partial answer"


@pytest.mark.parametrize("tail", [b"3", b"%x\r\ndata: {\"choi" % 40])
async def test_cut_bytes_mid_frame_raises_connection_error(server, client, tail):
    # Cut inside the chunk-size line, or inside a chunk's payload.
    server.queue(Scenario([("chunk", chunk({"content": "ok"})), ("cut_bytes", tail)]))
    with pytest.raises(openai.APIConnectionError):
        async for _ in await _stream(client):
            pass


async def test_raw_comments_and_split_events(server, client):
    event = b'data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m",' \
            b'"choices":[{"index":0,"delta":{"content":"joined"}}]}\n\n'
    server.queue(Scenario([("raw", b": PING\n\n"), ("raw", event[:50]), ("raw", event[50:]), ("done",)]))
    parts = [e.choices[0].delta.content async for e in await _stream(client)]
    assert parts == ["joined"]


async def test_stall_is_released(server, client):
    server.queue(stall_after("Wait"))
    stream = await _stream(client)
    first = [await stream.__anext__() for _ in range(2)]
    assert first[1].choices[0].delta.content == "Wait"
    pending = asyncio.ensure_future(stream.__anext__())
    await asyncio.sleep(0.1)
    assert not pending.done()
    server.release_stalls()
    with pytest.raises(StopAsyncIteration):  # body ends cleanly, without [DONE]
        await asyncio.wait_for(pending, 2)


async def test_stop_is_fast_with_stalled_stream():
    srv = ScriptedServer().start()
    srv.queue(stall_after())
    async with openai.AsyncOpenAI(base_url=srv.base_url, api_key="sk-test", max_retries=0) as c:
        stream = await _stream(c)
        await stream.__anext__()
        assert srv._conns  # the stalled handler holds its connection
        await asyncio.to_thread(srv.stop)
        await wait_for(lambda: not srv._conns)  # stop() woke the stalled handler, which finished
        with pytest.raises(openai.APIConnectionError):
            async for _ in stream:
                pass


async def test_token_stream_many_tokens(server, client):
    tokens = [f"t{i} " for i in range(500)]
    server.queue(token_stream(tokens))
    parts = [e.choices[0].delta.content or "" async for e in await _stream(client) if e.choices]
    assert "".join(parts) == "".join(tokens)


async def test_models_list_and_unknown_path(server, client):
    models = await client.models.list()
    assert [m.id for m in models.data] == ["test-model"]
    with pytest.raises(openai.NotFoundError) as info:
        await client.get("/nope", cast_to=object)
    assert info.value.body["message"] == "not found"
