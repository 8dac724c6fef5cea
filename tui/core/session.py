"""ChatSession: one conversation's state and rules, with no screen.

The session owns the messages, the reply being streamed, tool rounds, versions, the
per-chat options and model, and what is saved. Front ends call its operations and
render the events it reports (core/session_events.py); they never decide what a
reply's note says or what the next request contains.

Streaming itself is done by whoever runs the session: the app in a worker that
coalesces per frame, ``run`` (core/session_runner.py) for tests and pipes. Both report
back through ``finish``, ``fail`` and ``stopped``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from . import continuation
from . import session_events as ev
from .attachments import Attachment
from .chat_options import ChatOptions
from .conversation import COMPLETE, ERROR, INTERRUPTED, STOPPED, ChatMessage, Conversation, Reply
from .errors import Failure
from .history import History
from .notes import last_user_index, reply_note, usage_text
from .session_context import ContextRules
from .queue import PromptQueue
from .stream import Usage
from .tool_round import CANCELLED, Ask, RoundCancelled, run_round
from .toolcalls import ToolCall

if TYPE_CHECKING:
    from .settings import Settings
    from .tools import ToolRegistry

BUSY = "A reply is still streaming — press Esc to stop it first."


class ChatSession:
    """One conversation at a time; ``new_chat`` and ``open`` replace it in place."""

    def __init__(
        self,
        settings: Settings,
        history: History,
        registry: ToolRegistry | None = None,
        *,
        model: str | None = None,
        fixed_model: bool = False,
        on_event: Callable[[ev.Event], Any] | None = None,
        precheck: Callable[[], Failure | None] | None = None,
    ) -> None:
        """``fixed_model``: the model cannot change (the bundled local one), so a stored
        conversation does not bring its own. ``precheck`` may refuse a request before
        it is made (no API key)."""
        self.settings = settings
        self.history = history
        self.registry = registry
        self.fixed_model = fixed_model
        self.emit: Callable[[ev.Event], Any] = on_event or (lambda _event: None)
        self.precheck: Callable[[], Failure | None] = precheck or (lambda: None)
        self.model = model or settings.model
        self.options = self.default_options()
        self.messages: list[ChatMessage] = []
        self.title = ""
        self.reply: Reply | None = None
        """The reply being streamed, if any."""
        self.request: dict[str, Any] = {}
        """The body of the last request made."""
        self.pending_calls: list[tuple[str, ToolCall]] = []
        """The round of tool calls waiting to run, keyed as the events name them."""
        self.tools_running = False
        self.allowed: set[str] = set()
        """Tools the user allowed for the rest of the app's run ("always")."""
        self.last_prompt = ""
        self.editing: int | None = None
        """Index of the prompt being edited: the next send replaces it and what followed."""
        self._rounds = 0
        self._turn = 0
        self._model_before_switch: str | None = None
        self.context = ContextRules(self)
        """The meter, a held prompt, compaction (core/session_context.py)."""
        self.last_attachments: list[Attachment] = []
        self.queue = PromptQueue(self)
        """Prompts sent while busy; one goes out each time a turn ends well."""
        self._continuing: ChatMessage | None = None
        """The cut-off reply the one being streamed continues."""
        self._auto_continued = False

    # -- state --------------------------------------------------------------
    @property
    def streaming(self) -> bool:
        return self.reply is not None

    @property
    def busy(self) -> bool:
        return self.streaming or self.tools_running

    @property
    def conversation(self) -> Conversation:
        """The messages as the API sees them, with this chat's system prompt."""
        skip, summary = self.context.compaction or (0, "")
        return Conversation(self.messages, self.options.system_prompt, skip, summary)

    def default_options(self) -> ChatOptions:
        s = self.settings
        return ChatOptions(s.system_prompt, s.temperature, s.max_tokens)

    def call_key(self, index: int) -> str:
        """The name by which events refer to a call of the reply being streamed."""
        return f"call-{self._turn}-{index}"

    # -- sending ------------------------------------------------------------
    def send(self, text: str, attachments: list[Attachment] | None = None, *, force: bool = False) -> bool:
        """Add a prompt and ask for a reply; False when refused (busy, or blank). A prompt
        that would overflow the window is held instead (ContextOverflow) unless ``force``."""
        attachments = list(attachments or [])
        if self.busy or not (text.strip() or attachments):
            return False
        if not force and self.context.would_overflow(text, attachments):
            return True
        if self.editing is not None:
            index, self.editing = self.editing, None
            self._drop_from(index)
        self.last_prompt, self.last_attachments = text, attachments
        self._append(ChatMessage("user", text, attachments=attachments))
        self.emit(ev.UserAdded(text, attachments))
        self._rounds = 0
        self._start_reply()
        return True

    def continue_reply(self) -> str | None:
        """Ask the model to go on from where the last (cut-off) reply stopped."""
        refusal = continuation.refusal(self.busy, self.messages)
        if refusal:
            return refusal
        if self.precheck() is not None:
            self._start_reply()  # reports the failure; the cut-off reply stays as it was
            return None
        self._continuing = self.messages.pop()
        self.history.discard_last_reply()
        self.emit(ev.ReplyDropped())
        self._start_reply()
        return None

    def _start_reply(self) -> None:
        failure = self.precheck()
        if failure is not None:
            self.queue.pause()
            self.emit(ev.StateChanged("failed"))
            self.emit(ev.ReplyFailed(failure, self.last_prompt))
            return
        self._turn += 1
        self.reply = Reply()
        request = self.conversation.request(self.model, temperature=self.options.temperature, max_tokens=self.options.max_tokens)
        if self.registry:
            request["tools"] = self.registry.specs()
        if self._continuing is not None:
            continuation.resume(self.reply, request, self._continuing)
        self.request = request
        self.history.begin_reply(self.model, self.options)
        self.context.meter(request)
        self.emit(ev.UsageChanged(""))
        self.emit(ev.ReplyStarted(request, self.reply))

    def checkpoint(self, *, force: bool = False) -> None:
        """Save the reply so far (at most once a second unless forced): a crash keeps it."""
        if self.reply is not None:
            self.history.checkpoint(self.reply, self.model, force=force)

    def usage(self, usage: Usage) -> None:
        if self.context.compacting is None:
            self.emit(ev.UsageChanged(usage_text(usage)))
            self.context.measured(self.request, usage.prompt_tokens, usage.completion_tokens)

    def _end(self, status: str) -> ChatMessage:
        reply, self.reply = self.reply or Reply(), None
        message = reply.to_message(status, self.model)
        if self._continuing is not None:
            continuation.mark(message, self._continuing)
            self._continuing = None
        self.messages.append(message)
        self.history.end_reply(message)
        return message

    def finish(self) -> None:
        """The stream ended normally: note the reply, then run its tool calls (if any)."""
        self._model_before_switch = None
        if self.context.compacting is not None:
            return self._compacted()
        message = self._end(COMPLETE)
        calls = self._last_calls(message)
        keys = [key for key, _ in calls]
        run = bool(calls and self.registry)
        extra = []
        if run:
            self._rounds += 1
            if self._rounds > self.settings.tools.max_rounds:
                extra.append(f"stopped: {self.settings.tools.max_rounds} tool rounds in a row (tools.max_rounds)")
        note, warning = reply_note(message, versions="" if run else self.versions_note(), extra=extra)
        self.emit(ev.ReplyEnded(message, note, warning, keys))
        if run and extra:
            self._answer_unrun(calls)
        elif run:
            self.pending_calls = calls
            self.tools_running = True
            self.emit(ev.StateChanged("running tools"))
            self.emit(ev.ToolsRequested(calls))
            return
        self.context.meter()
        self._auto_continued = False
        self.emit(ev.StateChanged("ready"))
        self.queue.turn_ended()

    def _last_calls(self, message: ChatMessage) -> list[tuple[str, ToolCall]]:
        calls = []
        for index, raw in enumerate(message.tool_calls):
            function = raw.get("function", {})
            call = ToolCall(index=index, id=raw.get("id", ""), name=function.get("name", ""), arguments=function.get("arguments", ""))
            calls.append((self.call_key(index), call))
        return calls

    def fail(self, failure: Failure) -> None:
        if self.context.compacting is not None:
            return self._compaction_failed(failure)
        message = self._end(INTERRUPTED if self.reply and self.reply.text else ERROR)
        if failure.kind == "not_found" and self._model_before_switch:
            bad, self.model = self.model, self._model_before_switch
            self.history.set_model(self.model)
            self.emit(ev.ModelChanged(self.model, reverted_from=bad))
        self._model_before_switch = None
        note, warning = reply_note(message)
        self.emit(ev.ReplyEnded(message, note, warning))
        auto = self.settings.stream.auto_continue
        if continuation.should_auto_continue(auto, failure, message, self._auto_continued):
            self._auto_continued = True
            self.continue_reply()
            return
        self._auto_continued = False
        self.queue.pause()
        self.emit(ev.StateChanged("failed"))
        if not message.content and self.context.refused(failure):
            return
        back = not message.content
        self.emit(ev.ReplyFailed(failure, self.last_prompt if back else "", self.last_attachments if back else []))

    def stopped(self) -> None:
        if self.context.compacting is not None:
            return self._compaction_failed(None)
        message = self._end(STOPPED)
        note, warning = reply_note(message)
        self.emit(ev.ReplyEnded(message, note, warning))
        self.queue.pause()
        self.emit(ev.StateChanged("stopped"))

    # -- tools ----------------------------------------------------------------
    async def run_tools(self, ask: Ask) -> None:
        """Run the pending round (confirming through ``ask``), then go on with the reply."""
        assert self.registry is not None, "a tool round needs tools"
        calls = self.pending_calls

        def on_state(key: str, state: str, result: str | None, elapsed: float | None) -> None:
            self.emit(ev.ToolStateChanged(key, state, result, elapsed))

        try:
            results = await run_round(
                self.registry, calls, ask=ask, on_state=on_state,
                confirm_mode=self.settings.tools.confirm, allowed=self.allowed,
            )
        except RoundCancelled as cancelled:
            self.tools_done(cancelled.results, cancelled=True)
            raise
        self.tools_done(results)

    def tools_done(self, results: list[tuple[str, str]], *, cancelled: bool = False) -> None:
        ids = {key: call.to_api()["id"] for key, call in self.pending_calls}
        for key, content in results:
            self._append(ChatMessage("tool", content, tool_call_id=ids[key]))
        self.pending_calls = []
        self.tools_running = False
        if cancelled:
            self.queue.pause()
            self.emit(ev.StateChanged("stopped"))
            self.emit(ev.ToolsCancelled())
            return
        self._start_reply()

    def _answer_unrun(self, calls: list[tuple[str, ToolCall]]) -> None:
        """Calls that will not run still get a result, so the conversation stays valid."""
        for key, call in calls:
            self._append(ChatMessage("tool", CANCELLED, tool_call_id=call.to_api()["id"]))
            self.emit(ev.ToolStateChanged(key, "cancelled", CANCELLED))

    # -- redoing the last turn ------------------------------------------------
    def cannot_retry(self) -> str | None:
        """Why ``retry`` would do nothing, or None."""
        if self.busy:
            return BUSY
        last = self.messages[-1] if self.messages else None
        if last is None or (last.role == "assistant" and last.status == COMPLETE) or last.role == "tool":
            return "Nothing to retry."
        return None

    def retry(self) -> str | None:
        """Ask again after a failed, stopped or interrupted reply, which it replaces (also
        one read back from the store). Returns why not, or None."""
        refusal = self.cannot_retry()
        if refusal:
            return refusal
        self.queue.unpause()  # r on the banner resumes the queue too
        messages = self.messages
        if messages[-1].role == "assistant":
            messages.pop()
            self.history.discard_last_reply()
            self.emit(ev.ReplyDropped())
        user = last_user_index(messages)
        self.last_prompt = messages[user].content if user is not None else ""
        self._start_reply()
        return None

    def regenerate(self) -> str | None:
        """Ask again for the last reply; the old one becomes a version."""
        if self.busy:
            return BUSY
        user = last_user_index(self.messages)
        if user is None:
            return "Nothing to regenerate yet: send a message first."
        self._drop_from(user + 1)
        self.last_prompt = self.messages[user].content
        self._rounds = 0
        self._start_reply()
        return None

    def begin_edit(self) -> str | None:
        """The last prompt, to edit; the next send replaces it (the old turn becomes a version)."""
        user = last_user_index(self.messages)
        if self.busy or user is None:
            return None
        self.editing = user
        return self.messages[user].content

    def cancel_edit(self) -> bool:
        editing, self.editing = self.editing, None
        return editing is not None

    def switch_version(self, *, back: bool) -> str | None:
        """Show the previous (``back``) or next stored version of the last turn."""
        if self.busy:
            return BUSY
        user = last_user_index(self.messages)
        if user is None or self.history.conversation_id is None:
            return "No other versions of the last turn."
        for position in (user + 1, user):
            versions = self.history.versions(position)
            if versions:
                self.history.swap_version(position, versions[-1] if back else versions[0], front=back)
                self.messages[:] = self.history.messages()
                self._reloaded()
                return None
        return "No other versions of the last turn: regenerate (F5) or edit (F8) makes one."

    def versions_note(self) -> str:
        user = last_user_index(self.messages)
        if user is None:
            return ""
        count = len(self.history.versions(user + 1)) or len(self.history.versions(user))
        return f"{count + 1} versions · alt+← / alt+→" if count else ""

    def notes(self) -> Callable[[int], tuple[str, bool]]:
        """``note(index)`` for the messages as they are now: the note each reply had live.
        What it needs from the store is read once, not once per reply."""
        messages = list(self.messages)
        last = max((i for i, m in enumerate(messages) if m.role == "assistant"), default=None)
        user = last_user_index(messages)
        versions = self.versions_note() if last is not None and user is not None and last > user else ""

        def note(index: int) -> tuple[str, bool]:
            return reply_note(messages[index], versions=versions if index == last else "")

        return note

    def _drop_from(self, index: int) -> None:
        """The tail from ``index`` becomes a version, and the screen shows what is left."""
        if index < len(self.messages):
            self.history.archive_tail(index)
        del self.messages[index:]
        self._reloaded()

    def _reloaded(self) -> None:
        self.context.reloaded()
        self.emit(ev.Reloaded(list(self.messages), self.notes(), self.title))
        self.context.shown()

    # -- whole conversations ----------------------------------------------------
    def new_chat(self) -> bool:
        if self.busy:
            return False
        self.options = self.default_options()
        self.messages = []
        self.editing = None
        self.title = ""
        self.context.clear()
        self.history.reset()
        self.emit(ev.Cleared())
        self.context.meter()
        self.queue.clear()
        return True

    def open(self, conversation_id: int) -> bool:
        """Continue a stored conversation (one whose last reply was cut off included)."""
        info = self.history.store.conversation(conversation_id)
        if info is None or not self.new_chat():
            return False
        stored = info.settings or {}
        self.options = replace(
            self.options, system_prompt=info.system_prompt,
            temperature=stored.get("temperature", self.options.temperature),
            max_tokens=stored.get("max_tokens", self.options.max_tokens),
        )
        if not self.fixed_model:
            self.model = info.model or self.settings.model
            self.emit(ev.ModelChanged(self.model))
        self.history.reset(conversation_id)
        self.messages = self.history.messages()
        self.context.restore()
        self.title = info.title
        self._reloaded()
        self.queue.load(conversation_id)
        return True

    def set_model(self, model: str) -> None:
        """From the next request on; a model the server does not know falls back to this one."""
        if model == self.model:
            return
        self._model_before_switch, self.model = self.model, model
        self.history.set_model(model)
        self.emit(ev.ModelChanged(model))
        self.context.meter()

    def set_options(self, options: ChatOptions) -> None:
        self.options = options
        self.history.set_options(options)

    def save_partial(self) -> None:
        """Quitting mid-reply keeps what arrived, marked interrupted."""
        self.checkpoint(force=True)

    def _append(self, message: ChatMessage) -> None:
        self.messages.append(message)
        self.history.add(message, model=self.model, options=self.options)


    # -- the context window (core/session_context.py) ---------------------------------
    def resolve_overflow(self, choice: str) -> str | None:
        """"compact", "drop" (the oldest turns) or "send" (anyway); see ContextRules.choose."""
        return BUSY if self.busy else self.context.choose(choice)

    def compact(self) -> str | None:
        """Ask the model to summarise the earlier turns; the summary stands for them in requests."""
        if self.busy:
            return BUSY
        request = self.context.summary_request()
        if request is None:
            return "Nothing to compact yet."
        self.reply, self.request = Reply(), request
        self.emit(ev.StateChanged("compacting"))
        self.emit(ev.CompactionStarted(request, self.reply))
        return None

    def _compacted(self) -> None:
        reply, self.reply = self.reply or Reply(), None
        go_on = self.context.compacted(reply.text)
        self.emit(ev.StateChanged("ready"))
        if go_on:
            self.context.go_on()

    def _compaction_failed(self, failure: Failure | None) -> None:
        self.reply = None
        held = self.context.compaction_failed()
        self.emit(ev.StateChanged("failed" if failure else "stopped"))
        if failure is not None:
            failure = replace(failure, title=f"Compaction failed: {failure.title}")
            self.emit(ev.ReplyFailed(failure, held[0] if held else "", held[1] if held else []))

    def undo_compaction(self, *, redo: bool = False) -> str | None:
        """The latest compaction (or drop) stops applying: requests carry the turns again."""
        if self.busy:
            return BUSY
        if not self.context.undo(redo=redo):
            return "No compaction to redo." if redo else "No compaction to undo."
        self._reloaded()
        return None
