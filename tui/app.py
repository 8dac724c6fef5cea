"""The app: a view of ChatSessions (core/session.py), one per tab. It composes the
widgets, shows what the sessions report, runs their streams and tool rounds in workers
and routes keys to their operations; the rules of a conversation are the session's."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import on
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.reactive import var

from . import boot, inline
from .bindings import APP_BINDINGS
from .attach_actions import AttachActions
from . import messages as m
from .comforts import ComfortActions
from .flow_actions import FlowActions
from .slash_actions import SlashActions
from .core import session_events as ev
from .core.clients import Clients
from .core.preview import Preview
from .history_actions import HistoryActions
from .local_mode import LocalActions
from .memory import MemoryPolicy
from .startup import StartupActions
from .tabs import Tab, TabActions
from .widgets.attachment_bar import AttachmentBar
from .widgets.context_banner import ContextBanner
from .widgets.error_banner import ErrorBanner
from .widgets.key_bar import KeyBar
from .view import SessionView
from .widgets.message_log import MessageLog
from .widgets.prompt_input import PromptInput
from .widgets.status_line import StatusLine
from .widgets.tab_bar import TabBar
from .widgets.slash_list import SlashCompletions
from .widgets.stream_aids import NewTextMarker, QueuedPrompts
from .widgets.tool_sidebar import ToolSidebar

if TYPE_CHECKING:
    from .core.session import ChatSession
    from .core.settings import Settings


class ChatApp(TabActions, StartupActions, ComfortActions, FlowActions, SlashActions, HistoryActions, LocalActions, AttachActions, App[None]):
    """tui-chat."""

    CSS_PATH = "app.tcss"
    TITLE = "tui-chat"

    BINDINGS = APP_BINDINGS

    status_model: var[str] = var("")
    """The model named on the status line (the local model's label in local mode)."""
    status_host: var[str] = var("")
    """The endpoint's host on the status line (never the key)."""
    status_state: var[str] = var("ready", always_update=True)
    """ready / streaming / running tools / stopped / failed, as the session reports it."""
    status_usage: var[str] = var("")
    """The last reply's token counts and cost."""
    status_hint: var[str] = var("")
    """Why a key did nothing, or what the prompt box is for right now."""
    status_note: var[str] = var("")
    """A lasting note about the run, e.g. that the local model is in use."""
    status_context: var[str] = var("")
    """The context meter, as the session counts it."""
    status_context_warning: var[bool] = var(False)
    """Past context.warn_at of the window."""
    call_count: var[int] = var(0)
    """Tool calls shown for this conversation (a badge when the sidebar is hidden)."""
    sidebar_hidden: var[bool] = var(False)
    """True when the sidebar is collapsed (narrow terminal, or toggled off)."""

    def __init__(
        self, settings: Settings | None = None, *, load: Callable[[], Settings] | None = None,
        preview: Preview | None = None, db: str | None = None,
        open_conversation: int | str | None = None, local=None,
    ) -> None:
        """Either ``settings``, or ``load`` (with a ``preview`` for the first frame): then
        the settings are validated just after the first frame (see core/preview.py)."""
        super().__init__()
        assert (settings is None) != (load is None), "pass settings or load, not both"
        self.startup_error: Exception | None = None
        """A ConfigError or LocalError found after the first frame; the CLI prints it and exits 2."""
        self.preview = preview or (Preview.of(settings) if settings else Preview())
        self.local = local
        """A LocalMode when the bundled local model serves this run."""
        self.session: ChatSession | None = None
        """The conversation on screen; made once the settings are valid."""
        self.clients = Clients()
        self.view: SessionView
        """Shows what the session on screen reports (the active tab's view)."""
        self._init_tabs()
        self._sidebar_choice: bool | None = None
        self.memory = MemoryPolicy()
        self.settings: Settings | None = None
        self.mcp = None
        self.registry = None
        self._init_startup(settings, load=load, db=db, open_conversation=open_conversation)

    # -- the session, as the rest of the app and the tests read it ----------------
    @property
    def model(self) -> str:
        if self.session is not None:
            return self.session.model
        return self.local.model if self.local else self.preview.model

    @property
    def streaming(self) -> bool:
        return self.session is not None and self.session.streaming

    @property
    def tools_running(self) -> bool:
        return self.session is not None and self.session.tools_running

    # -- layout ---------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield TabBar(id="tab-bar")
        with Horizontal(id="main"):
            yield MessageLog(id="log")
            yield ToolSidebar(id="sidebar")
        yield NewTextMarker(id="new-text")
        yield QueuedPrompts(id="queued")
        yield ErrorBanner(id="banner")
        yield ContextBanner(id="context-banner")
        yield AttachmentBar(id="attachments")
        yield SlashCompletions(id="slash")
        yield PromptInput(id="prompt")
        yield StatusLine(id="status").data_bind(
            model=ChatApp.status_model, host=ChatApp.status_host, state=ChatApp.status_state,
            usage=ChatApp.status_usage, hint=ChatApp.status_hint, note=ChatApp.status_note,
            calls=ChatApp.call_count, sidebar_hidden=ChatApp.sidebar_hidden,
            context=ChatApp.status_context, context_warning=ChatApp.status_context_warning,
        )
        yield KeyBar()

    def on_mount(self) -> None:
        self.status_model, self.status_host = self.model, self.preview.host
        self.watch(self.query_one(MessageLog), "scroll_y", lambda _y: self.memory.scrolled(), init=False)
        boot.exit_on_signals(self)
        self._apply_sidebar()
        if self.is_inline:
            inline.apply_height(self)
        self.query_one(PromptInput).focus()
        if self.settings is None:
            self.call_after_refresh(self._load_settings)
        else:
            self._start_session()
        boot.warm_up(self, self._warmed)

    def on_resize(self) -> None:
        self._apply_sidebar()
        if self.is_inline:
            inline.apply_height(self)

    def _apply_sidebar(self) -> None:
        ui = self.settings.ui if self.settings else self.preview
        wide = self.size.width >= ui.sidebar_min_width
        show = self._sidebar_choice if self._sidebar_choice is not None else (ui.sidebar and wide)
        self.query_one(ToolSidebar).set_class(not show, "-hidden")
        self.sidebar_hidden = not show

    # -- what the session reports ---------------------------------------------------------
    def _on_session(self, tab: Tab, event: ev.Event) -> None:
        tab.view.show(event)
        if isinstance(event, ev.StateChanged):
            if event.state == "ready" and not tab.session.busy:
                tab.unread = not tab.active
                self.notify_terminal("reply" if tab.active else "background")
            self.refresh_tab_bar()
        if isinstance(event, (ev.ReplyStarted, ev.CompactionStarted)):
            tab.pane.run_worker(self._stream(tab, event.request, event.reply), group="reply", exclusive=True, exit_on_error=False)
        elif isinstance(event, ev.ToolsRequested):
            tab.pane.run_worker(self._run_tools(tab), group="tools", exclusive=True, exit_on_error=False)
        elif isinstance(event, (ev.Reloaded, ev.Cleared, ev.UserAdded)):
            self.refresh_tab_bar()

    # -- workers ------------------------------------------------------------------------
    async def _stream(self, tab: Tab, request: dict, reply) -> None:
        """Runs as a worker of the tab's pane: each tab has its own exclusive "reply" group."""
        from .worker import pump_reply

        def post(message) -> None:
            message.tab = tab
            self.post_message(message)

        settings = await self._local_settings() if self.local else self.settings
        if settings is None:
            return
        client = await self.clients.get(settings)
        await pump_reply(post, client, request, reply, read_timeout=self.settings.read_timeout, secret=self.settings.key)

    async def _run_tools(self, tab: Tab) -> None:
        from .screens.confirm import ConfirmScreen

        async def ask(call, description: str, reason: str) -> str:
            self.notify_terminal("confirm")
            tab.confirming = True
            self.refresh_tab_bar()
            try:
                await tab.shown.wait()  # a background tab asks once it is shown
                return await self.push_screen_wait(ConfirmScreen(call, description, reason))
            finally:
                tab.confirming = False
                self.refresh_tab_bar()

        await tab.session.run_tools(ask)

    @on(m.ContentDelta)
    def _on_content(self, message: m.ContentDelta) -> None:
        tab = self._tab_for(message)
        tab.view.content(message.text)
        tab.session.checkpoint()

    @on(m.ReasoningDelta)
    def _on_reasoning(self, message: m.ReasoningDelta) -> None:
        self._tab_for(message).view.reasoning(message.text)

    @on(m.ToolCallFragment)
    def _on_tool_fragment(self, message: m.ToolCallFragment) -> None:
        tab = self._tab_for(message)
        tab.view.call_changed(tab.session.call_key(message.call.index), message.call)

    @on(m.UsageReported)
    def _on_usage(self, message: m.UsageReported) -> None:
        self._tab_for(message).session.usage(message.usage)

    @on(m.ReplyFinished)
    def _on_finished(self, message: m.ReplyFinished) -> None:
        self._tab_for(message).session.finish()

    @on(m.ReplyFailed)
    def _on_failed(self, message: m.ReplyFailed) -> None:
        failure = message.failure
        if self.local and not failure.kind.startswith("local"):
            if not self.local.server.alive:
                failure = self.local.died_failure()
            else:  # the socket can close a moment before the dead child is reaped
                self.set_timer(0.25, self._check_local_died)
        self._tab_for(message).session.fail(failure)

    @on(m.ReplyStopped)
    def _on_stopped(self, message: m.ReplyStopped) -> None:
        self._tab_for(message).session.stopped()

    def _tab_for(self, message) -> Tab:
        """The tab whose worker posted ``message`` (a closed tab's last words go nowhere)."""
        tab = getattr(message, "tab", None)
        return tab if tab is not None else self.active_tab

    # -- keys ---------------------------------------------------------------------------
    @on(PromptInput.Submitted)
    def _on_submitted(self, event: PromptInput.Submitted) -> None:
        from .core.sanitize import no_surrogates

        text = self.slash_or_text(no_surrogates(event.text))
        if text is None:
            return
        bar = self.query_one(AttachmentBar)
        if not text.strip() and not bar.attachments:
            if self.session.queue and self.session.queue.resume():
                self.query_one(ErrorBanner).hide()
            return
        if bar.attachments and self.session.busy:  # the queue keeps text only
            self.notify("A prompt with attachments cannot wait in the queue: send it when this reply ends.", severity="warning", timeout=4)
            return
        self.status_hint = ""
        prompt = self.query_one(PromptInput)
        prompt.remember(text)
        prompt.consume(event.text)
        if not self.session.busy:
            self.query_one(ErrorBanner).hide()
        self.query_one(ContextBanner).hide()
        attachments = self.take_attachments()
        if attachments:
            self.session.send(text, attachments)
        else:
            self.session.queue.submit(text)

    def _busy_refusal(self, what: str) -> bool:
        if not (self.streaming or self.tools_running):
            return False
        self.status_hint = f"{what} is refused while a reply streams — Esc stops it"
        self.notify(f"A reply is still streaming — press Esc to stop it before you {what.lower()}.", severity="warning", timeout=3)
        return True

    def action_stop(self) -> None:
        prompt = self.query_one(PromptInput)
        if self.session is not None and self.session.queue and prompt.has_focus and not prompt.text:
            self.session.queue.take_back()  # Esc cancels the last queued prompt before it stops anything
            return
        if self.streaming or self.tools_running:
            pane = self.active_tab.pane
            for worker in self.workers:
                if worker.group in ("reply", "tools") and worker.node is pane:
                    worker.cancel()
            return
        banner = self.query_one(ErrorBanner)
        if banner.visible:
            banner.hide()
        elif self.session is not None and self.session.cancel_edit():
            self.query_one(PromptInput).clear()
            self.status_hint = ""
        self.query_one(PromptInput).focus()

    @on(ErrorBanner.RetryRequested)
    def action_retry(self) -> None:
        if self.streaming or self.tools_running:
            return
        refusal = self.session.cannot_retry()
        if refusal:
            self.notify(refusal, timeout=2)
            return
        prompt = self.query_one(PromptInput)
        if prompt.text == self.session.last_prompt:
            prompt.clear()
        self.query_one(ErrorBanner).hide()
        prompt.focus()
        self.session.retry()

    def action_regenerate(self) -> None:
        if not self._busy_refusal("Regenerate") and (refusal := self.session.regenerate()):
            self.notify(refusal, timeout=3)

    def action_edit_last(self) -> None:
        if self._busy_refusal("Editing"):
            return
        text = self.session.begin_edit()
        if text is None:
            self.notify("No prompt to edit yet.", timeout=3)
            return
        prompt = self.query_one(PromptInput)
        prompt.load_text(text)
        prompt.move_cursor(prompt.document.end)
        prompt.focus()
        self.status_hint = "editing the last prompt — Enter resends it, Esc cancels"

    def action_prev_version(self) -> None:
        if not self._busy_refusal("Switching versions") and (refusal := self.session.switch_version(back=True)):
            self.notify(refusal, timeout=3)

    def action_next_version(self) -> None:
        if not self._busy_refusal("Switching versions") and (refusal := self.session.switch_version(back=False)):
            self.notify(refusal, timeout=3)

    @on(ErrorBanner.Dismissed)
    def _on_banner_dismissed(self) -> None:
        self.query_one(PromptInput).focus()

    def action_focus_tools(self) -> None:
        sidebar = self.query_one(ToolSidebar)
        if sidebar.has_class("-hidden"):
            self._sidebar_choice = True
            self._apply_sidebar()
        sidebar.focus()

    def action_toggle_sidebar(self) -> None:
        self._sidebar_choice = self.query_one(ToolSidebar).has_class("-hidden")
        self._apply_sidebar()

    def action_new_chat(self) -> None:
        if self.settings is not None and self.settings.ui.tabs and self.session is not None and (self.session.messages or self.session.busy):
            self.new_tab()
            return
        if not self.session.new_chat():
            self.notify("A reply is still streaming — press Esc to stop it first.", severity="warning")

    @on(ToolSidebar.CallSelected)
    def _open_call(self, event: ToolSidebar.CallSelected) -> None:
        from .screens.tool_detail import ToolDetailScreen

        self.push_screen(ToolDetailScreen(event.item))

    # -- leaving ------------------------------------------------------------------------
    async def action_quit(self) -> None:
        if self.session is not None:
            self.save_open_tabs()
            for tab in self.tabs:
                tab.session.save_partial()
        await super().action_quit()

    async def on_unmount(self) -> None:
        self.memory.release()
        if self.session is not None:
            self.save_open_tabs()
            for tab in self.tabs:
                tab.session.save_partial()
        await self.clients.aclose()
        if self.local:
            self.local.server.stop()
        if self.mcp:
            await self.mcp.aclose()


def make_app(settings: Settings | None = None, **kwargs) -> ChatApp:
    return ChatApp(settings, **kwargs)
