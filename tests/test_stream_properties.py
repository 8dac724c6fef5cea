"""Property tests over the core's stream reading and tool-call assembly."""

import json

from hypothesis import given, settings, strategies as st

from tests import faults as f
from tui.core.conversation import Reply
from tui.core.errors import StreamError
from tui.core.stream import ContentDelta, Finish, ReasoningDelta, ToolCallDelta, Usage, parse_sse_lines
from tui.core.toolcalls import ToolCallAssembler

EVENT_TYPES = (ContentDelta, ReasoningDelta, ToolCallDelta, Usage, Finish)
RECORDED_LINES = [e.decode().rstrip("\n") for e in f.RECORDED]

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["choices", "delta", "content", "index", "tool_calls", "function", "name", "arguments", "id", "finish_reason", "usage", "error", "reasoning", "reasoning_content", "refusal", "x"]), inner, max_size=4),
    max_leaves=12,
)
chunk_shapes = st.one_of(
    json_values.map(lambda v: "data: " + json.dumps(v)),
    st.sampled_from(RECORDED_LINES),
    st.sampled_from(["", ": comment", "event: ping", "id: 1", "retry: 5", "data: [DONE]", "data: {not json", "data:", "garbage line"]),
    st.text(max_size=30),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(chunk_shapes, max_size=40))
def test_reader_yields_events_or_its_own_error(lines):
    reply = Reply()
    received = []
    try:
        for event in parse_sse_lines(lines):
            assert isinstance(event, EVENT_TYPES)
            reply.feed(event)
            if isinstance(event, ContentDelta):
                received.append(event.text)
    except StreamError as exc:
        assert exc.kind in ("midstream", "protocol")
    assert reply.text == "".join(received)
    for call in reply.tools.calls:
        call.pretty_arguments()
        call.to_api()


@settings(max_examples=300, deadline=None)
@given(st.permutations([e for e in RECORDED_LINES if '"tool_calls":[' in e]))
def test_tool_call_assembly_never_raises_in_any_order(lines):
    assembler = ToolCallAssembler()
    for line in lines:
        for fragment in json.loads(line[6:])["choices"][0]["delta"]["tool_calls"]:
            assembler.feed(fragment)
    names = sorted(call.name for call in assembler.calls)
    assert names == ["calculator", "get_time"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=len(RECORDED_LINES)), max_size=6))
def test_recorded_stream_with_lines_dropped_still_parses(drops):
    lines = [line for i, line in enumerate(RECORDED_LINES) if i not in set(drops)]
    reply = Reply()
    for event in parse_sse_lines(lines):
        reply.feed(event)
    expected = ""
    for line in lines:
        if line.startswith("data: {"):
            choices = json.loads(line[6:]).get("choices") or [{}]
            expected += choices[0].get("delta", {}).get("content") or ""
    assert reply.text == expected
