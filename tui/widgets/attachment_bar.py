"""The attachments waiting to go with the next prompt, as chips above the input.

The bar is the one writer of that list until the prompt is sent. A chip takes focus
(Tab, or Up from an empty input); Delete or Backspace removes it, Enter on a "pasted
text" chip opens it for editing (ChipOpened)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.containers import HorizontalGroup
from textual.message import Message
from textual.widgets import Static

from ..core.sanitize import clean

if TYPE_CHECKING:
    from ..core.attachments import Attachment


class Chip(Static, can_focus=True):
    """One attachment: ``report.md · 3.2 KB``."""

    DEFAULT_CSS = """
    Chip { width: auto; height: 1; padding: 0 1; margin: 0 1 0 0; background: $boost; color: $text; }
    Chip:focus { background: $accent; color: $text; text-style: bold; }
    """

    BINDINGS = [
        Binding("delete,backspace", "remove", "Remove", id="chip.remove", tooltip="Remove this attachment"),
        Binding("enter", "open", "Open", id="chip.open", tooltip="Show a pasted text in full, to edit it or turn it back into input"),
        Binding("left", "app.focus_previous", "Previous", show=False),
        Binding("right", "app.focus_next", "Next", show=False),
    ]

    def __init__(self, attachment: Attachment) -> None:
        super().__init__(Text("📎 " + clean(attachment.chip())), markup=False)
        self.attachment = attachment

    def action_remove(self) -> None:
        bar = self.parent
        if isinstance(bar, AttachmentBar):
            bar.remove_attachment(self.attachment)

    def action_open(self) -> None:
        bar = self.parent
        if isinstance(bar, AttachmentBar) and self.attachment.name.startswith("pasted text"):
            bar.post_message(AttachmentBar.ChipOpened(bar, self.attachment))


class AttachmentBar(HorizontalGroup):
    DEFAULT_CSS = """
    AttachmentBar { height: auto; padding: 0 1; display: none; }
    AttachmentBar.-has-chips { display: block; }
    """

    @dataclass
    class ChipOpened(Message):
        """Enter on a pasted-text chip: the app shows its text to edit."""

        bar: AttachmentBar
        attachment: Attachment

        @property
        def control(self) -> AttachmentBar:
            return self.bar

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.attachments: list[Attachment] = []

    def add(self, attachment: Attachment) -> None:
        if attachment in self.attachments:
            return
        self.attachments.append(attachment)
        self.mount(Chip(attachment))
        self.set_class(True, "-has-chips")

    def set(self, attachments: list[Attachment]) -> None:
        self.clear()
        for attachment in attachments:
            self.add(attachment)

    def remove_attachment(self, attachment: Attachment) -> None:
        """Focus moves to the neighbouring chip, or back to the input after the last."""
        chips = list(self.query(Chip))
        gone = [chip for chip in chips if chip.attachment is attachment]
        if attachment in self.attachments:
            self.attachments.remove(attachment)
        left = [chip for chip in chips if chip not in gone]
        if gone and gone[0].has_focus:
            index = min(chips.index(gone[0]), len(left) - 1)
            (left[index] if left else self.app.query_one("#prompt")).focus()
        for chip in gone:
            chip.remove()
        self.set_class(bool(self.attachments), "-has-chips")

    def take(self) -> list[Attachment]:
        """The attachments for the prompt being sent; the bar empties."""
        taken = list(self.attachments)
        self.clear()
        return taken

    def clear(self) -> None:
        self.attachments = []
        self.remove_children()
        self.set_class(False, "-has-chips")
