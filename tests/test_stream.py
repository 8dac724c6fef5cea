"""The core stream reader and error classification, over real HTTP with the real SDK."""

import json

import pytest

from tests import sse_server as s
from tests.conftest import TEST_KEY
from tui.core import stream as core
from tui.core.client import make_client
from tui.core.conversation import Reply
from tui.core.errors import StreamError, classify


async def run(settings, scenario, server, read_timeout=5.0):
    server.queue(scenario)
    reply = Reply()
    client = make_client(settings)
    request = {"model": "test-model", "messages": [{"role": "user", "content": "hi"}]}
    try:
        async for event in core.stream_chat(client, request, read_timeout):
            reply.feed(event)
    except Exception as exc:  # noqa: BLE001 - the test inspects it
        return reply, exc
    finally:
        await client.close()
    return reply, None


async def test_plain_text_and_usage(settings, server):
    reply, exc = await run(settings, s.text_reply("Hello there, friend."), server)
    assert exc is None
    assert reply.text == "Hello there, friend." and reply.finish_reason == "stop"
    assert reply.usage.prompt_tokens == 11 and reply.usage.completion_tokens == 7
    body = server.requests[-1]
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert server.request_headers[-1]["authorization"] == f"Bearer {TEST_KEY}"


async def test_cost_from_top_level_or_opper_usage(settings, server):
    usage = s.usage_chunk(cost=0.0123)
    reply, _ = await run(settings, s.Scenario([("chunk", s.chunk({"content": "x"}, "stop")), ("chunk", usage), ("done",)]), server)
    assert reply.usage.cost == pytest.approx(0.0123)
    usage = s.usage_chunk()
    usage["usage"]["opper"] = {"cost": {"total": 0.5}}
    reply, _ = await run(settings, s.Scenario([("chunk", s.chunk({"content": "x"}, "stop")), ("chunk", usage), ("done",)]), server)
    assert reply.usage.cost == 0.5


async def test_parallel_tool_calls_in_small_fragments(settings, server):
    calls = [("call_a", "get_time", '{"timezone": "UTC"}'), ("call_b", "calculator", '{"expression": "1+2"}')]
    reply, exc = await run(settings, s.tool_calls_reply(calls, fragment_size=3), server)
    assert exc is None
    assert [(c.id, c.name, c.arguments) for c in reply.tools.calls] == calls


async def test_whole_call_without_type_and_stop_finish(settings, server):
    reply, exc = await run(settings, s.whole_tool_call_reply("", "list_directory", '{"path": "."}'), server)
    assert exc is None and reply.finish_reason == "stop"
    (call,) = reply.tools.calls
    assert call.name == "list_directory" and call.parsed_arguments()[0] == {"path": "."}


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
async def test_reasoning_fields(settings, server, field):
    reply, _ = await run(settings, s.reasoning_reply("Thinking hard.", "Answer.", field=field), server)
    assert reply.reasoning == "Thinking hard." and reply.text == "Answer."


async def test_sse_comments_and_empty_content_are_skipped(settings, server):
    scenario = s.Scenario([
        ("raw", b": OPENROUTER PROCESSING\n\n"),
        ("chunk", s.chunk({"role": "assistant", "content": ""})),
        ("chunk", s.chunk({"content": None})),
        ("raw", b"event: ping\n\n"),
        ("chunk", s.chunk({"content": "ok"})),
        ("chunk", s.chunk({}, "stop")),
        ("chunk", s.chunk({}, "stop")),
        ("chunk", s.usage_chunk()),
        ("done",),
    ])
    reply, exc = await run(settings, scenario, server)
    assert exc is None and reply.text == "ok" and reply.finish_reason == "stop"


async def test_error_chunk_midstream_keeps_partial_text(settings, server):
    reply, exc = await run(settings, s.error_midstream("Partial answer"), server)
    assert isinstance(exc, StreamError) and exc.kind == "midstream"
    assert reply.text.startswith("Partial")
    failure = classify(exc, secret=TEST_KEY)
    assert failure.kind == "midstream" and "Upstream model failed" in failure.detail


async def test_cut_connection_is_a_connection_failure(settings, server):
    reply, exc = await run(settings, s.cut_midstream("Partial answer"), server)
    assert exc is not None and reply.text.startswith("Partial")
    assert classify(exc).kind == "connection"


async def test_stall_hits_the_read_timeout(settings, server):
    reply, exc = await run(settings, s.stall_after("Partial"), server, read_timeout=0.5)
    server.release_stalls()
    assert isinstance(exc, StreamError) and exc.kind == "idle"
    assert classify(exc, read_timeout=0.5).kind == "idle" and reply.text == "Partial"


async def test_the_idle_timeout_counts_from_the_last_line_not_the_first(monkeypatch):
    """The deadline moves lazily (see read_events): a steady stream slower than the slack
    but faster than the timeout never trips it, and the silence that does is at least the
    timeout. The loop runs on a virtual clock, so nothing here races the real one."""
    import asyncio

    loop = asyncio.get_running_loop()
    now = [loop.time()]
    monkeypatch.setattr(loop, "time", lambda: now[0])
    word = "data: " + json.dumps(s.chunk({"content": "w "}))
    stop = "data: " + json.dumps(s.chunk({}, "stop"))
    silence = asyncio.Event()
    last_line = [0.0]

    async def lines(gaps: list[float], then_silence: bool):
        for gap in gaps:
            now[0] += gap
            await asyncio.sleep(0)  # timers now due run here, as they would in real time
            last_line[0] = now[0]
            yield word
        if then_silence:
            silence.set()
            await asyncio.Event().wait()
        yield stop

    async def read(gaps, then_silence=False, timeout=0.8):
        reply = Reply()
        try:
            async for event in core.read_events(lines(gaps, then_silence), timeout):
                reply.feed(event)
        except StreamError as exc:
            return reply, exc, now[0]
        return reply, None, now[0]

    reply, exc, _ = await read([0.25] * 12)  # 3 s of lines 0.25 s apart, timeout 0.8 s
    assert exc is None and reply.text == "w " * 12

    async def tick():  # the clock goes on while the stream is silent
        await silence.wait()
        while True:
            now[0] += 0.01
            await asyncio.sleep(0)

    ticker = asyncio.ensure_future(tick())
    try:
        reply, exc, tripped = await read([0.5, 0.5], then_silence=True, timeout=0.8)
    finally:
        ticker.cancel()
    assert isinstance(exc, StreamError) and exc.kind == "idle" and reply.text == "w w "
    silent_for = tripped - last_line[0]
    assert 0.8 <= silent_for <= 0.8 + 0.8 / 8 + 0.03  # the timeout, plus at most the slack (and one 0.01 tick)


async def test_stream_without_finish_or_done_is_truncated(settings, server):
    reply, exc = await run(settings, s.Scenario([("chunk", s.chunk({"content": "abc"}))]), server)
    assert isinstance(exc, StreamError) and exc.kind == "truncated" and reply.text == "abc"


@pytest.mark.parametrize(
    "status, kind",
    [(401, "auth"), (403, "auth"), (404, "not_found"), (429, "rate_limit"), (500, "server"), (400, "bad_request")],
)
async def test_http_errors_before_the_stream(settings, server, status, kind):
    _, exc = await run(settings, s.http_error(status), server)
    failure = classify(exc, secret=TEST_KEY)
    assert failure.kind == kind and failure.status == status
    if status == 429:
        assert failure.retry_after == 1 and "Wait 1 s" in failure.hint
    assert TEST_KEY not in failure.text


async def test_key_is_scrubbed_from_error_messages(settings, server):
    _, exc = await run(settings, s.http_error(401, message=f"Incorrect API key provided: {TEST_KEY}"), server)
    failure = classify(exc, secret=TEST_KEY)
    assert TEST_KEY not in failure.text and "***" in failure.detail


async def test_connection_refused(settings):
    settings = settings.model_copy(update={"base_url": "http://127.0.0.1:9/v1"})
    client = make_client(settings)
    with pytest.raises(Exception) as info:
        async for _ in core.stream_chat(client, {"model": "m", "messages": []}, 5):
            pass
    assert classify(info.value).kind == "connection"


def test_parse_sse_lines_sync_twin():
    lines = [
        "data: " + json.dumps(s.chunk({"content": "a"})), "",
        ": comment", "",
        "data: " + json.dumps(s.chunk({"content": "b"}, "stop")), "",
        "data: [DONE]", "",
    ]
    events = list(core.parse_sse_lines(lines))
    assert [type(e).__name__ for e in events] == ["ContentDelta", "ContentDelta", "Finish"]


@pytest.mark.parametrize(
    "payload",
    [{"object": "x"}, {"choices": [{"delta": "str"}]}, {"choices": [{"delta": {"tool_calls": {"function": {"name": "f"}}}}]}, {"choices": "nope"}, [1, 2], "str"],
)
def test_wrong_shapes_never_crash(payload):
    list(core.parse_chunk(payload))


def test_non_json_data_is_a_protocol_error():
    with pytest.raises(StreamError) as info:
        list(core.parse_sse_lines(["data: {not json}", ""]))
    assert info.value.kind == "protocol"


async def test_unicode_line_separators_do_not_split_a_data_line(settings, server):
    text = "one\u2028two\u2029three\x85four\x0bfive\x1cend"
    reply, exc = await run(settings, s.text_reply(text, pieces=2), server)
    assert exc is None and reply.text == text
