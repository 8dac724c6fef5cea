"""An MCP tool result as the text the model gets back (and the sidebar shows)."""

from __future__ import annotations

import base64
import binascii
import json
import struct
from typing import Any


def render(result: Any) -> tuple[bool, str]:
    """(ok, text): text items joined, structured content pretty-printed, the rest summarised."""
    structured = getattr(result, "structured_content", None)
    parts: list[str] = []
    for block in getattr(result, "content", None) or []:
        kind = getattr(block, "type", "")
        if kind == "text":
            if structured is not None and _same_json(block.text, structured):
                continue  # the text mirror of the structured content; shown pretty below
            parts.append(block.text)
        elif kind == "image":
            parts.append(describe_image(block.data, block.mime_type))
        elif kind == "audio":
            parts.append(f"[audio: {_short_mime(block.mime_type)}, {_b64_size(block.data):,} bytes]")
        elif kind == "resource_link":
            parts.append(f"[resource link: {block.uri}{_mime_note(block.mime_type)}]")
        elif kind == "resource":
            parts.append(_describe_resource(block.resource))
        else:
            parts.append(f"[{kind or 'unknown'} content]")
    if structured is not None:
        parts.append(json.dumps(structured, indent=2, ensure_ascii=False, default=str))
    text = "\n".join(parts)
    if getattr(result, "is_error", False):
        return False, text or "the tool reported an error (no details)"
    return True, text


def _same_json(text: str, value: Any) -> bool:
    try:
        return json.loads(text) == value
    except ValueError:
        return False


def _describe_resource(resource: Any) -> str:
    uri = getattr(resource, "uri", "?")
    text = getattr(resource, "text", None)
    if text is not None:
        return f"[resource: {uri}{_mime_note(getattr(resource, 'mime_type', None))}]\n{text}"
    size = _b64_size(getattr(resource, "blob", "") or "")
    return f"[resource: {uri}{_mime_note(getattr(resource, 'mime_type', None))}, {size:,} bytes]"


def describe_image(data: str, mime: str | None) -> str:
    """"[image: 640×480 png]", from the image's own header; size in bytes if unknown."""
    try:
        raw = base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError):
        raw = b""
    kind = _short_mime(mime)
    size = image_size(raw)
    if size:
        return f"[image: {size[0]}×{size[1]} {kind}]"
    return f"[image: {kind}, {len(raw):,} bytes]"


def image_size(raw: bytes) -> tuple[int, int] | None:
    if raw[:8] == b"\x89PNG\r\n\x1a\n" and len(raw) >= 24:
        return struct.unpack(">II", raw[16:24])
    if raw[:6] in (b"GIF87a", b"GIF89a") and len(raw) >= 10:
        return struct.unpack("<HH", raw[6:10])
    if raw[:2] == b"\xff\xd8":
        return _jpeg_size(raw)
    return None


def _jpeg_size(raw: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 < len(raw):
        if raw[index] != 0xFF:
            return None
        marker = raw[index + 1]
        length = int.from_bytes(raw[index + 2 : index + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", raw[index + 5 : index + 9])
            return width, height
        index += 2 + length
    return None


def _short_mime(mime: str | None) -> str:
    return (mime or "unknown").split("/")[-1]


def _mime_note(mime: str | None) -> str:
    return f" ({mime})" if mime else ""


def _b64_size(data: str) -> int:
    return len(data) * 3 // 4 - data[-2:].count("=") if data else 0
