"""Attachments and the context window in the app (issue 16): the ``@`` picker, chips,
long pastes and pasted image paths, ``--attach``, the overflow banner's choices,
compaction from the palette, and what the server says about context windows.

The rules are the session's (core/attachments.py, core/session_context.py); this only
gathers input for it and shows what it reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.widgets import Collapsible, Static

from .core import session_events as ev
from .core.sanitize import clean
from .widgets.attachment_bar import AttachmentBar
from .widgets.context_banner import ContextBanner
from .widgets.message_log import MessageLog
from .widgets.prompt_input import PromptInput

if TYPE_CHECKING:
    from .core.attachments import Attachment


class AttachActions:
    """Mixed into ChatApp, which provides the session, the settings and the widgets.
    Handlers are named (on_context_banner_chosen): @on only registers in the App's own class."""

    attach_on_start: list[str] = []
    """Files from ``--attach``, attached to the first prompt."""

    # -- gathering attachments ---------------------------------------------------
    def attach_started(self) -> None:
        """After the session exists: --attach files, the paste filter, the server's windows."""
        prompt = self.query_one(PromptInput)
        prompt.paste_filter = self._pasted
        prompt.at_handler = self.action_attach_file
        for path in self.attach_on_start:
            self.attach_path(path)
        self._learn_windows()

    def attach_path(self, path: str) -> bool:
        from .core.attachments import AttachmentError, load

        try:
            attachment = load(path, self.settings)
        except AttachmentError as exc:
            self.notify(str(exc), severity="error", timeout=8, markup=False)
            return False
        self.query_one(AttachmentBar).add(attachment)
        return True

    def action_attach_file(self) -> None:
        from .core.attachments import roots_of
        from .core.file_index import files_under
        from .screens.file_picker import FilePicker

        root = roots_of(self.settings)[0]

        def chosen(path: str | None) -> None:
            prompt = self.query_one(PromptInput)
            if path is None:
                prompt.insert("@")
            else:
                self.attach_path(path)
            prompt.focus()

        self.push_screen(FilePicker(files_under(root), str(root)), chosen)

    def _pasted(self, text: str) -> bool:
        """Whether a paste becomes an attachment instead of input text."""
        from .core.attachments import pasted, roots_of
        from .core.file_index import pasted_path

        text = text.replace("\r\n", "\n").replace("\r", "\n")  # terminals paste line ends as CR
        path = pasted_path(text, roots_of(self.settings))
        if path is not None:
            self.notify(f"Attached the pasted image path {path}", timeout=3, markup=False) if self.attach_path(path) else None
            return True
        if len(text.splitlines()) > self.settings.attachments.paste_lines:
            self.query_one(AttachmentBar).add(pasted(text))
            return True
        return False

    def on_attachment_bar_chip_opened(self, event: AttachmentBar.ChipOpened) -> None:
        """A pasted text goes back into the input, to edit or to send as plain text."""
        prompt = self.query_one(PromptInput)
        event.bar.remove_attachment(event.attachment)
        prompt.insert(event.attachment.data.decode("utf-8"))
        prompt.focus()

    def take_attachments(self) -> list[Attachment]:
        return self.query_one(AttachmentBar).take()

    # -- the context window --------------------------------------------------------
    @work(group="windows", exit_on_error=False)
    async def _learn_windows(self) -> None:
        from .core.context import server_windows
        from .core.session_setup import needs_key

        if self.local or self.session is None or needs_key(self.settings):
            return  # the local model's window is its config; without a key /models only says 401
        client = await self.clients.get(self.settings)
        windows = await server_windows(client.with_options(timeout=10.0, max_retries=0))
        if windows:
            self.session.context.learn_windows(windows)

    def on_context_banner_chosen(self, event: ContextBanner.Chosen) -> None:
        prompt = self.query_one(PromptInput)
        held = self.session.context.held
        if held is not None and prompt.text == held[0]:
            prompt.clear()
            self.query_one(AttachmentBar).clear()
        elif held is None and prompt.text == self.session.last_prompt:
            prompt.clear()
        refusal = self.session.resolve_overflow(event.choice)
        if refusal:
            self.notify(refusal, timeout=3)
        prompt.focus()

    def on_context_banner_dismissed(self) -> None:
        self.query_one(PromptInput).focus()

    def action_compact(self) -> None:
        if not self._busy_refusal("Compacting") and (refusal := self.session.compact()):
            self.notify(refusal, timeout=3)

    def action_undo_compaction(self) -> None:
        if not self._busy_refusal("Undoing compaction") and (refusal := self.session.undo_compaction()):
            self.notify(refusal, timeout=3)

    def show_context_event(self, event: ev.Event) -> None:
        """The view's part for the events of issue 16."""
        match event:
            case ev.ContextChanged(text=text, warning=warning):
                self.status_context, self.status_context_warning = text, warning
            case ev.ContextOverflow(message=message, before=before, prompt=text, attachments=attachments):
                if before:
                    prompt = self.query_one(PromptInput)
                    if not prompt.text.strip():
                        prompt.load_text(text)
                        prompt.move_cursor(prompt.document.end)
                    self.query_one(AttachmentBar).set(attachments)
                banner = self.query_one(ContextBanner)
                banner.show(message)
                banner.focus()
            case ev.Compacted(count=count, summary=summary):
                log = self.query_one(MessageLog)
                for old in log.query(".compaction"):
                    old.remove()
                title = f"summary of {count} earlier messages" if summary else f"{count} earlier messages left out of requests"
                body = Static(Text(clean(summary or "They stay in history and in exports; undo from the palette.")), markup=False)
                log.mount(Collapsible(body, title=title, collapsed=True, classes="compaction"))
                log.anchor()
            case ev.Notice(text=text, warning=warning):
                self.notify(text, severity="warning" if warning else "information", timeout=4, markup=False)
