"""Export a conversation as Markdown or JSON, and import a JSON export back.

The JSON is the OpenAI ``messages`` array plus metadata, so it can be replayed
against any endpoint; what only tui-chat needs (status, reasoning, usage, model
per message) sits in ``metadata.messages``, one entry per message.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .attachments import AttachmentError, from_parts
from .conversation import COMPLETE, ChatMessage
from .sanitize import clean, no_surrogates
from .store import ConversationInfo

FORMAT = "tui-chat/1"
ROLES = ("system", "user", "assistant", "tool")
STATUSES = ("complete", "interrupted", "stopped", "error")


class ImportError_(ValueError):
    """A malformed export; the message says what and where."""


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def to_json(info: ConversationInfo, messages: list[ChatMessage]) -> str:
    api = ([{"role": "system", "content": info.system_prompt}] if info.system_prompt else []) + [m.to_api() for m in messages]
    meta = [{"status": m.status, "finish_reason": m.finish_reason, "model": m.model, "reasoning": m.reasoning, "usage": m.usage}
            | ({"attachments": [a.meta() for a in m.attachments]} if m.attachments else {}) for m in messages]
    data = {
        "format": FORMAT,
        "metadata": {
            "title": info.title, "model": info.model, "host": info.host, "created": _iso(info.created),
            "updated": _iso(info.updated), "system_prompt": info.system_prompt, "messages": meta,
        },
        "messages": api,
    }
    text = json.dumps(data, indent=2, ensure_ascii=False)
    # C1 controls and bidi overrides stay data, but as escapes, never raw in the file.
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


def to_markdown(info: ConversationInfo, messages: list[ChatMessage], files: dict[str, str] | None = None) -> str:
    """Readable Markdown. Model and tool text is cleaned of control sequences, so
    ``cat`` on the file cannot drive the terminal. ``files`` maps an image's sha256 to
    where it was written beside the .md (--with-files); without it an image is a placeholder."""
    return clean("\n".join(_markdown_lines(info, messages, files)).rstrip()) + "\n"


def _markdown_lines(info: ConversationInfo, messages: list[ChatMessage], files: dict[str, str] | None) -> list[str]:
    out = [f"# {info.title}", "", f"*{info.model} @ {info.host} · {_iso(info.created)}*", ""]
    if info.system_prompt:
        out += ["**System:**", "", info.system_prompt, ""]
    for message in messages:
        if message.role == "user":
            out += ["## User", "", message.content, ""]
            for attachment in message.attachments:
                if attachment.kind == "image":
                    target = (files or {}).get(attachment.sha256)
                    out += [f"![{attachment.filename}]({target})" if target else f"*[image: {attachment.chip()}]*", ""]
                else:
                    out += [attachment.part()["text"].replace(attachment.name, f"**{attachment.name}**", 1), ""]
        elif message.role == "assistant":
            note = "" if message.status == COMPLETE else f" ({message.status})"
            out += [f"## Assistant{note}", ""]
            if message.content:
                out += [message.content, ""]
            for call in message.tool_calls:
                function = call.get("function", {})
                out += [f"**Tool call** `{function.get('name', '')}` ({call.get('id', '')}):", "", "```json", _pretty(function.get("arguments", "")), "```", ""]
        elif message.role == "tool":
            out += [f"**Tool result** ({message.tool_call_id}):", "", "```", message.content, "```", ""]
    return out


def _pretty(arguments: str) -> str:
    try:
        return json.dumps(json.loads(arguments), indent=2, ensure_ascii=False)
    except ValueError:
        return arguments


def _scrub_object(obj: dict[str, Any]) -> dict[str, Any]:
    return {key: no_surrogates(value) if isinstance(value, str) else value for key, value in obj.items()}


def parse_import(text: str) -> tuple[dict[str, Any], list[ChatMessage]]:
    """Validate an export completely before anything is written."""
    try:
        data = json.loads(text, object_hook=_scrub_object)
    except ValueError as exc:
        raise ImportError_(f"not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise ImportError_("expected an object with a 'messages' array")
    meta = data.get("metadata") or {}
    if not isinstance(meta, dict):
        raise ImportError_("'metadata' must be an object")
    extra = meta.get("messages") or []
    system_prompt = str(meta.get("system_prompt") or "")
    messages: list[ChatMessage] = []
    api = data["messages"]
    if api and isinstance(api[0], dict) and api[0].get("role") == "system":
        system_prompt = system_prompt or str(api[0].get("content") or "")
        api = api[1:]
    for index, item in enumerate(api):
        where = f"messages[{index}]"
        if not isinstance(item, dict):
            raise ImportError_(f"{where}: must be an object")
        role = item.get("role")
        if role not in ROLES or role == "system":
            raise ImportError_(f"{where}.role: must be user, assistant or tool (got {role!r})")
        content = item.get("content")
        attachments: list = []
        if isinstance(content, list) and role == "user":
            try:
                content, attachments = from_parts(content)
            except (ValueError, TypeError, AttachmentError) as exc:
                raise ImportError_(f"{where}.content: {exc}") from None
        if content is not None and not isinstance(content, str):
            raise ImportError_(f"{where}.content: must be a string, a list of content parts (user), or null")
        calls = item.get("tool_calls") or []
        if not isinstance(calls, list) or not all(isinstance(c, dict) and isinstance(c.get("function"), dict) for c in calls):
            raise ImportError_(f"{where}.tool_calls: must be a list of calls with a 'function' object")
        if role == "tool" and not isinstance(item.get("tool_call_id"), str):
            raise ImportError_(f"{where}.tool_call_id: required for a tool message")
        more = extra[index] if index < len(extra) and isinstance(extra[index], dict) else {}
        usage = more.get("usage")
        names = [a.get("name") for a in more.get("attachments") or [] if isinstance(a, dict)]
        attachments = [replace(a, name=str(n)) if isinstance(n, str) and n else a for a, n in zip(attachments, names + [None] * len(attachments), strict=False)]
        status = more.get("status", COMPLETE)
        if status not in STATUSES:
            raise ImportError_(f"metadata.messages[{index}].status: must be one of {', '.join(STATUSES)}")
        messages.append(ChatMessage(
            role=role, content=content or "", tool_calls=calls, tool_call_id=item.get("tool_call_id") or "",
            status=status, finish_reason=str(more.get("finish_reason") or ""), model=str(more.get("model") or ""),
            reasoning=str(more.get("reasoning") or ""), usage=usage if isinstance(usage, dict) else {},
            attachments=attachments,
        ))
    info = {"title": str(meta.get("title") or ""), "model": str(meta.get("model") or ""), "host": str(meta.get("host") or ""), "system_prompt": system_prompt}
    return info, messages


def write_new(directory: Path, stem: str, suffix: str, text: str) -> Path:
    """Write ``text`` to ``stem + suffix`` in ``directory``, or, if that exists, to the
    first free ``stem-2``, ``stem-3``, ...: an export never replaces a file. The file is
    created exclusively, so one made in between is not replaced either. Raises OSError."""
    for number in range(1, 10_000):
        path = directory / (f"{stem}{suffix}" if number == 1 else f"{stem}-{number}{suffix}")
        try:
            with path.open("x", encoding="utf-8") as handle:
                handle.write(text)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"{directory / stem}-*{suffix}: no free name left")


def write_images(markdown: Path, messages: list[ChatMessage]) -> dict[str, str]:
    """Write each attached image once into ``NAME-files/`` beside the .md; returns sha256 -> the
    relative link. A file already there is not replaced (write_new picks another name)."""
    folder = markdown.parent / f"{markdown.stem}-files"
    links: dict[str, str] = {}
    for message in messages:
        for attachment in message.attachments:
            if attachment.kind != "image" or attachment.sha256 in links:
                continue
            folder.mkdir(parents=True, exist_ok=True)
            stem, _, suffix = attachment.filename.rpartition(".")
            path = _write_new_bytes(folder, stem or "image", "." + suffix if stem else "", attachment.data)
            links[attachment.sha256] = f"{folder.name}/{path.name}"
    return links


def _write_new_bytes(directory: Path, stem: str, suffix: str, data: bytes) -> Path:
    for number in range(1, 10_000):
        path = directory / (f"{stem}{suffix}" if number == 1 else f"{stem}-{number}{suffix}")
        try:
            with path.open("xb") as handle:
                handle.write(data)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"{directory / stem}-*{suffix}: no free name left")
