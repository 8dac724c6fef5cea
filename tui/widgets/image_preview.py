"""An image attachment's preview in the log, through textual-image.

Terminal graphics (Kitty, Sixel) are only possible when textual-image asked the
terminal before the app started: the CLI does that (``detect``). Everywhere else,
tests and snapshots included, the preview uses coloured half blocks."""

from __future__ import annotations

import io

from textual.widget import Widget

from ..core.attachments import Attachment

_detected = False


def detect() -> None:
    """Ask the terminal what it can show; only before the app takes the screen."""
    global _detected
    try:
        import textual_image.widget  # noqa: F401 - queries the terminal on import
    except Exception:  # noqa: BLE001 - no preview beats no app
        return
    _detected = True


def preview(attachment: Attachment, *, height: int = 8) -> Widget | None:
    try:
        from PIL import Image as PILImage

        image = PILImage.open(io.BytesIO(attachment.data))
        image.load()
        if _detected:
            from textual_image.widget import Image
        else:
            from textual_image.widget import HalfcellImage as Image
    except Exception:  # noqa: BLE001 - a preview that fails is left out, the chip stays
        return None
    widget = Image(image, classes="image-preview")
    widget.styles.height = height
    widget.styles.width = "auto"
    return widget
