"""Files and images attached to a prompt: what is read, what is refused, and what is sent.

An attachment is read once, checked against the same roots and deny list as the
``read_file`` tool, and kept as bytes. What goes to the server is derived from
those bytes (a fenced text block, or an ``image_url`` data URL), so the request,
the store and the export all agree on one source.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .settings import Settings

IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")


class AttachmentError(Exception):
    """A file that cannot be attached; the message says which and why, fit to show."""


@dataclass(frozen=True)
class Attachment:
    """One attached file. ``name`` is the path as the user gave it (relative to the root
    when inside it): it heads the text block and names the chip."""

    name: str
    kind: str
    """"text" or "image"."""
    mime: str
    data: bytes
    width: int = 0
    height: int = 0

    @property
    def sha256(self) -> str:
        import hashlib  # on first use: not before the app's first frame

        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def filename(self) -> str:
        return Path(self.name).name

    def part(self) -> dict[str, Any]:
        """The content part the server gets."""
        if self.kind == "image":
            url = f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"
            return {"type": "image_url", "image_url": {"url": url}}
        return {"type": "text", "text": fenced(self.name, self.data.decode("utf-8"))}

    def chip(self) -> str:
        """How the log and the input show it: ``report.md · 3.2 KB``, ``shot.png · 1280×720``."""
        if self.kind == "image":
            return f"{self.filename} · {self.width}×{self.height}"
        return f"{self.filename} · {human_size(self.size)}"

    def meta(self) -> dict[str, Any]:
        """Everything but the bytes (those are stored once, by hash)."""
        return {"name": self.name, "kind": self.kind, "mime": self.mime, "sha256": self.sha256,
                "size": self.size, "width": self.width, "height": self.height}

    @classmethod
    def from_meta(cls, meta: dict[str, Any], data: bytes) -> Attachment:
        return cls(str(meta["name"]), str(meta["kind"]), str(meta["mime"]), data,
                   int(meta.get("width") or 0), int(meta.get("height") or 0))


def fenced(name: str, text: str) -> str:
    """A fenced block headed by the path; the fence is longer than any backtick run inside."""
    longest, run = 0, 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return f"{name}\n{fence}\n{text.rstrip(chr(10))}\n{fence}"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def roots_of(settings: Settings) -> list[Path]:
    return [Path(root).expanduser() for root in settings.tools.roots] or [Path.cwd()]


def load(path: str, settings: Settings) -> Attachment:
    """Read and check one file. Raises AttachmentError; never returns half a file."""
    from .tools.paths import denied_by, resolve_inside  # the tools package loads pydantic: not before the first frame
    from .tools.registry import ToolError

    roots = roots_of(settings)
    limits = settings.attachments
    try:
        real = resolve_inside(path, roots)
    except ToolError as exc:
        raise AttachmentError(f"{path}: {_plain(str(exc))}") from None
    if real.is_dir():
        raise AttachmentError(f"{path}: is a folder, not a file")
    pattern = denied_by(path, real, roots, settings.tools.deny)
    if pattern is not None:
        raise AttachmentError(f"{path}: refused, its name matches '{pattern}' in tools.deny (files that usually hold secrets)")
    try:
        size = real.stat().st_size
        if size > limits.max_bytes:
            raise AttachmentError(
                f"{path}: too big ({human_size(size)}; attachments.max_bytes is {human_size(limits.max_bytes)})")
        data = real.read_bytes()
    except OSError as exc:
        raise AttachmentError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    name = _shown_name(path, real, roots)
    if _looks_like_image(data) or real.suffix.lower() in IMAGE_SUFFIXES:
        return _image(name, data, limits.max_image_pixels)
    if b"\x00" in data:
        raise AttachmentError(f"{path}: a binary file (only text and PNG, JPEG, GIF or WebP images can be attached)")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise AttachmentError(f"{path}: not UTF-8 text (only text and PNG, JPEG, GIF or WebP images can be attached)") from None
    return Attachment(name, "text", "text/plain", data)


def pasted(text: str) -> Attachment:
    """A long paste kept as a chip: sent as a text block like a file."""
    lines = len(text.splitlines()) or 1  # a trailing line end is not another line
    return Attachment(f"pasted text ({lines} lines)", "text", "text/plain", text.encode("utf-8"))


def _plain(message: str) -> str:
    return message.replace("access denied: ", "").replace("no such file or directory: ", "no such file: ")


def _shown_name(path: str, real: Path, roots: list[Path]) -> str:
    for root in (r.resolve() for r in roots):
        if root in real.parents:
            return real.relative_to(root).as_posix()
    return path


def _looks_like_image(data: bytes) -> bool:
    head = data[:12]
    return (head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8\xff") or head.startswith(b"GIF8")
            or (head.startswith(b"RIFF") and head[8:12] == b"WEBP"))


def _image(name: str, data: bytes, max_pixels: int) -> Attachment:
    """Check the image decodes, and scale it down (same format) past the pixel limit."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image: Any = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise AttachmentError(f"{name}: not a readable image ({exc.__class__.__name__}: the file may be corrupt)") from None
    kind = image.format or ""
    if kind not in IMAGE_TYPES:
        raise AttachmentError(f"{name}: a {kind or 'unknown'} image; only PNG, JPEG, GIF and WebP can be sent")
    width, height = image.size
    if width * height > max_pixels:
        scale = (max_pixels / (width * height)) ** 0.5
        width, height = max(1, int(width * scale)), max(1, int(height * scale))
        image = image.resize((width, height))
        if kind == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, format=kind)
        data = out.getvalue()
    return Attachment(name, "image", IMAGE_TYPES[kind], data, width, height)


def content(text: str, attachments: list[Attachment] | tuple[Attachment, ...]) -> str | list[dict[str, Any]]:
    """A user message's ``content``: the plain string without attachments; with them, the
    prompt as the first text part, then one part per attachment, in order."""
    if not attachments:
        return text
    parts: list[dict[str, Any]] = [{"type": "text", "text": text}] if text else []
    return parts + [attachment.part() for attachment in attachments]


def from_parts(parts: list[Any]) -> tuple[str, list[Attachment]]:
    """The inverse of ``content``, for an imported export. Raises ValueError on a part it
    does not know."""
    text, found = "", []
    for index, part in enumerate(parts):
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text" and index == 0:
            text = str(part.get("text", ""))
        elif kind == "text":
            head, _, rest = str(part.get("text", "")).partition("\n")
            fence, _, body = rest.partition("\n")
            body = body[: -len(fence) - 1] if fence and body.endswith("\n" + fence) else body
            found.append(Attachment(head, "text", "text/plain", (body + "\n").encode("utf-8")))
        elif kind == "image_url":
            url = str((part.get("image_url") or {}).get("url", ""))
            head, _, payload = url.partition(",")
            if not head.startswith("data:") or ";base64" not in head:
                raise ValueError("an image_url that is not a base64 data URL")
            data = base64.b64decode(payload, validate=True)
            found.append(_image(f"image-{len(found) + 1}", data, 1 << 62))
        else:
            raise ValueError(f"unknown content part type {kind!r}")
    return text, found
