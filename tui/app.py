"""The app: composes the widgets, owns the stream worker, wires messages."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import var
from textual.screen import Screen
from .widgets.key_bar import KeyBar

from . import messages as m
from .branches import BranchActions
from .comforts import ComfortActions
from .history_actions import HistoryActions
from .local_mode import LocalActions
from .startup import StartupActions
from .core.conversation import COMPLETE, ERROR, INTERRUPTED, STOPPED, ChatMessage, Conversation, Reply
from .core.errors import no_key
from .core.preview import Preview
from .memory import MemoryPolicy
from .widgets.error_banner import ErrorBanner
from .widgets.message_log import STATUS_NOTES, AssistantMessage, MessageLog
from .widgets.prompt_input import PromptInput
from .widgets.status_line import StatusLine
from .widgets.tool_sidebar import ToolSidebar

if TYPE_CHECKING:
    from .core.settings import Settings

FINISH_NOTES = {
    "length": "⚠ cut off at the token limit",
    "content_filter": "⚠ blocked or changed by a content filter / guard rule",
}
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "0.0.0.0")


class ChatApp(StartupActions, BranchActions, ComfortActions, HistoryActions, LocalActions, App[None]):
    """tui-chat."""

    CSS_PATH = "app.tcss"
    TITLE = "tui-chat"

    BINDINGS = [
        Binding("escape", "stop", "Stop", id="app.stop", tooltip="Stop the streaming reply / dismiss / back to input"),
        Binding("ctrl+r", "retry", "Retry", id="app.retry", tooltip="Retry the last failed turn"),
        Binding("ctrl+t", "focus_tools", "Tools", id="app.focus_tools", tooltip="Focus the tool-call sidebar"),
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", id="app.toggle_sidebar", tooltip="Show or hide the tool-call sidebar"),
        Binding("ctrl+n", "new_chat", "New chat", id="app.new_chat", tooltip="Start a new conversation"),
        Binding("ctrl+o,f2", "history", "History", id="app.history", tooltip="Browse, search, rename and delete conversations"),
        Binding("f3", "tools_screen", "Tools", id="app.tools_screen", tooltip="Tools and MCP servers: state, restart, tools on/off", show=False),
        Binding("f5,ctrl+g", "regenerate", "Regenerate", id="app.regenerate", tooltip="Ask again for the last reply (the old one is kept as a version)", show=False),
        Binding("f8,alt+e", "edit_last", "Edit prompt", id="app.edit_last", tooltip="Edit the last prompt and resend it (the old turn is kept as a version)", show=False),
        Binding("alt+left", "prev_version", "Previous version", id="app.prev_version", tooltip="Show the previous version of the last turn", show=False),
        Binding("alt+right", "next_version", "Next version", id="app.next_version", tooltip="Show the next version of the last turn", show=False),
        Binding("ctrl+up", "focus_log", "Messages", id="app.focus_log", tooltip="Select messages in the log (then Up/Down, [ ], c to copy)", show=False),
        Binding("alt+c", "copy_code", "Copy code", id="app.copy_code", tooltip="Copy the last code block of the conversation", show=False),
        Binding("f4,ctrl+l", "pick_model", "Model", id="app.pick_model", tooltip="Choose the model for the next turn (type to filter)"),
        Binding("f9", "chat_settings", "Chat settings", id="app.chat_settings", tooltip="System prompt, temperature and max tokens of this conversation", show=False),
        Binding("f1", "help", "Help", id="app.help", tooltip="Show every key"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", tooltip="Quit tui-chat", priority=True),  # from any screen, modals too
    ]

    streaming: var[bool] = var(False)
    """True while a reply is streaming."""
    tools_running: var[bool] = var(False)
    """True while a round of tool calls is being confirmed or run."""

    def __init__(
        self, settings: Settings | None = None, *, load: Callable[[], Settings] | None = None,
        preview: Preview | None = None, client_factory=None, db: str | None = None,
        open_conversation: int | str | None = None, local=None,
    ) -> None:
        """Either ``settings``, or ``load`` (with a ``preview`` for the first frame): then
        the settings are validated just after the first frame (see core/preview.py)."""
        super().__init__()
        assert (settings is None) != (load is None), "pass settings or load, not both"
        self._load = load
        self.startup_error: Exception | None = None
        """A ConfigError or LocalError found after the first frame; the CLI prints it and exits 2."""
        self.preview = preview or (Preview.of(settings) if settings else Preview())
        self._db = db
        self._open_on_start = open_conversation
        self.conversation = Conversation()
        self._model_before_switch: str | None = None
        self.local = local
        """A LocalMode when the bundled local model serves this session."""
        self.model = local.model if local else self.preview.model
        self._client = None
        self._client_url = ""
        self._client_factory = client_factory
        self._reply: Reply | None = None
        self._reply_widget: AssistantMessage | None = None
        self._turn = 0
        self._call_keys: list[str] = []
        self._last_prompt = ""
        self._sidebar_choice: bool | None = None
        self._rounds = 0
        self._pending_calls: list[tuple[str, object]] = []
        self._held: list[events.Event] | None = None if settings else []
        """Keys and clicks that arrive before the settings are validated, replayed after."""
        self._always_allowed: set[str] = set()
        self.memory = MemoryPolicy()
        self.settings: Settings | None = None
        self.mcp = None
        self._theme_problem = self._apply_theme(self.preview.theme)
        if settings is not None:
            self._configure(settings)

    @property
    def chat(self):
        """This conversation's system prompt, temperature and max tokens (F9), kept by the history."""
        return self.history.chat

    @chat.setter
    def chat(self, options) -> None:
        self.history.chat = options

    # -- layout ---------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield MessageLog(id="log")
            yield ToolSidebar(id="sidebar")
        yield ErrorBanner(id="banner")
        yield PromptInput(id="prompt")
        yield StatusLine(id="status")
        yield KeyBar()

    def on_mount(self) -> None:
        status = self.query_one(StatusLine)
        status.model = self.model
        status.host = self.preview.host
        self.watch(self.query_one(MessageLog), "scroll_y", lambda _y: self.memory.scrolled(), init=False)
        self._exit_on_signals()
        self._apply_sidebar()
        self.query_one(PromptInput).focus()
        if self.settings is None:
            self.call_after_refresh(self._load_settings)
        else:
            self._start_session()
        self.call_after_refresh(self._after_first_frame)

    def on_resize(self) -> None:
        self._apply_sidebar()

    def _apply_sidebar(self) -> None:
        ui = self.settings.ui if self.settings else self.preview
        wide = self.size.width >= ui.sidebar_min_width
        show = self._sidebar_choice if self._sidebar_choice is not None else (ui.sidebar and wide)
        self.query_one(ToolSidebar).set_class(not show, "-hidden")
        self.query_one(StatusLine).sidebar_hidden = not show

    # -- sending --------------------------------------------------------
    @on(PromptInput.Submitted)
    def _on_submitted(self, event: PromptInput.Submitted) -> None:
        from .core.sanitize import no_surrogates

        text = no_surrogates(event.text)
        status = self.query_one(StatusLine)
        if self.streaming or self.tools_running:
            status.hint = "a reply is still streaming — Esc to stop"
            self.notify("A reply is still streaming — press Esc to stop it first.", severity="warning", timeout=3)
            return
        if not text.strip():
            return
        status.hint = ""
        if self._editing is not None:
            self._apply_edit()
        prompt = self.query_one(PromptInput)
        prompt.remember(text)
        prompt.clear()
        self.query_one(ErrorBanner).hide()
        self._last_prompt = text
        self.conversation.messages.append(ChatMessage("user", text))
        self.history.add(self.conversation.messages[-1], model=self.model, system_prompt=self.conversation.system_prompt)
        self.query_one(MessageLog).add_user(text)
        self._rounds = 0
        self._start_reply()

    def _needs_key(self) -> bool:
        return not self.local and not self.settings.key and self.settings.host.split(":")[0] not in LOCAL_HOSTS and not self.settings.host.startswith("[::1]")

    def _start_reply(self) -> None:
        if self._needs_key():
            self._fail_without_request()
            return
        self._turn += 1
        self._reply = Reply()
        log = self.query_one(MessageLog)
        self._reply_widget = log.add_assistant()
        log.anchor()
        self.streaming = True
        status = self.query_one(StatusLine)
        loading = self.local and not self.local.server.load_seconds
        status.state = "loading local model…" if loading else "streaming"
        status.usage = ""
        request = self.conversation.request(self.model, temperature=self.chat.temperature, max_tokens=self.chat.max_tokens)
        if self.registry:
            request["tools"] = self.registry.specs()
        self.history.begin_reply(self.model)
        self._stream(request, self._reply)

    def _fail_without_request(self) -> None:
        self.query_one(ErrorBanner).show(no_key())
        self.query_one(StatusLine).state = "failed"
        self._restore_prompt()

    @work(exclusive=True, group="reply", exit_on_error=False)
    async def _stream(self, request: dict, reply: Reply) -> None:
        from .worker import pump_reply

        settings = await self._local_settings() if self.local else self.settings
        if settings is None:
            return
        if self._client is None or self._client_url != settings.base_url:
            factory = self._client_factory
            if factory is None:
                from .core.client import make_client as factory
            self._client, self._client_url = factory(settings), settings.base_url
        await pump_reply(
            self.post_message,
            self._client,
            request,
            reply,
            read_timeout=self.settings.read_timeout,
            secret=self.settings.key,
        )

    # -- worker messages ------------------------------------------------
    @on(m.ContentDelta)
    def _on_content(self, message: m.ContentDelta) -> None:
        if self._reply_widget is not None:
            self._reply_widget.append(message.text)
        if self._reply is not None:
            self.history.checkpoint(self._reply, self.model)

    @on(m.ReasoningDelta)
    def _on_reasoning(self, message: m.ReasoningDelta) -> None:
        if self._reply_widget is not None:
            self._reply_widget.append_reasoning(message.text)

    @on(m.ToolCallFragment)
    def _on_tool_fragment(self, message: m.ToolCallFragment) -> None:
        key = f"call-{self._turn}-{message.call.index}"
        if self.query_one(ToolSidebar).upsert(key, message.call) is not None and key not in self._call_keys:
            self._call_keys.append(key)
            self.query_one(StatusLine).calls = len(self._call_keys)

    @on(m.UsageReported)
    def _on_usage(self, message: m.UsageReported) -> None:
        usage = message.usage
        parts = []
        if usage.prompt_tokens is not None:
            parts.append(f"{usage.prompt_tokens} in")
        if usage.completion_tokens is not None:
            parts.append(f"{usage.completion_tokens} out")
        if usage.cost is not None:
            parts.append(f"${usage.cost:.4f}")
        self.query_one(StatusLine).usage = " · ".join(parts)

    @on(m.ReplyFinished)
    def _on_finished(self, message: m.ReplyFinished) -> None:
        self._model_before_switch = None
        reply, widget = self._end_reply(COMPLETE, "ready")
        widget.collapse_reasoning()
        notes = []
        calls = reply.tools.calls
        keys = [f"call-{self._turn}-{call.index}" for call in calls]
        self.query_one(ToolSidebar).finish_all(keys)
        if calls:
            notes.append(f"model requested {len(calls)} tool call{'s' if len(calls) != 1 else ''}")
        warning = message.finish_reason in FINISH_NOTES
        if warning:
            notes.append(FINISH_NOTES[message.finish_reason])
        if not reply.text and not calls and not warning:
            notes.append("(empty reply)")
        versions = "" if calls and self.registry else self._version_note(len(self.conversation.messages) - 1)
        if versions:  # on the turn's final reply only
            notes.append(versions)
        if calls and self.registry:
            self._rounds += 1
            if self._rounds > self.settings.tools.max_rounds:
                notes.append(f"stopped: {self.settings.tools.max_rounds} tool rounds in a row (tools.max_rounds)")
                warning = True
                self._cancel_unanswered(list(zip(keys, calls, strict=True)))
            else:
                self._pending_calls = list(zip(keys, calls, strict=True))
                self.tools_running = True
                self.query_one(StatusLine).state = "running tools"
                self._run_tools(self._pending_calls)
        widget.set_note(" · ".join(notes), warning=warning, model=self.conversation.messages[-1].model)

    @on(m.ReplyFailed)
    def _on_failed(self, message: m.ReplyFailed) -> None:
        reply, widget = self._end_reply(INTERRUPTED if self._reply and self._reply.text else ERROR, "failed")
        widget.set_note(STATUS_NOTES[INTERRUPTED if reply.text else ERROR], warning=True, model=self.model)
        banner = self.query_one(ErrorBanner)
        failure = message.failure
        if failure.kind == "not_found" and self._model_before_switch:
            self.notify(f"Model '{self.model}' was not found; back to {self._model_before_switch}.", severity="warning", markup=False)
            self._set_model(self._model_before_switch)
        self._model_before_switch = None
        if self.local and not failure.kind.startswith("local"):
            if not self.local.server.alive:
                failure = self.local.died_failure()
            else:  # the socket can close a moment before the dead child is reaped
                self.set_timer(0.5, self._check_local_died)
        banner.show(failure)
        if not reply.text:
            self._restore_prompt()
        banner.focus()

    @on(m.ReplyStopped)
    def _on_stopped(self, message: m.ReplyStopped) -> None:
        reply, widget = self._end_reply(STOPPED, "stopped")
        widget.set_note(STATUS_NOTES[STOPPED], warning=False, model=self.model)

    def _end_reply(self, status: str, state: str) -> tuple[Reply, AssistantMessage]:
        reply, widget = self._reply or Reply(), self._reply_widget
        assert widget is not None
        widget.streaming = False
        self.conversation.messages.append(reply.to_message(status, self.model))
        self.history.end_reply(self.conversation.messages[-1])
        self.streaming = False
        self.call_after_refresh(self.memory.reply_finished)
        self.query_one(StatusLine).state = state
        return reply, widget

    @work(exclusive=True, group="tools", exit_on_error=False)
    async def _run_tools(self, calls: list) -> None:
        from .tool_runner import run_round

        await run_round(
            self.post_message,
            self.push_screen_wait,
            self.registry,
            calls,
            confirm_mode=self.settings.tools.confirm,
            allowed=self._always_allowed,
        )

    @on(m.ToolStateChanged)
    def _on_tool_state(self, message: m.ToolStateChanged) -> None:
        self.query_one(ToolSidebar).set_state(message.key, message.state, result=message.result, elapsed=message.elapsed)

    @on(m.ToolsFinished)
    def _on_tools_finished(self, message: m.ToolsFinished) -> None:
        ids = {key: call.to_api()["id"] for key, call in self._pending_calls}
        for key, content in message.results:
            self.conversation.messages.append(ChatMessage("tool", content, tool_call_id=ids[key]))
            self.history.add(self.conversation.messages[-1], model=self.model)
        self._pending_calls = []
        self.tools_running = False
        if message.cancelled:
            self.query_one(StatusLine).state = "stopped"
            self.query_one(MessageLog).add_note("■ tools cancelled — the model was told")
            return
        self._start_reply()

    def _cancel_unanswered(self, calls: list) -> None:
        """Calls that will not run still get a result, so the conversation stays valid."""
        from .tool_runner import CANCELLED

        sidebar = self.query_one(ToolSidebar)
        for key, call in calls:
            self.conversation.messages.append(ChatMessage("tool", CANCELLED, tool_call_id=call.to_api()["id"]))
            self.history.add(self.conversation.messages[-1], model=self.model)
            sidebar.set_state(key, "cancelled", result=CANCELLED)

    def _restore_prompt(self) -> None:
        prompt = self.query_one(PromptInput)
        if not prompt.text.strip():
            prompt.load_text(self._last_prompt)
            prompt.move_cursor(prompt.document.end)

    # -- actions ----------------------------------------------------------
    def action_stop(self) -> None:
        if self.streaming or self.tools_running:
            for worker in self.workers:
                if worker.group in ("reply", "tools"):
                    worker.cancel()
            return
        banner = self.query_one(ErrorBanner)
        if banner.visible:
            banner.hide()
        elif self._cancel_edit():
            pass
        self.query_one(PromptInput).focus()

    @on(ErrorBanner.RetryRequested)
    def action_retry(self) -> None:
        if self.streaming or self.tools_running:
            return
        messages = self.conversation.messages
        if not messages or messages[-1].role != "assistant" or messages[-1].status == COMPLETE:
            if not (messages and messages[-1].role == "user"):
                self.notify("Nothing to retry.", timeout=2)
                return
        if messages and messages[-1].role == "assistant":
            messages.pop()
            self.history.discard_last_reply()
            if self._reply_widget is not None:
                self._reply_widget.remove()
        prompt = self.query_one(PromptInput)
        if prompt.text == self._last_prompt:
            prompt.clear()
        self.query_one(ErrorBanner).hide()
        prompt.focus()
        self._start_reply()

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
        sidebar = self.query_one(ToolSidebar)
        self._sidebar_choice = sidebar.has_class("-hidden")
        self._apply_sidebar()

    def action_new_chat(self) -> None:
        if self.streaming or self.tools_running:
            self.notify("A reply is still streaming — press Esc to stop it first.", severity="warning")
            return
        from .core.chat_options import ChatOptions

        self.chat = ChatOptions(self.settings.system_prompt, self.settings.temperature, self.settings.max_tokens)
        self.conversation = Conversation(system_prompt=self.chat.system_prompt)
        self._editing = None
        self.history.reset()
        self.sub_title = ""
        self.query_one(MessageLog).clear()
        self.call_after_refresh(self.memory.full)  # the old log's widgets may now be collected
        sidebar = self.query_one(ToolSidebar)
        sidebar.clear_calls()
        self._call_keys.clear()
        self.query_one(StatusLine).calls = 0
        self.query_one(ErrorBanner).hide()
        self.query_one(StatusLine).usage = ""

    def action_help(self) -> None:
        from .screens.help import HelpScreen  # screens load on first use, off the first frame

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    @on(ToolSidebar.CallSelected)
    def _open_call(self, event: ToolSidebar.CallSelected) -> None:
        from .screens.tool_detail import ToolDetailScreen

        self.push_screen(ToolDetailScreen(event.item))

    @on(MessageLog.CopyRequested)
    def _copy_from_log(self, event: MessageLog.CopyRequested) -> None:
        self._copy(event.text, event.what)

    @on(ToolSidebar.CopyRequested)
    def _copy_call(self, event: ToolSidebar.CopyRequested) -> None:
        if event.item is None:
            self.notify("No tool call selected.", timeout=2)
            return
        self.copy_to_clipboard(event.item.call.arguments)
        self.notify("Arguments copied to the clipboard.", timeout=2)

    async def action_quit(self) -> None:
        self._save_partial()
        await super().action_quit()

    async def on_unmount(self) -> None:
        self.memory.release()
        self._save_partial()
        if self.local:
            self.local.server.stop()
        if self.mcp:
            await self.mcp.aclose()

    @on(m.MCPChanged)
    def _on_mcp_changed(self, message: m.MCPChanged) -> None:
        from .screens.mcp import MCPScreen

        for screen in self.screen_stack:
            if isinstance(screen, MCPScreen):
                screen.refresh_servers()
        if message.state == "failed":
            from .core.sanitize import clean

            self.notify(f"MCP server '{message.name}' failed: {clean(message.error)} — F3 for details", severity="warning", timeout=6, markup=False)

    def action_tools_screen(self) -> None:
        from .screens.mcp import MCPScreen

        if not isinstance(self.screen, MCPScreen):
            self.push_screen(MCPScreen(self.registry, self.mcp))

    def _save_partial(self) -> None:
        """Quitting mid-reply keeps what arrived, marked interrupted."""
        if self.streaming and self._reply is not None:
            self.history.checkpoint(self._reply, self.model, force=True)

    # -- palette / help -----------------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and binding.action not in ("quit",):
                yield SystemCommand(binding.description, binding.tooltip, getattr(self, f"action_{binding.action}"))
        yield SystemCommand("Export as Markdown", "Write this conversation to tui-chat-ID.md here", lambda: self.action_export("md"))
        yield SystemCommand("Export as JSON", "Write this conversation (OpenAI messages + metadata) to tui-chat-ID.json", lambda: self.action_export("json"))

    def _keymap_keys(self, binding: Binding) -> str:
        keymap = self.settings.keymap if self.settings else {}
        return keymap.get(binding.id or "", binding.key)


def make_app(settings: Settings | None = None, **kwargs) -> ChatApp:
    return ChatApp(settings, **kwargs)
