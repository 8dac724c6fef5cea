"""Fault injection for the tests: a recorded good stream, and ways to break it.

``RECORDED`` is a 50-event stream with text (multi-byte UTF-8 included) and two
tool calls. ``framed()`` gives its HTTP body exactly as the server sends it
(chunked encoding), so a test can cut it at any byte offset: mid-line, mid
UTF-8 sequence or mid chunk-size.
"""

from __future__ import annotations

import json

from tests import sse_server as s

TEXT_PIECES = ["Hé", "llo", " wö", "rld", " — ", "中文", " 👍🏽", " ok", ".", " Now", " two", " tools", ":"]


def _event(payload: dict | str) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return f"data: {data}\n\n".encode()


def _delta(delta: dict, finish: str | None = None) -> dict:
    return {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def recorded_events() -> list[bytes]:
    events = [_event(_delta({"role": "assistant", "content": ""}))]
    pieces = (TEXT_PIECES * 3)[:34]
    events += [_event(_delta({"content": piece})) for piece in pieces]
    args = ['{"time', 'zone":', ' "Eur', 'ope/', 'Stock', 'holm"}']
    calc = ['{"expr', 'ession"', ': "2*', '21"}']
    events.append(_event(_delta({"tool_calls": [{"index": 0, "id": "call_a", "type": "function", "function": {"name": "get_time", "arguments": ""}}]})))
    events += [_event(_delta({"tool_calls": [{"index": 0, "function": {"arguments": a}}]})) for a in args]
    events.append(_event(_delta({"tool_calls": [{"index": 1, "id": "call_b", "type": "function", "function": {"name": "calculator", "arguments": ""}}]})))
    events += [_event(_delta({"tool_calls": [{"index": 1, "function": {"arguments": a}}]})) for a in calc]
    events.append(_event(_delta({}, "tool_calls")))
    events.append(_event({"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 40, "total_tokens": 49}}))
    events.append(_event("[DONE]"))
    assert len(events) == 50
    return events


RECORDED = recorded_events()
FULL_TEXT = "".join((TEXT_PIECES * 3)[:34])


def framed(events: list[bytes] = RECORDED) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(e), e) for e in events) + b"0\r\n\r\n"


def text_before(offset: int, events: list[bytes] = RECORDED) -> str:
    """The reply text a client can have seen when the body is cut at ``offset``:
    the content of every event whose data line arrived complete."""
    text, position = [], 0
    for event in events:
        header = b"%x\r\n" % len(event)
        line_end = position + len(header) + event.index(b"\n") + 1
        if line_end > offset:
            break
        payload = event[6 : event.index(b"\n")].decode()
        if payload != "[DONE]":
            choices = json.loads(payload).get("choices") or [{}]
            text.append(choices[0].get("delta", {}).get("content") or "")
        position += len(header) + len(event) + 2
    return "".join(text)


def cut_at(offset: int) -> s.Scenario:
    return s.Scenario([("cut_bytes", framed()[:offset])], f"cut@{offset}")


def replay(events: list[bytes] = RECORDED) -> s.Scenario:
    return s.Scenario([("raw", e) for e in events], "replay")


# -- one fault each, injected into the recorded stream at event ``at`` -----------------
def inject(kind: str, at: int = 10) -> s.Scenario:
    events = list(RECORDED)
    head, tail = events[:at], events[at:]
    if kind == "stall":
        return s.Scenario([("raw", e) for e in head] + [("stall",)], kind)
    extra = {
        "malformed_line": [b"data {this is not sse\n\n"],
        "error_chunk": [_event({"error": {"message": "Upstream failed", "type": "server_error", "code": "upstream"}})],
        "second_finish": [_event(_delta({}, "stop")), _event(_delta({}, "stop"))],
        "comments": [b": keep-alive\n\n", b"event: ping\n\n", b"id: 7\n\n", b"retry: 100\n\n"],
        "big_delta": [_event(_delta({"content": "x" * 1_000_000}))],
        "non_json": [b"data: not json at all\n\n"],
        "missing_choices": [_event({"id": "x", "object": "chat.completion.chunk"})],
        "delta_string": [_event({"choices": [{"index": 0, "delta": "surprise"}]})],
        "index_missing": [_event({"choices": [{"delta": {"tool_calls": [{"function": {"name": "f", "arguments": "{}"}}]}}]})],
        "tool_calls_object": [_event(_delta({"tool_calls": {"index": 3, "id": "c3", "function": {"name": "g", "arguments": "{}"}}}))],
    }
    if kind == "drop_done":
        return s.Scenario([("raw", e) for e in events[:-1]], kind)
    return s.Scenario([("raw", e) for e in head + extra[kind] + tail], kind)


FAULTS = ["malformed_line", "error_chunk", "second_finish", "comments", "big_delta", "non_json",
          "missing_choices", "delta_string", "index_missing", "tool_calls_object", "drop_done", "stall"]
