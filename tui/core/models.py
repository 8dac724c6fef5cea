"""List the endpoint's models for the model picker.

``/models`` is optional in OpenAI-compatible servers, and the SDK does not
validate what comes back, so every failure (HTTP status, transport, a body of
the wrong shape) becomes one :class:`ModelsUnavailable` in plain words that the
picker shows before falling back to free text.
"""

from __future__ import annotations

import socket
import ssl
from typing import Any


class ModelsUnavailable(Exception):
    """The model list could not be fetched; ``str(exc)`` is fit to show a user."""


async def list_models(client: Any) -> list[str]:
    """Sorted unique model ids from ``client`` (an ``openai.AsyncOpenAI``).

    Opper tags each model with ``opper.type``; only ``"llm"`` ones can chat, so
    the others (embeddings, ...) are dropped. Models without that tag are kept.
    Never returns an empty list: raises :class:`ModelsUnavailable` instead.
    """
    import openai

    secret = str(getattr(client, "api_key", "") or "")
    items: list[Any] = []
    try:
        async for model in client.models.list():
            items.append(model)
    except openai.APIStatusError as exc:
        raise ModelsUnavailable(_scrub(_status_message(exc), secret)) from None
    except (openai.APITimeoutError, openai.APIConnectionError) as exc:
        raise ModelsUnavailable(_scrub(_connection_message(client, exc), secret)) from None
    except (ValueError, TypeError, AttributeError, KeyError, openai.APIResponseValidationError):
        raise ModelsUnavailable("the model list was not understood") from None
    except openai.OpenAIError as exc:
        raise ModelsUnavailable(_scrub(f"the model list failed: {exc}", secret)) from None

    ids: set[str] = set()
    understood = 0
    for model in items:
        model_id = getattr(model, "id", None)
        if not isinstance(model_id, str) or not model_id.strip():
            continue
        understood += 1
        if _is_chat_model(model):
            ids.add(model_id.strip())
    if not items:
        raise ModelsUnavailable("the server listed no models")
    if not understood:
        raise ModelsUnavailable("the model list was not understood")
    if not ids:
        raise ModelsUnavailable("the server listed no chat models")
    return sorted(ids)


def _is_chat_model(model: Any) -> bool:
    extra = getattr(model, "model_extra", None) or {}
    opper = extra.get("opper") if isinstance(extra, dict) else None
    if opper is None:
        opper = getattr(model, "opper", None)
    kind = opper.get("type") if isinstance(opper, dict) else getattr(opper, "type", None)
    if not isinstance(kind, str):
        return True  # not tagged: another provider, keep it
    return kind.strip().lower() == "llm"


def _status_message(exc: Any) -> str:
    status = getattr(exc, "status_code", None)
    if status in (404, 405, 501):
        return f"this endpoint has no model list ({status})"
    if status == 401:
        return "the server rejected the API key (401)"
    if status == 403:
        return "the API key may not list models (403)"
    if status == 429:
        return "rate limited by the server (429)"
    detail = _detail(exc)
    if isinstance(status, int) and status >= 500:
        head = f"the server failed (HTTP {status})"
    else:
        head = f"the server refused the request (HTTP {status})"
    return f"{head}: {detail}" if detail else head


def _detail(exc: Any) -> str:
    body = getattr(exc, "body", None)
    inner = body.get("error", body) if isinstance(body, dict) else None
    message = inner.get("message") if isinstance(inner, dict) else None
    return message[:200] if isinstance(message, str) else ""


def _connection_message(client: Any, exc: BaseException) -> str:
    return f"cannot reach {_where(client)}: {_reason(exc)}"


def _where(client: Any) -> str:
    url = getattr(client, "base_url", None)
    host = getattr(url, "host", None)
    if not host:
        return "the server"
    port = getattr(url, "port", None)
    return f"{host}:{port}" if port else str(host)


def _reason(exc: BaseException) -> str:
    import openai

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (openai.APITimeoutError, TimeoutError)) or "Timeout" in type(current).__name__:
            return "timed out"
        if isinstance(current, ConnectionRefusedError):
            return "connection refused"
        if isinstance(current, socket.gaierror):
            return "host name not found"
        if isinstance(current, ssl.SSLError):
            return "TLS handshake failed"
        if isinstance(current, ConnectionResetError):
            return "connection reset"
        current = current.__cause__ or current.__context__
    return "connection failed"


def _scrub(text: str, secret: str) -> str:
    from .sanitize import clean

    text = clean(text).replace("\n", " ")
    if secret and len(secret) >= 4:
        text = text.replace(secret, "***")
    return text
