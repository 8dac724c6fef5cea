"""Read a Chat Completions stream and turn it into small typed events.

The SDK does the request (auth, retries, HTTP errors, its error classes); the
body is read through ``with_streaming_response`` and each SSE line is parsed
once with ``json.loads``. Building a typed model per chunk costs about 90% of
the SDK's per-chunk time, and chunks from real servers do not always fit those
models anyway, so the parser here works on plain dicts and tolerates odd shapes.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeGuard

from .errors import StreamError
from .sanitize import no_surrogates


@dataclass(frozen=True, slots=True)
class ContentDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    text: str


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """One raw fragment from ``delta.tool_calls``; assembly happens elsewhere."""

    fragment: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    cost: float | None = None


@dataclass(frozen=True, slots=True)
class Finish:
    reason: str
    model: str = ""


Event = ContentDelta | ReasoningDelta | ToolCallDelta | Usage | Finish


def parse_chunk(obj: Any) -> Iterator[Event]:
    """Events in one decoded chunk. Raises StreamError for an error payload."""
    if not isinstance(obj, dict):
        return
    error = obj.get("error")
    if error:
        message = error.get("message") if isinstance(error, dict) else str(error)
        code = error.get("code") if isinstance(error, dict) else None
        raise StreamError("midstream", str(message or "error in stream"), code=str(code) if code else None)
    choices = obj.get("choices")
    if isinstance(choices, list):
        for choice in choices:
            if isinstance(choice, dict) and choice.get("index", 0) in (0, None):
                yield from _parse_choice(choice, obj)
    usage = obj.get("usage")
    if isinstance(usage, dict):
        yield _usage(usage, obj.get("cost"))


_SURROGATE = re.compile("[\ud800-\udfff]")
_text = no_surrogates


def _parse_choice(choice: dict[str, Any], chunk: dict[str, Any]) -> Iterator[Event]:
    delta = choice.get("delta")
    if isinstance(delta, dict):
        reasoning = delta.get("reasoning_content") or delta.get("reasoning")
        if isinstance(reasoning, str) and reasoning:
            yield ReasoningDelta(_text(reasoning))
        content = delta.get("content")
        if isinstance(content, str) and content:
            yield ContentDelta(_text(content))
        refusal = delta.get("refusal")
        if isinstance(refusal, str) and refusal:
            yield ContentDelta(_text(refusal))
        calls = delta.get("tool_calls")
        if isinstance(calls, dict):
            calls = [calls]
        if isinstance(calls, list):
            for fragment in calls:
                if isinstance(fragment, dict):
                    yield ToolCallDelta(_clean_fragment(fragment))
    reason = choice.get("finish_reason")
    if isinstance(reason, str) and reason:
        model = chunk.get("model")
        yield Finish(reason, model if isinstance(model, str) else "")


def _clean_fragment(fragment: dict[str, Any]) -> dict[str, Any]:
    function = fragment.get("function")
    if isinstance(function, dict) and any(isinstance(v, str) and _SURROGATE.search(v) for v in function.values()):
        fragment = dict(fragment, function={k: _text(v) if isinstance(v, str) else v for k, v in function.items()})
    return fragment


def _usage(usage: dict[str, Any], top_cost: Any) -> Usage:
    cost = top_cost if _is_number(top_cost) else usage.get("cost")
    opper = usage.get("opper")
    if not _is_number(cost) and isinstance(opper, dict):
        inner = opper.get("cost")
        cost = inner.get("total") if isinstance(inner, dict) else inner
    return Usage(
        _int(usage.get("prompt_tokens")),
        _int(usage.get("completion_tokens")),
        _int(usage.get("total_tokens")),
        float(cost) if _is_number(cost) else None,
    )


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_sse_lines(lines: Iterator[str] | list[str]) -> Iterator[Event]:
    """Synchronous twin of :func:`read_events`, for tests and tools."""
    decoder = SSEDecoder()
    for line in lines:
        payload = decoder.feed(line)
        if payload is not None:
            if payload == "[DONE]":
                return
            yield from _decode(payload)
    payload = decoder.flush()
    if payload is not None and payload != "[DONE]":
        yield from _decode(payload)


class SSEDecoder:
    """Line-level SSE: joins ``data:`` lines until a blank line; skips comments."""

    def __init__(self) -> None:
        self._data: list[str] = []

    def feed(self, line: str) -> str | None:
        if not line:
            return self.flush()
        if line.startswith("data:"):
            value = line[5:]
            self._data.append(value[1:] if value.startswith(" ") else value)
            # Nearly every server sends one data line per event: dispatch now
            # rather than wait for the blank line, which saves a round trip.
            if self._data[-1] == "[DONE]" or _looks_complete(self._data[-1]):
                return self.flush()
        return None

    def flush(self) -> str | None:
        if not self._data:
            return None
        payload = "\n".join(self._data)
        self._data.clear()
        return payload


def _looks_complete(value: str) -> bool:
    return value.startswith("{") and value.endswith("}")


def parse_completion(obj: Any) -> Iterator[Event]:
    """Events in a whole ``chat.completion`` body, from a server that ignored ``stream``:
    each choice's ``message`` is read as one delta, so the reply looks streamed. A body
    that ends without a finish_reason is still complete, so it finishes with "stop"."""
    if isinstance(obj, dict) and isinstance(obj.get("choices"), list):
        choices = []
        for choice in obj["choices"]:
            message = choice.get("message") if isinstance(choice, dict) else None
            if isinstance(message, dict) and "delta" not in choice:
                calls = message.get("tool_calls")
                if isinstance(calls, list):
                    calls = [dict(call, index=call.get("index", i)) if isinstance(call, dict) else call
                             for i, call in enumerate(calls)]
                    message = dict(message, tool_calls=calls)
                choice = dict(choice, delta=message)
            choices.append(choice)
        obj = dict(obj, choices=choices)
    finished = False
    for event in parse_chunk(obj):
        finished = finished or isinstance(event, Finish)
        yield event
    if not finished:
        model = obj.get("model") if isinstance(obj, dict) else None
        yield Finish("stop", model if isinstance(model, str) else "")


def _decode(payload: str, parse: Callable[[Any], Iterator[Event]] = parse_chunk) -> Iterator[Event]:
    """One SSE chunk (``parse_chunk``) or a whole non-streamed body (``parse_completion``)."""
    try:
        obj = json.loads(payload)
    except ValueError:
        raise StreamError("protocol", f"not JSON: {payload[:80]!r}") from None
    yield from parse(obj)


async def read_events(lines: AsyncIterator[str], read_timeout: float) -> AsyncIterator[Event]:
    """Events from an async iterator of SSE lines, with an idle timeout.

    Raises StreamError("idle") when no line arrives for ``read_timeout``
    seconds, and StreamError("truncated") when the body ends with neither a
    finish_reason nor ``[DONE]``. A body whose first line opens a JSON object is
    a whole ``chat.completion`` (the server ignored ``stream``): it is read to the
    end and turned into the same events (see :func:`parse_completion`).
    """
    loop = asyncio.get_running_loop()
    decoder = SSEDecoder()
    finished = False
    done = False
    whole: list[str] | None = None
    first = True
    # Moving the deadline costs a timer cancel and a heap push: at thousands of lines a
    # second it is moved only when less than read_timeout is left, to now + read_timeout
    # + slack. The silence that trips it is then between read_timeout and read_timeout + slack.
    slack = read_timeout / 8
    try:
        async with asyncio.timeout(read_timeout) as deadline:
            expires = loop.time() + read_timeout
            async for line in lines:
                now = loop.time()
                if expires - now < read_timeout:
                    expires = now + read_timeout + slack
                    deadline.reschedule(expires)
                if whole is not None:
                    whole.append(line)
                    continue
                if first and line.strip():
                    first = False
                    if line.lstrip().startswith("{"):
                        whole = [line]
                        continue
                payload = decoder.feed(line)
                if payload is None:
                    continue
                if payload == "[DONE]":
                    done = True
                    break
                for event in _decode(payload):
                    if isinstance(event, Finish):
                        if finished:
                            continue
                        finished = True
                    yield event
            else:
                if whole is not None:
                    for event in _decode("\n".join(whole), parse_completion):
                        finished = True
                        yield event
                payload = decoder.flush()
                if payload is not None and payload != "[DONE]":
                    for event in _decode(payload):
                        yield event
    except TimeoutError:
        raise StreamError("idle", f"no data for {read_timeout:g} s") from None
    if not (finished or done):
        raise StreamError("truncated", "stream ended without a finish_reason")


async def stream_chat(client: Any, request: dict[str, Any], read_timeout: float) -> AsyncIterator[Event]:
    """Send ``request`` with ``stream=True`` and yield its events.

    The HTTP response is closed on exit, including on cancellation.
    """
    body = dict(request)
    body["stream"] = True
    body.setdefault("stream_options", {"include_usage": True})
    async with client.chat.completions.with_streaming_response.create(**body) as response:
        async for event in read_events(sse_lines(response.iter_bytes()), read_timeout):
            yield event


async def sse_lines(chunks: AsyncIterator[bytes]) -> AsyncIterator[str]:
    """Split a byte stream into SSE lines, on CR, LF or CRLF only.

    httpx's ``iter_lines`` uses ``str.splitlines``, which also breaks on U+2028,
    U+0085 and friends: one of those inside a JSON string would cut a data line
    in two. Lines are decoded whole, so a split UTF-8 sequence cannot break.
    """
    buffer = b""
    async for chunk in chunks:
        buffer += chunk
        if b"\n" not in chunk and b"\r" not in chunk:
            continue
        if b"\r" in buffer:
            buffer = buffer.replace(b"\r\n", b"\n")
            if buffer.endswith(b"\r"):
                buffer, carry = buffer[:-1].replace(b"\r", b"\n"), b"\r"
            else:
                buffer, carry = buffer.replace(b"\r", b"\n"), b""
        else:
            carry = b""
        *lines, rest = buffer.split(b"\n")
        for line in lines:
            yield line.decode("utf-8", "replace")
        buffer = rest + carry
    if buffer:
        yield buffer.rstrip(b"\r").decode("utf-8", "replace")
