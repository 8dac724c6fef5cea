"""Attachments and the context window in the app (issue 16): the ``@`` picker, chips,
long pastes and pasted image paths, ``--attach``, the overflow banner's choices,
compaction from the palette, and what the server says about context windows.

The rules are the session's (core/attachments.py, core/session_context.py); this only
gathers input for it and shows what it reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Collapsible, Static

from .core.sanitize import clean
from .widgets.attachment_bar import AttachmentBar
from .widgets.context_banner import ContextBanner
from .widgets.message_log import MessageLog
from .widgets.prompt_input import PromptInput

if TYPE_CHECKING:
    from .core import session_events as ev
    from .core.attachments import Attachment


class AttachUI:
    """Gathers attachments into the attachment bar and shows the session's context
    events. The bar holds the attachments; the session decides what they become."""

    def __init__(self, app) -> None:
        self.app = app

    # -- gathering attachments ---------------------------------------------------
    def started(self) -> None:
        """After the session exists: --attach files, the paste filter, the server's windows."""
        app = self.app
        prompt = app.query_one(PromptInput)
        prompt.paste_filter = self._pasted
        prompt.at_handler = self.pick_file
        for path in app.attach_on_start:
            self.attach_path(path)
        app.run_worker(self._learn_windows(), name="_learn_windows", group="windows", exit_on_error=False)

    def attach_path(self, path: str) -> bool:
        from .core.attachments import AttachmentError, load

        try:
            attachment = load(path, self.app.settings)
        except AttachmentError as exc:
            self.app.notify(str(exc), severity="error", timeout=8, markup=False)
            return False
        self.app.query_one(AttachmentBar).add(attachment)
        return True

    def pick_file(self) -> None:
        from .core.attachments import roots_of
        from .core.file_index import files_under
        from .screens.file_picker import FilePicker

        app = self.app
        root = roots_of(app.settings)[0]

        def chosen(path: str | None) -> None:
            prompt = app.query_one(PromptInput)
            if path is None:
                prompt.insert("@")
            else:
                self.attach_path(path)
            prompt.focus()

        app.push_screen(FilePicker(files_under(root), str(root)), chosen)

    def _pasted(self, text: str) -> bool:
        """Whether a paste becomes an attachment instead of input text."""
        from .core.attachments import pasted, roots_of
        from .core.file_index import pasted_path

        app = self.app
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # terminals paste line ends as CR
        path = pasted_path(text, roots_of(app.settings))
        if path is not None:
            app.notify(f"Attached the pasted image path {path}", timeout=3, markup=False) if self.attach_path(path) else None
            return True
        if len(text.splitlines()) > app.settings.attachments.paste_lines:
            app.query_one(AttachmentBar).add(pasted(text))
            return True
        return False

    def chip_opened(self, event: AttachmentBar.ChipOpened) -> None:
        """A pasted text goes back into the input, to edit or to send as plain text."""
        prompt = self.app.query_one(PromptInput)
        event.bar.remove_attachment(event.attachment)
        prompt.insert(event.attachment.data.decode("utf-8"))
        prompt.focus()

    def pending(self) -> bool:
        return bool(self.app.query_one(AttachmentBar).attachments)

    def take(self) -> list[Attachment]:
        return self.app.query_one(AttachmentBar).take()

    # -- the context window --------------------------------------------------------
    async def _learn_windows(self) -> None:
        from .core.context import server_windows
        from .core.session_setup import needs_key

        app = self.app
        if app.local or app.session is None or needs_key(app.settings):
            return  # the local model's window is its config; without a key /models only says 401
        await app.startup.warm.wait()  # making a client imports the SDK: not on the event loop, not while the user types
        client = await app.clients.get(app.settings)
        windows = await server_windows(client.with_options(timeout=10.0, max_retries=0))
        if windows:
            app.session.context.learn_windows(windows)

    def overflow_chosen(self, event: ContextBanner.Chosen) -> None:
        app = self.app
        prompt = app.query_one(PromptInput)
        held = app.session.context.held
        if held is not None and prompt.text == held[0]:
            prompt.clear()
            app.query_one(AttachmentBar).clear()
        elif held is None and prompt.text == app.session.last_prompt:
            prompt.clear()
        refusal = app.session.resolve_overflow(event.choice)
        if refusal:
            app.notify(refusal, timeout=3)
        prompt.focus()

    def compact(self) -> None:
        if not self.app.chat.busy_refusal("Compacting") and (refusal := self.app.session.compact()):
            self.app.notify(refusal, timeout=3)

    def undo_compaction(self) -> None:
        if not self.app.chat.busy_refusal("Undoing compaction") and (refusal := self.app.session.undo_compaction()):
            self.app.notify(refusal, timeout=3)

    def show_context_event(self, event: ev.Event) -> None:
        """The view's part for the events of issue 16."""
        from .core import session_events as ev

        app = self.app
        match event:
            case ev.ContextChanged(text=text, warning=warning):
                app.status_context, app.status_context_warning = text, warning
            case ev.ContextOverflow(message=message, before=before, prompt=text, attachments=attachments):
                if before:
                    prompt = app.query_one(PromptInput)
                    if not prompt.text.strip():
                        prompt.load_text(text)
                        prompt.move_cursor(prompt.document.end)
                    app.query_one(AttachmentBar).set(attachments)
                banner = app.query_one(ContextBanner)
                banner.show(message)
                banner.focus()
            case ev.Compacted(count=count, summary=summary):
                log = app.query_one(MessageLog)
                for old in log.query(".compaction"):
                    old.remove()
                title = f"summary of {count} earlier messages" if summary else f"{count} earlier messages left out of requests"
                body = Static(Text(clean(summary or "They stay in history and in exports; undo from the palette.")), markup=False)
                log.mount(Collapsible(body, title=title, collapsed=True, classes="compaction"))
                log.anchor()
            case ev.Notice(text=text, warning=warning):
                app.notify(text, severity="warning" if warning else "information", timeout=4, markup=False)
