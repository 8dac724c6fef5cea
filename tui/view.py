"""The app's view of a ChatSession: the log, the sidebar, the banner and the status line
show what the session reports. This object is the one writer of the reply widget being
streamed into and of the sidebar's call keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .core.toolcalls import ToolCall
from .widgets.error_banner import ErrorBanner
from .widgets.message_log import AssistantMessage, MessageLog
from .widgets.prompt_input import PromptInput
from .widgets.stream_aids import NewTextMarker, QueuedPrompts
from .widgets.tool_sidebar import ToolSidebar

if TYPE_CHECKING:
    from .core import session_events as ev
    from .app import ChatApp
    from .tabs import Tab

SHARED = ("StateChanged", "UsageChanged", "ContextChanged", "QueueChanged", "ModelChanged")
"""Events that write the app-wide widgets (status line, queue): a background tab keeps its
last one of each and shows them when it comes to the front. (By name: the events' module
loads with the session, after the first frame.)"""


class SessionView:
    """``show`` renders one session event; the app starts the work an event asks for.
    The log and sidebar are the tab's own; the app-wide widgets are written only while
    the tab is on screen."""

    def __init__(self, app: ChatApp, tab: Tab) -> None:
        self.app = app
        self.tab = tab
        self.reply_widget: AssistantMessage | None = None
        self.call_keys: set[str] = set()
        self._log: MessageLog | None = None
        self._marker: NewTextMarker | None = None
        self._held: dict[type, ev.Event] = {}
        self._failure: ev.ReplyFailed | None = None
        self._early: list[ev.Event] | None = None
        """Events that came while the tab's pane was being mounted, shown once it is."""

    def hold_until_mounted(self) -> None:
        self._early = []

    def mounted(self) -> None:
        early, self._early = self._early or [], None
        for event in early:
            self.show(event)

    def activate(self) -> None:
        """The tab came to the front: the status line, queue and banner become its own."""
        app = self.app
        app.call_count = len(self.call_keys)
        app.sub_title = self.tab.session.title if self.tab.session else ""
        app.status_model = self.tab.session.model if self.tab.session else app.status_model
        app.status_usage = ""
        app.query_one(QueuedPrompts).show([], False)
        app.query_one(ErrorBanner).hide()
        held, self._held = self._held, {}
        for event in held.values():
            self.show(event)
        if not held:
            app.status_state = "streaming" if self.reply_widget is not None else "ready"
        failure, self._failure = self._failure, None
        if failure is not None:
            self.show(failure)

    def show(self, event: ev.Event) -> None:
        from .core import session_events as ev  # these load with the session, after the first frame
        from .core.conversation import COMPLETE
        from .core.queue import paused_note

        app = self.app
        if self._early is not None:
            self._early.append(event)
            return
        if not self.tab.active and type(event).__name__ in SHARED:
            self._held[type(event)] = event
            return
        pane = self.tab.pane
        logs, sidebars = pane.query(MessageLog), pane.query(ToolSidebar)
        if not logs or not sidebars:  # the app is closing: the reply's end has nowhere to show
            return
        log, sidebar = logs.first(), sidebars.first()
        match event:
            case ev.UserAdded(text=text, attachments=attachments):
                log.add_user(text, attachments)
            case ev.ReplyStarted(reply=reply):
                self.reply_widget = log.add_assistant(reply.text, reasoning=reply.reasoning)  # a continued reply starts with its text
                log.anchor()
                if not self.tab.active:
                    return
                loading = app.local and not app.local.server.load_seconds
                app.status_state = "loading local model…" if loading else "streaming"
            case ev.ReplyEnded(message=message, note=note, warning=warning, calls=calls):
                widget, self.reply_widget = self.reply_widget, None
                if self.tab.active:
                    app.query_one(NewTextMarker).shown &= getattr(log, "_anchor_released", False)
                if widget is not None:
                    widget.streaming = False
                    if message.status == COMPLETE:
                        widget.collapse_reasoning()
                    widget.set_note(note, warning=warning, model=message.model)
                sidebar.finish_all(calls)
                app.call_after_refresh(app.memory.reply_finished)
            case ev.ReplyFailed() if not self.tab.active:
                self._failure = event
            case ev.ReplyFailed(failure=failure, prompt=prompt, attachments=attachments):
                banner = app.query_one(ErrorBanner)
                banner.show(failure, note=paused_note(len(app.session.queue)))
                self._restore_prompt(prompt)
                if attachments:
                    app.query_one("#attachments").set(attachments)
                if failure.kind != "no_key":
                    banner.focus()
            case ev.ToolStateChanged(key=key, state=state, result=result, elapsed=elapsed):
                sidebar.set_state(key, state, result=result, elapsed=elapsed)
            case ev.ToolsCancelled():
                log.add_note("■ tools cancelled — the model was told")
            case ev.ReplyDropped():
                shown = log.query(AssistantMessage)
                if shown:
                    shown.last().remove()
            case ev.Cleared():
                log.clear()
                app.call_after_refresh(app.memory.full)  # the old log's widgets may now be collected
                sidebar.clear_calls()
                self.call_keys.clear()
                self._failure = None
                if self.tab.active:
                    app.call_count = 0
                    app.query_one(ErrorBanner).hide()
                    app.status_usage = app.sub_title = ""
            case ev.Reloaded(messages=messages, note=note, title=title):
                from .restore import restore

                self.reply_widget = None
                self.call_keys = set(restore(log, sidebar, messages, note))
                if self.tab.active:
                    app.call_count = len(self.call_keys)
                    app.sub_title = title
            case ev.ModelChanged(model=model, reverted_from=bad):
                app.status_model = model
                if bad:
                    app.notify(f"Model '{bad}' was not found; back to {model}.", severity="warning", markup=False)
            case ev.StateChanged(state=state):
                app.status_state = state
            case ev.UsageChanged(text=text):
                app.status_usage = text
            case ev.ContextChanged() | ev.ContextOverflow() | ev.Compacted() | ev.Notice() if self.tab.active:
                app.attach.show_context_event(event)
            case ev.QueueChanged(texts=texts, paused=paused):
                app.query_one(QueuedPrompts).show(texts, paused)

    def _restore_prompt(self, text: str) -> None:
        prompt = self.app.query_one(PromptInput)
        if text and not prompt.text.strip():
            prompt.load_text(text)
            prompt.move_cursor(prompt.document.end)

    # -- the stream, as the app's worker coalesces it -------------------------------
    def content(self, text: str) -> None:
        if self.reply_widget is not None:
            self.reply_widget.append(text)
            if self._log is None:  # looked up once: this runs every frame of a stream
                self._log, self._marker = self.tab.pane.query_one(MessageLog), self.app.query_one(NewTextMarker)
            # Textual's own "the user scrolled away"; back at the bottom, it follows again
            if self.tab.active:
                self._marker.shown = getattr(self._log, "_anchor_released", False)

    def reasoning(self, text: str) -> None:
        if self.reply_widget is not None:
            self.reply_widget.append_reasoning(text)

    def call_changed(self, key: str, call: ToolCall) -> None:
        if self.tab.pane.query_one(ToolSidebar).upsert(key, call) is not None and key not in self.call_keys:
            self.call_keys.add(key)
            if self.tab.active:
                self.app.call_count = len(self.call_keys)
