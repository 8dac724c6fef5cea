"""The chat's own keys: send, stop, retry, regenerate, edit, versions, continue, follow,
and the tool sidebar's place. The rules are the session's (core/session.py); this reads
the prompt box, calls the session and says why a key did nothing."""

from __future__ import annotations

from .widgets.context_banner import ContextBanner
from .widgets.error_banner import ErrorBanner
from .widgets.message_log import MessageLog
from .widgets.prompt_input import PromptInput
from .widgets.stream_aids import NewTextMarker
from .widgets.tool_sidebar import ToolSidebar


class ChatKeys:
    """Owns the user's choice to show or hide the sidebar (``None``: as wide as allowed)."""

    def __init__(self, app) -> None:
        self.app = app
        self._sidebar_choice: bool | None = None

    def submit(self, event: PromptInput.Submitted) -> None:
        from .core.sanitize import no_surrogates

        app = self.app
        text = app.slash.slash_or_text(no_surrogates(event.text))
        if text is None:
            return
        session = app.session
        if not text.strip() and not app.attach.pending():
            if session.queue and session.queue.resume():
                app.query_one(ErrorBanner).hide()
            return
        if app.attach.pending() and session.busy:  # the queue keeps text only
            app.notify("A prompt with attachments cannot wait in the queue: send it when this reply ends.", severity="warning", timeout=4)
            return
        app.hint("")
        prompt = app.query_one(PromptInput)
        prompt.remember(text)
        prompt.consume(event.text)
        if not session.busy:
            app.query_one(ErrorBanner).hide()
        app.query_one(ContextBanner).hide()
        attachments = app.attach.take()
        if attachments:
            session.send(text, attachments)
        else:
            session.queue.submit(text)

    def busy_refusal(self, what: str) -> bool:
        """True (and a hint) while a reply streams or tools run: ``what`` must wait."""
        app = self.app
        if not (app.streaming or app.tools_running):
            return False
        stop = app.key("app.stop")
        app.hint(f"{what} is refused while a reply streams — {stop} stops it")
        app.notify(f"A reply is still streaming — press {stop} to stop it before you {what.lower()}.", severity="warning", timeout=3, markup=False)
        return True

    def stop(self) -> None:
        app = self.app
        prompt = app.query_one(PromptInput)
        if app.session is not None and app.session.queue and prompt.has_focus and not prompt.text:
            app.session.queue.take_back()  # Esc cancels the last queued prompt before it stops anything
            return
        if app.streaming or app.tools_running:
            pane = app.active_tab.pane
            for worker in app.workers:
                if worker.group in ("reply", "tools") and worker.node is pane:
                    worker.cancel()
            return
        banner = app.query_one(ErrorBanner)
        if banner.visible:
            banner.hide()
        elif app.session is not None and app.session.cancel_edit():
            app.query_one(PromptInput).clear()
            app.hint("")
        app.query_one(PromptInput).focus()

    def retry(self, _message=None) -> None:
        app = self.app
        if app.streaming or app.tools_running:
            return
        refusal = app.session.cannot_retry()
        if refusal:
            app.notify(refusal, timeout=2)
            return
        prompt = app.query_one(PromptInput)
        if prompt.text == app.session.last_prompt:
            prompt.clear()
        app.query_one(ErrorBanner).hide()
        prompt.focus()
        app.session.retry()

    def regenerate(self) -> None:
        if not self.busy_refusal("Regenerate") and (refusal := self.app.session.regenerate()):
            self.app.notify(refusal, timeout=3)

    def edit_last(self) -> None:
        app = self.app
        if self.busy_refusal("Editing"):
            return
        text = app.session.begin_edit()
        if text is None:
            app.notify("No prompt to edit yet.", timeout=3)
            return
        prompt = app.query_one(PromptInput)
        prompt.load_text(text)
        prompt.move_cursor(prompt.document.end)
        prompt.focus()
        app.hint(f"editing the last prompt — Enter resends it, {app.key('app.stop')} cancels")

    def prev_version(self) -> None:
        if not self.busy_refusal("Switching versions") and (refusal := self.app.session.switch_version(back=True)):
            self.app.notify(refusal, timeout=3)

    def next_version(self) -> None:
        if not self.busy_refusal("Switching versions") and (refusal := self.app.session.switch_version(back=False)):
            self.app.notify(refusal, timeout=3)

    def new_chat(self) -> None:
        app = self.app
        if app.settings is not None and app.settings.ui.tabs and app.session is not None and (app.session.messages or app.session.busy):
            app.tab_set.new_tab()
            return
        if not app.session.new_chat():
            app.notify(f"A reply is still streaming — press {app.key('app.stop')} to stop it first.", severity="warning", markup=False)

    def continue_reply(self) -> None:
        app = self.app
        refusal = app.session.continue_reply() if app.session is not None else None
        if refusal:
            app.notify(refusal, timeout=3)
        elif app.session is not None and app.session.busy:
            app.query_one(ErrorBanner).hide()  # the cut it reported is being mended

    def take_back_queued(self) -> str | None:
        """Up in the empty prompt: the last queued prompt comes back to be edited."""
        return self.app.session.queue.take_back() if self.app.session is not None else None

    def follow(self, _message=None) -> None:
        """Scroll to the end and follow the reply again."""
        log = self.app.query_one(MessageLog)
        log.anchor()
        log.scroll_end(animate=False, immediate=True)
        self.app.query_one(NewTextMarker).shown = False

    def focus_prompt(self, _message=None) -> None:
        self.app.query_one(PromptInput).focus()

    # -- the tool sidebar ----------------------------------------------------------
    def apply_sidebar(self) -> None:
        app = self.app
        ui = app.settings.ui if app.settings else app.preview
        wide = app.size.width >= ui.sidebar_min_width
        show = self._sidebar_choice if self._sidebar_choice is not None else (ui.sidebar and wide)
        app.query_one(ToolSidebar).set_class(not show, "-hidden")
        app.sidebar_hidden = not show

    def focus_tools(self) -> None:
        sidebar = self.app.query_one(ToolSidebar)
        if sidebar.has_class("-hidden"):
            self._sidebar_choice = True
            self.apply_sidebar()
        sidebar.focus()

    def toggle_sidebar(self) -> None:
        self._sidebar_choice = self.app.query_one(ToolSidebar).has_class("-hidden")
        self.apply_sidebar()

    def open_call(self, event: ToolSidebar.CallSelected) -> None:
        from .screens.tool_detail import ToolDetailScreen

        self.app.push_screen(ToolDetailScreen(event.item))
