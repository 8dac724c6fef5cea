"""Tool-call assembly from fragments, as real servers send them."""

import json

from hypothesis import given, settings, strategies as st

from tui.core.toolcalls import ToolCallAssembler

CALLS = [
    ("call_a", "get_time", json.dumps({"timezone": "Europe/Stockholm"})),
    ("call_b", "calculator", json.dumps({"expression": "2 ** 10 + 7 * (3 - 1)"})),
]


def test_fragments_keyed_by_index_concatenate_arguments():
    asm = ToolCallAssembler()
    asm.feed({"index": 0, "id": "call_a", "type": "function", "function": {"name": "get_time", "arguments": ""}})
    asm.feed({"index": 1, "id": "call_b", "type": "function", "function": {"name": "calc", "arguments": '{"a"'}})
    asm.feed({"index": 0, "function": {"arguments": '{"tz":'}})
    asm.feed({"index": 1, "function": {"arguments": ": 1}"}})
    asm.feed({"index": 0, "function": {"arguments": ' "UTC"}'}})
    a, b = asm.calls
    assert (a.id, a.name, a.arguments) == ("call_a", "get_time", '{"tz": "UTC"}')
    assert (b.id, b.name, b.arguments) == ("call_b", "calc", '{"a": 1}')


def test_repeated_name_and_id_are_not_doubled():
    asm = ToolCallAssembler()
    for piece in ['{"x"', ": 1", "}"]:
        asm.feed({"index": 0, "id": "call_1", "function": {"name": "get_time", "arguments": piece}})
    (call,) = asm.calls
    assert call.name == "get_time" and call.id == "call_1" and call.arguments == '{"x": 1}'


def test_empty_name_does_not_erase_name():
    asm = ToolCallAssembler()
    asm.feed({"index": 0, "id": "c", "function": {"name": "f", "arguments": ""}})
    asm.feed({"index": 0, "function": {"name": "", "arguments": "{}"}})
    assert asm.calls[0].name == "f"


def test_whole_call_in_one_chunk_without_type_or_id():
    asm = ToolCallAssembler()
    asm.feed({"index": 0, "function": {"name": "list_directory", "arguments": '{"path": "."}'}})
    (call,) = asm.calls
    assert call.parsed_arguments() == ({"path": "."}, None)
    assert call.to_api()["type"] == "function" and call.to_api()["id"] == "call_0"


def test_invalid_json_is_reported_not_raised():
    asm = ToolCallAssembler()
    asm.feed({"index": 0, "id": "c", "function": {"name": "f", "arguments": '{"path": '}})
    value, error = asm.calls[0].parsed_arguments()
    assert value is None and error.startswith("invalid JSON")
    assert asm.calls[0].pretty_arguments() == '{"path": '


def test_unknown_fields_are_kept_for_the_round_trip():
    asm = ToolCallAssembler()
    asm.feed({"index": 0, "id": "c", "function": {"name": "f", "arguments": "{}"}, "thought_signature": "abc"})
    assert asm.calls[0].to_api()["thought_signature"] == "abc"


def test_a_call_without_a_name_is_not_a_call_yet():
    asm = ToolCallAssembler()
    asm.feed({"index": 0, "id": "c", "function": {"arguments": "{"}})
    assert asm.calls == [] and not asm


def _fragments(calls, cuts):
    """Split each call's arguments at the given relative cut points, interleaved."""
    per_call = []
    for index, (call_id, name, args) in enumerate(calls):
        points = sorted({int(c * len(args)) for c in cuts})
        pieces = [args[i:j] for i, j in zip([0, *points], [*points, len(args)], strict=True)]
        frags = [{"index": index, "id": call_id, "type": "function", "function": {"name": name, "arguments": ""}}]
        frags += [{"index": index, "function": {"arguments": p}} for p in pieces]
        per_call.append(frags)
    out = []
    while any(per_call):
        for frags in per_call:
            if frags:
                out.append(frags.pop(0))
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=1), max_size=12))
def test_every_split_yields_the_same_calls(cuts):
    asm = ToolCallAssembler()
    for fragment in _fragments(CALLS, cuts):
        asm.feed(fragment)
    assert [(c.id, c.name, c.arguments) for c in asm.calls] == CALLS


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(), st.text(), st.dictionaries(st.text(max_size=8), st.one_of(st.none(), st.integers(), st.text(max_size=8), st.dictionaries(st.text(max_size=8), st.text(max_size=8))))), max_size=20))
def test_assembly_never_raises_on_garbage(fragments):
    asm = ToolCallAssembler()
    for fragment in fragments:
        asm.feed(fragment)
    for call in asm.calls:
        call.pretty_arguments()
        call.to_api()
