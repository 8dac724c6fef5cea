"""Scripted OpenAI-compatible HTTP server for tests (stdlib only, 127.0.0.1 only).

Each POST /v1/chat/completions replays one :class:`Scenario` -- a list of
actions -- so tests can reproduce exact streaming behaviour (pacing, stalls,
cut connections, mid-stream errors) against the real OpenAI SDK.
"""

from __future__ import annotations

import collections
import json
import math
import re
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

CREATED = 1700000000
MODEL = "test-model"
CHUNK_ID = "chatcmpl-test"
_DONE = b"data: [DONE]\n\n"
_DISCONNECTS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)
_NOT_FOUND = {"error": {"message": "not found", "type": "invalid_request_error", "code": None}}


class Scenario:
    """A list of actions replayed for one request (see module docs for the tuples)."""

    def __init__(self, actions: list[tuple] | None = None, name: str = ""):
        self.actions: list[tuple] = list(actions or [])
        self.name = name
        if any(a[0] == "status" for a in self.actions) and len(self.actions) != 1:
            raise ValueError("a 'status' action must be the only action")


def _shutdown(conn: socket.socket) -> None:
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class _Stopped(Exception):
    """Raised inside a handler when the server is stopping, to abort the stream."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive + chunked, like real endpoints
    disable_nagle_algorithm = True  # else Nagle + delayed ACK adds ~40 ms per request
    server: "_HTTPServer"

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass

    def setup(self):
        super().setup()
        self.server.owner._track(self.connection, add=True)

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass
        self.server.owner._track(self.connection, add=False)

    # -- routing
    def _path(self) -> str:
        return urlsplit(self.path).path.rstrip("/")

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        self._read_body()
        if self._path() == "/v1/_marks":  # benchmarks read the server's timestamps
            return self._json(200, {"marks": self.server.owner.marks})
        if self._path() != "/v1/models":
            return self._json(404, _NOT_FOUND)
        owner = self.server.owner
        owner.model_requests += 1
        if owner.models_body is not None:  # raw bytes, e.g. a body that is not JSON
            return self._raw(owner.models_status, owner.models_body)
        if owner.models_status != 200:
            return self._json(owner.models_status, _error_body(
                f"models list failed (HTTP {owner.models_status})", "server_error", None))
        self._json(200, {"object": "list", "data": owner.models})

    def do_POST(self):
        raw = self._read_body()
        if self._path() != "/v1/chat/completions":
            return self._json(404, _NOT_FOUND)
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            return self._json(400, _error_body("invalid JSON body", "invalid_request_error", None))
        owner = self.server.owner
        scenario = owner._record(body, {k.lower(): v for k, v in self.headers.items()})
        cpu = time.thread_time()
        try:
            self._play(scenario.actions)
        except _DISCONNECTS:
            self.close_connection = True  # client went away: nothing to report
        except _Stopped:
            self._cut()
        finally:
            owner.cpu_s += time.thread_time() - cpu

    # -- responses
    def _json(self, status: int, body: dict, headers: dict | None = None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, str(value))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _raw(self, status: int, data: bytes, content_type: str = "application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _play(self, actions: list[tuple]):
        if actions and actions[0][0] == "status":
            _, status, body, headers = actions[0]
            return self._json(status, body, headers)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        owner, send = self.server.owner, self.connection.sendall
        for action in actions:
            kind = action[0]
            if kind in ("raw", "chunk", "done"):
                data = (action[1] if kind == "raw" else _DONE if kind == "done" else
                        b"data: %s\n\n" % json.dumps(action[1], ensure_ascii=False).encode())
                if data:  # an empty chunk would terminate the body
                    send(b"%x\r\n%s\r\n" % (len(data), data))
            elif kind == "mark":  # benchmarks: when the bytes before this left
                owner.marks.append(time.perf_counter())
            elif kind == "sleep":
                owner._sleep(action[1])
            elif kind == "stall":
                owner._stall()
            elif kind == "cut":
                return self._cut()
            elif kind == "cut_bytes":
                send(action[1])
                return self._cut()
            else:
                raise ValueError(f"unknown action {action!r}")
        send(b"0\r\n\r\n")

    def _cut(self):
        """Drop the TCP connection without the terminating 0-chunk."""
        self.close_connection = True
        _shutdown(self.connection)
        self.connection.close()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    owner: "ScriptedServer"

    def handle_error(self, request, client_address):
        """Stay silent about client disconnects; show real handler bugs."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, (OSError, _Stopped)):
            super().handle_error(request, client_address)


class ScriptedServer:
    """Threaded local server; `queue()` scenarios, then point the SDK at `base_url`."""

    def __init__(self):
        self.requests: list[dict] = []
        self.request_headers: list[dict] = []
        self.default: Scenario = text_reply("Hello from the test server.")
        self.models: list[dict] = [{"id": MODEL, "object": "model", "owned_by": "tests"}]
        self.models_status = 200  # GET /v1/models: a non-200 answers with a JSON error body
        self.models_body: bytes | None = None  # GET /v1/models: sent as-is (with models_status)
        self.model_requests = 0  # how many GET /v1/models came
        self.base_url = ""
        self.marks: list[float] = []  # perf_counter() at each ("mark",) action
        self.cpu_s = 0.0  # CPU time spent in stream handlers (benchmarks subtract it)
        self.chooser = None  # optional callable(body) -> Scenario, used when the queue is empty
        self.port = 0
        self._queue: collections.deque[Scenario] = collections.deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._cond = threading.Condition()
        self._stall_gen = 0
        self._conns: set[socket.socket] = set()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "ScriptedServer":
        if self._httpd is None:
            self._httpd = _HTTPServer(("127.0.0.1", self.port), _Handler)
            self._httpd.owner = self
            self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"
            # Short poll interval so stop() returns quickly.
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                name="scripted-sse-server", daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Wake sleeping/stalled handlers, drop live connections, close the socket."""
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
        if self._httpd is None:
            return
        httpd, self._httpd = self._httpd, None
        httpd.shutdown()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:  # unblocks handlers waiting on keep-alive reads or full buffers
            _shutdown(conn)
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(1)

    def __enter__(self) -> "ScriptedServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def queue(self, *scenarios: Scenario) -> None:
        with self._lock:
            self._queue.extend(scenarios)

    def release_stalls(self) -> None:
        with self._cond:
            self._stall_gen += 1
            self._cond.notify_all()

    # -- used by handler threads
    def _record(self, body, headers: dict) -> Scenario:
        with self._lock:
            self.requests.append(body)
            self.request_headers.append(headers)
            if self._queue:
                return self._queue.popleft()
        return self.chooser(body) if self.chooser else self.default

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            (self._conns.add if add else self._conns.discard)(conn)
        if add and self._stopping.is_set():  # accepted while stop() was running
            _shutdown(conn)

    def _sleep(self, seconds: float) -> None:
        if self._stopping.wait(seconds):
            raise _Stopped

    def _stall(self) -> None:
        with self._cond:
            gen = self._stall_gen
            self._cond.wait_for(lambda: gen != self._stall_gen or self._stopping.is_set())
        if self._stopping.is_set():
            raise _Stopped


def _error_body(message: str, type_: str | None, code: str | None) -> dict:
    return {"error": {"message": message, "type": type_, "code": code}}


def chunk(delta: dict, finish_reason: str | None = None, **extra) -> dict:
    """One `chat.completion.chunk`; `extra` adds or overrides top-level keys."""
    choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
    return {"id": CHUNK_ID, "object": "chat.completion.chunk", "created": CREATED,
            "model": MODEL, "choices": [choice], **extra}


def usage_chunk(prompt: int = 11, completion: int = 7, **extra) -> dict:
    """The trailing usage-only chunk sent for `stream_options.include_usage`."""
    usage = {"prompt_tokens": prompt, "completion_tokens": completion,
             "total_tokens": prompt + completion}
    return {"id": CHUNK_ID, "object": "chat.completion.chunk", "created": CREATED,
            "model": MODEL, "choices": [], "usage": usage, **extra}


def _split(text: str, pieces: int | None = None) -> list[str]:
    """Split per word (whitespace kept) or into `pieces` near-equal slices."""
    if not text:
        return []
    if pieces is None:
        return re.findall(r"\s*\S+\s*", text) or [text]
    size = max(1, math.ceil(len(text) / max(1, pieces)))
    return [text[i:i + size] for i in range(0, len(text), size)]


def _content(text: str, pieces: int | None = None) -> list[tuple]:
    return [("chunk", chunk({"content": part})) for part in _split(text, pieces)]


def _tail(finish_reason: str | None, usage: bool = True) -> list[tuple]:
    return [("chunk", chunk({}, finish_reason))] + [("chunk", usage_chunk())] * usage + [("done",)]


def _role() -> tuple:
    return ("chunk", chunk({"role": "assistant", "content": ""}))


def text_reply(text: str, pieces: int | None = None, finish_reason: str | None = "stop",
               usage: bool = True, role_chunk: bool = True) -> Scenario:
    """The common happy path: role chunk, content pieces, finish, usage, [DONE]."""
    head = [_role()] if role_chunk else []
    return Scenario(head + _content(text, pieces) + _tail(finish_reason, usage), "text_reply")


MARKDOWN_TEXT = (
    "# Sorting in Python\n\n"
    "Key points:\n\n"
    "- `sorted()` returns a **new** list\n"
    "- `list.sort()` sorts *in place*\n"
    "- both accept `key=` and `reverse=`\n\n"
    "```python\n"
    "words = [\"pear\", \"Apple\", \"fig\"]\n"
    "print(sorted(words, key=str.lower))\n"
    "```\n\n"
    "Both sorts are stable, so equal keys keep their original order.\n"
)


def markdown_reply() -> Scenario:
    """Heading, bullets, a python fence and a paragraph, to exercise rendering."""
    return Scenario(text_reply(MARKDOWN_TEXT).actions, "markdown_reply")


def tool_calls_reply(calls: list[tuple[str, str, str]], fragment_size: int = 4,
                     finish_reason: str = "tool_calls", include_type: bool = True,
                     repeat_name: bool = False) -> Scenario:
    """Parallel tool calls whose argument fragments interleave round-robin."""
    actions: list[tuple] = []
    for index, (call_id, name, _) in enumerate(calls):
        call = {"index": index, "id": call_id, "type": "function",
                "function": {"name": name, "arguments": ""}}
        if not include_type:
            del call["type"]
        delta = {"role": "assistant", "content": None} if index == 0 else {}
        actions.append(("chunk", chunk({**delta, "tool_calls": [call]})))
    frags = [[args[i:i + fragment_size] for i in range(0, len(args), fragment_size)]
             for _, _, args in calls]
    for step in range(max((len(f) for f in frags), default=0)):
        for index, parts in enumerate(frags):
            if step < len(parts):
                function = {"arguments": parts[step]}
                if repeat_name:
                    function = {"name": calls[index][1], **function}
                tool_call = {"index": index, "function": function}
                actions.append(("chunk", chunk({"tool_calls": [tool_call]})))
    return Scenario(actions + _tail(finish_reason), "tool_calls_reply")


def whole_tool_call_reply(id: str, name: str, args_text: str,  # noqa: A002 - spec'd name
                          finish_reason: str = "stop") -> Scenario:
    """Ollama style: the complete call in one chunk, no `type`, finish 'stop'."""
    call = {"index": 0, "id": id, "function": {"name": name, "arguments": args_text}}
    delta = {"role": "assistant", "content": "", "tool_calls": [call]}
    return Scenario([("chunk", chunk(delta))] + _tail(finish_reason), "whole_tool_call_reply")


def reasoning_reply(reasoning: str, text: str, field: str = "reasoning_content") -> Scenario:
    """Thinking deltas under a vendor key (`reasoning_content`/`reasoning`), then content."""
    thoughts = [("chunk", chunk({field: part})) for part in _split(reasoning, 3)]
    return Scenario([_role()] + thoughts + _content(text) + _tail("stop"), "reasoning_reply")


def error_midstream(text_before: str = "Partial answer", error: dict | None = None) -> Scenario:
    """Content, then an in-band `{"error": ...}` event, then a clean end without [DONE]."""
    error = error or {"message": "Upstream model failed", "type": "server_error",
                      "code": "upstream_error"}
    return Scenario([_role()] + _content(text_before) + [("chunk", {"error": error})],
                    "error_midstream")


def cut_midstream(text_before: str = "Partial answer") -> Scenario:
    """Content, then the TCP connection drops."""
    return Scenario([_role()] + _content(text_before) + [("cut",)], "cut_midstream")


def stall_after(text_before: str = "Partial answer") -> Scenario:
    """Content, then silence until `release_stalls()` or `stop()`."""
    return Scenario([_role()] + _content(text_before) + [("stall",)], "stall_after")


_HTTP_DEFAULTS = {
    401: ("Incorrect API key provided: sk-test.", "invalid_request_error", "invalid_api_key"),
    404: (f"The model `{MODEL}` does not exist or you do not have access to it.",
          "invalid_request_error", "model_not_found"),
    429: ("Rate limit reached for requests.", "requests", "rate_limit_exceeded"),
    500: ("The server had an error while processing your request.", "server_error", None),
}


def http_error(status: int, message: str | None = None, code: str | None = None,
               type_: str | None = None, headers: dict | None = None) -> Scenario:
    """A non-stream JSON error; realistic defaults per status (429 adds Retry-After: 1)."""
    d_msg, d_type, d_code = _HTTP_DEFAULTS.get(status, ("Request failed.", "server_error", None))
    if headers is None:
        headers = {"Retry-After": "1"} if status == 429 else {}
    body = _error_body(message or d_msg, type_ or d_type, code or d_code)
    return Scenario([("status", status, body, headers)], f"http_error_{status}")


def finish_only(text: str, finish_reason: str) -> Scenario:
    """A reply ending with e.g. 'length' or 'content_filter'."""
    return Scenario(text_reply(text, finish_reason=finish_reason).actions, f"finish_{finish_reason}")


def whole_completion(content: str | None = "", tool_calls: list[tuple[str, str, str]] | None = None,
                     finish_reason: str | None = "stop", usage: bool = True, **message) -> Scenario:
    """A server that ignores `stream: true`: one whole `chat.completion` JSON body, sent
    with Content-Type application/json (through the 'status' action, with 200)."""
    message = {"role": "assistant", "content": content, **message}
    if tool_calls:
        message["tool_calls"] = [{"id": cid, "type": "function", "function": {"name": name, "arguments": args}}
                                 for cid, name, args in tool_calls]
    body = {"id": CHUNK_ID, "object": "chat.completion", "created": CREATED, "model": MODEL,
            "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish_reason}]}
    if usage:
        body["usage"] = usage_chunk()["usage"]
    return Scenario([("status", 200, body, {})], "whole_completion")


def token_stream(tokens: list[str]) -> Scenario:
    """One content chunk per token, pre-encoded once so serving is cheap (benchmarks)."""
    prefix = json.dumps(chunk({"content": ""}), ensure_ascii=False)
    head, tail = prefix.split('"content": ""', 1)
    head_b, tail_b = f'data: {head}"content": '.encode(), f"{tail}\n\n".encode()
    events = [("raw", head_b + json.dumps(t, ensure_ascii=False).encode() + tail_b)
              for t in tokens]
    return Scenario([_role()] + events + _tail("stop"), "token_stream")


def paced(scenario: Scenario, tokens_per_second: float) -> Scenario:
    """Insert sleeps between consecutive chunk/raw actions to emulate a model's speed."""
    gap, actions, seen = 1.0 / tokens_per_second, [], False
    for action in scenario.actions:
        if action[0] in ("chunk", "raw"):
            if seen:
                actions.append(("sleep", gap))
            seen = True
        actions.append(action)
    return Scenario(actions, f"paced({scenario.name})")
