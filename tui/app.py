"""The app: a view of ChatSessions (core/session.py), one per tab. It composes the
widgets, shows what the sessions report, runs their streams and tool rounds in workers
and routes keys and widget messages to the component that owns each behaviour: TabSet
(tabs.py), Startup, ChatKeys, AttachUI, SlashCommands, HistoryUI, Comforts, Terminal
and LocalRun. Each gets the app passed in and keeps its own state; the rules of a
conversation are the session's."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from textual import on
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.reactive import var

from . import boot, inline, palette
from . import messages as m
from .attach_ui import AttachUI
from .bindings import APP_BINDINGS
from .chat_keys import ChatKeys
from .comforts import Comforts
from .core.clients import Clients
from .core.preview import Preview
from .history_ui import HistoryUI
from .local_mode import LocalRun
from .memory import MemoryPolicy
from .slash_commands import SlashCommands
from .startup import Startup
from .tabs import Tab, TabSet
from .terminal import Terminal
from .widgets.attachment_bar import AttachmentBar
from .widgets.context_banner import ContextBanner
from .widgets.error_banner import ErrorBanner
from .widgets.key_bar import KeyBar
from .widgets.message_log import MessageLog
from .widgets.prompt_input import PromptInput
from .widgets.slash_list import SlashCompletions
from .widgets.status_line import StatusLine
from .widgets.stream_aids import NewTextMarker, QueuedPrompts
from .widgets.tab_bar import TabBar
from .widgets.tool_sidebar import ToolSidebar

if TYPE_CHECKING:
    from textual.app import SystemCommand
    from textual.screen import Screen

    from .core import session_events as ev
    from .core.session import ChatSession
    from .core.settings import Settings
    from .view import SessionView


def _to(owner: str, method: str) -> Callable[..., None]:
    """An app action (or message handler) that is the method of the component that owns
    the behaviour. The bindings stay on the app, so the keys work where they always did."""

    def routed(self, *params):
        return getattr(getattr(self, owner), method)(*params)

    routed.__name__ = routed.__qualname__ = method
    routed.__doc__ = f"``app.{owner}.{method}``"
    routed.route = (owner, method)  # type: ignore[attr-defined]
    return routed


class ChatApp(App[None]):
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
        self.clients = Clients()
        self.memory = MemoryPolicy()
        self.settings: Settings | None = None
        self.mcp = None
        self.registry = None
        self.attach_on_start: list[str] = []
        """Files from ``--attach``, attached to the first prompt."""
        self.tab_set = TabSet(self)
        self.chat = ChatKeys(self)
        self.attach = AttachUI(self)
        self.slash = SlashCommands(self)
        self.history_ui = HistoryUI(self)
        self.comforts = Comforts(self)
        self.terminal = Terminal(self)
        self.local_run = LocalRun(self)
        self.startup = Startup(self, settings, load=load, db=db, open_conversation=open_conversation)

    # -- the session on screen, as the rest of the app and the tests read it ----------
    @property
    def session(self) -> ChatSession | None:
        """The active tab's conversation; None until the settings are valid."""
        return self.tab_set.active.session

    @property
    def view(self) -> SessionView:
        """Shows what the session on screen reports (the active tab's view)."""
        return self.tab_set.active.view

    @property
    def active_tab(self) -> Tab:
        return self.tab_set.active

    @property
    def tabs(self) -> list[Tab]:
        return self.tab_set.tabs

    @property
    def ready(self) -> bool:
        """False only between the first frame and the end of settings validation."""
        return self.settings is not None

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
        self.watch_scrolling(self.query_one(MessageLog))
        boot.exit_on_signals(self)
        self.chat.apply_sidebar()
        if self.is_inline:
            inline.apply_height(self)
        prompt = self.query_one(PromptInput)
        prompt.completer, prompt.take_back = self.slash.complete, self.chat.take_back_queued
        prompt.focus()
        if self.settings is None:
            self.call_after_refresh(self.startup.load_settings)
        else:
            self.startup.start_session()
        boot.warm_up(self, self.startup.warmed)

    def key(self, binding_id: str) -> str:
        """A binding's first key as the user has it (after ``[keymap]``), for hints: "Esc", "Ctrl+W"."""
        from .core.keys import shown

        return shown(binding_id, self.settings.keymap if self.settings else {})

    def hint(self, text: str) -> None:
        """The status line's hint: why a key did nothing, or what the prompt box is for now.
        The one writer of ``status_hint``; the components call this."""
        self.status_hint = text

    def watch_scrolling(self, log: MessageLog) -> None:
        """Paging through any tab's log lets the memory policy settle (tui/memory.py)."""
        self.watch(log, "scroll_y", lambda _y: self.memory.scrolled(), init=False)

    def on_resize(self) -> None:
        self.chat.apply_sidebar()
        if self.is_inline:
            inline.apply_height(self)

    async def on_event(self, event) -> None:
        if not self.startup.hold(event):  # typed before the settings are valid: replayed after
            await super().on_event(event)

    # -- what the session reports ---------------------------------------------------------
    def session_event(self, tab: Tab, event: ev.Event) -> None:
        """Every event of ``tab``'s session: its view shows it, and the app starts the work it asks for."""
        from .core import session_events as ev  # after the first frame: the session brings it

        tab.view.show(event)
        if isinstance(event, ev.StateChanged):
            if event.state == "ready" and not tab.session.busy:
                tab.unread = not tab.active
                self.terminal.notify("reply" if tab.active else "background", self.tab_set.number(tab))
            self.tab_set.refresh_bar()
        if isinstance(event, (ev.ReplyStarted, ev.CompactionStarted)):
            tab.pane.run_worker(self._stream(tab, event.request, event.reply), group="reply", exclusive=True, exit_on_error=False)
        elif isinstance(event, ev.ToolsRequested):
            tab.pane.run_worker(self._run_tools(tab), group="tools", exclusive=True, exit_on_error=False)
        elif isinstance(event, (ev.Reloaded, ev.Cleared, ev.UserAdded)):
            self.tab_set.refresh_bar()

    # -- workers ------------------------------------------------------------------------
    async def _stream(self, tab: Tab, request: dict, reply) -> None:
        """Runs as a worker of the tab's pane: each tab has its own exclusive "reply" group."""
        from .worker import pump_reply

        def post(message) -> None:
            message.tab = tab
            self.post_message(message)

        settings = await self.local_run.settings() if self.local else self.settings
        if settings is None:
            return
        client = await self.clients.get(settings)
        await pump_reply(post, client, request, reply, read_timeout=self.settings.read_timeout, secret=self.settings.key)

    async def _run_tools(self, tab: Tab) -> None:
        from .screens.confirm import ConfirmScreen

        async def ask(call, description: str, reason: str) -> str:
            self.terminal.notify("confirm", self.tab_set.number(tab))
            tab.confirming = True
            self.tab_set.refresh_bar()
            try:
                await tab.shown.wait()  # a background tab asks once it is shown
                return await self.push_screen_wait(ConfirmScreen(call, description, reason))
            finally:
                tab.confirming = False
                self.tab_set.refresh_bar()

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
        self._tab_for(message).session.fail(self.local_run.failure(message.failure))

    @on(m.ReplyStopped)
    def _on_stopped(self, message: m.ReplyStopped) -> None:
        self._tab_for(message).session.stopped()

    def _tab_for(self, message) -> Tab:
        """The tab whose worker posted ``message`` (a closed tab's last words go nowhere)."""
        tab = getattr(message, "tab", None)
        return tab if tab is not None else self.active_tab

    # -- keys and widget messages, routed to the component that owns each ---------------
    action_stop = _to("chat", "stop")
    action_retry = _to("chat", "retry")
    action_regenerate = _to("chat", "regenerate")
    action_edit_last = _to("chat", "edit_last")
    action_prev_version = _to("chat", "prev_version")
    action_next_version = _to("chat", "next_version")
    action_new_chat = _to("chat", "new_chat")
    action_continue_reply = _to("chat", "continue_reply")
    action_follow = _to("chat", "follow")
    action_focus_tools = _to("chat", "focus_tools")
    action_toggle_sidebar = _to("chat", "toggle_sidebar")
    action_new_tab = _to("tab_set", "open_new")
    action_next_tab = _to("tab_set", "next")
    action_prev_tab = _to("tab_set", "previous")
    action_goto_tab = _to("tab_set", "goto")
    action_close_tab = _to("tab_set", "close_active")
    action_history = _to("history_ui", "browse")
    action_export = _to("history_ui", "export")
    action_attach_file = _to("attach", "pick_file")
    action_compact = _to("attach", "compact")
    action_undo_compaction = _to("attach", "undo_compaction")
    action_pick_model = _to("comforts", "pick_model")
    action_chat_settings = _to("comforts", "chat_settings")
    action_focus_log = _to("comforts", "focus_log")
    action_copy_code = _to("comforts", "copy_code")
    action_help = _to("comforts", "help")
    action_tools_screen = _to("comforts", "tools_screen")
    action_open_editor = _to("terminal", "open_editor")

    _on_submitted = on(PromptInput.Submitted)(_to("chat", "submit"))
    _on_retry_requested = on(ErrorBanner.RetryRequested)(_to("chat", "retry"))
    _on_banner_dismissed = on(ErrorBanner.Dismissed)(_to("chat", "focus_prompt"))
    _open_call = on(ToolSidebar.CallSelected)(_to("chat", "open_call"))
    on_new_text_marker_clicked = _to("chat", "follow")
    on_text_area_changed = _to("slash", "text_changed")
    on_attachment_bar_chip_opened = _to("attach", "chip_opened")
    on_context_banner_chosen = _to("attach", "overflow_chosen")
    on_context_banner_dismissed = _to("chat", "focus_prompt")
    on_message_log_copy_requested = _to("comforts", "copy_message")
    on_tool_sidebar_copy_requested = _to("comforts", "copy_arguments")
    on_mcpchanged = _to("comforts", "mcp_changed")
    on_app_blur = _to("terminal", "blurred")
    on_app_focus = _to("terminal", "refocused")
    _on_tab_chosen = on(TabBar.Chosen)(_to("tab_set", "chosen"))

    def open_conversation(self, conversation_id: int) -> bool:
        """Show a stored conversation; sending continues it (--resume, F2)."""
        return self.session.open(conversation_id)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from palette.chat_commands(self)

    # -- leaving ------------------------------------------------------------------------
    async def action_quit(self) -> None:
        if self.session is not None:
            self.tab_set.save_open()
            for tab in self.tabs:
                tab.session.save_partial()
        await super().action_quit()

    async def on_unmount(self) -> None:
        self.memory.release()
        if self.session is not None:
            self.tab_set.save_open()
            for tab in self.tabs:
                tab.session.save_partial()
        await self.clients.aclose()
        if self.local:
            self.local.server.stop()
        if self.mcp:
            await self.mcp.aclose()


def make_app(settings: Settings | None = None, **kwargs) -> ChatApp:
    return ChatApp(settings, **kwargs)
