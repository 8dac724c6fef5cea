"""ChatSession: one conversation's state and rules, with no screen.

The session owns the messages (it is their one writer), the reply being streamed, the
per-chat options and model, and what is saved. Collaborators it owns keep the rest, each
the one writer of its state: tool rounds (core/session_tools.py), retry, regenerate,
edit and versions (core/session_turns.py), the context window (core/session_context.py),
the queue (core/queue.py), continuing a cut-off reply (core/continuation.py). Front ends
call its operations and render the events it reports (core/session_events.py); they
never decide what a reply's note says or what the next request contains.

Streaming itself is done by whoever runs the session: the app in a worker that
coalesces per frame, ``run`` (core/session_runner.py) for tests and pipes. Both report
back through ``finish``, ``fail`` and ``stopped``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import session_events as ev
from .attachments import Attachment
from .chat_options import ChatOptions
from .continuation import Continuation
from .conversation import COMPLETE, ERROR, INTERRUPTED, STOPPED, ChatMessage, Conversation, Reply
from .errors import Failure
from .history import History
from .notes import reply_note, usage_text
from .queue import PromptQueue
from .session_context import ContextRules
from .session_tools import ToolRounds
from .session_turns import Redo, busy
from .stream import Usage
from .tool_round import Ask
from .toolcalls import ToolCall

if TYPE_CHECKING:
    from .settings import Settings
    from .tools import ToolRegistry


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
        self.continuing = Continuation()
        """What the reply being streamed continues (core/continuation.py)."""
        self.tools = ToolRounds(self, self._start_reply)
        """The pending round, its state, rounds in a row (core/session_tools.py)."""
        self.redo = Redo(self, self._start_reply, self.continuing)
        """Retry, regenerate, continue, edit, versions; the last prompt (core/session_turns.py)."""
        self._model_before_switch: str | None = None
        self.context = ContextRules(self)
        """The meter, a held prompt, compaction (core/session_context.py)."""
        self.queue = PromptQueue(self)
        """Prompts sent while busy; one goes out each time a turn ends well."""

    # -- state --------------------------------------------------------------
    @property
    def streaming(self) -> bool:
        return self.reply is not None

    @property
    def busy(self) -> bool:
        return self.streaming or self.tools_running

    @property
    def tools_running(self) -> bool:
        return self.tools.running

    @property
    def pending_calls(self) -> list[tuple[str, ToolCall]]:
        """The round of tool calls waiting to run, keyed as the events name them."""
        return self.tools.pending

    @property
    def allowed(self) -> set[str]:
        """Tools the user allowed for the rest of the app's run ("always")."""
        return self.tools.allowed

    @property
    def editing(self) -> int | None:
        """Index of the prompt being edited: the next send replaces it and what followed."""
        return self.redo.editing

    @property
    def last_prompt(self) -> str:
        return self.redo.last_prompt

    @property
    def last_attachments(self) -> list[Attachment]:
        return self.redo.last_attachments

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
        return self.tools.call_key(index)

    # -- sending ------------------------------------------------------------
    def send(self, text: str, attachments: list[Attachment] | None = None, *, force: bool = False) -> bool:
        """Add a prompt and ask for a reply; False when refused (busy, or blank). A prompt
        that would overflow the window is held instead (ContextOverflow) unless ``force``."""
        attachments = list(attachments or [])
        if self.busy or not (text.strip() or attachments):
            return False
        if not force and self.context.would_overflow(text, attachments):
            return True
        self.redo.sent(text, attachments)
        self.add(ChatMessage("user", text, attachments=attachments))
        self.emit(ev.UserAdded(text, attachments))
        self.tools.new_prompt()
        self._start_reply()
        return True

    def _start_reply(self) -> None:
        failure = self.precheck()
        if failure is not None:
            self.queue.pause()
            self.emit(ev.StateChanged("failed"))
            self.emit(ev.ReplyFailed(failure, self.last_prompt))
            return
        self.tools.reply_started()
        self.reply = Reply()
        request = self.conversation.request(self.model, temperature=self.options.temperature, max_tokens=self.options.max_tokens)
        if self.registry:
            request["tools"] = self.registry.specs()
        self.continuing.resume(self.reply, request)
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
        self.continuing.end(message)
        self.messages.append(message)
        self.history.end_reply(message)
        return message

    def finish(self) -> None:
        """The stream ended normally: note the reply, then run its tool calls (if any)."""
        self._model_before_switch = None
        if self.context.compacting is not None:
            return self._compacted()
        message = self._end(COMPLETE)
        calls = self.tools.calls(message)
        run = bool(calls and self.registry)
        extra = self.tools.count_round() if run else []
        note, warning = reply_note(message, versions="" if run else self.versions_note(), extra=extra)
        self.emit(ev.ReplyEnded(message, note, warning, [key for key, _ in calls]))
        if run and extra:
            self.tools.answer_unrun(calls)
        elif run:
            return self.tools.request(calls)
        self.context.meter()
        self.continuing.turn_ended()
        self.emit(ev.StateChanged("ready"))
        self.queue.turn_ended()

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
        if self.continuing.again(self.settings.stream.auto_continue, failure, message):
            self.continue_reply()
            return
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
        await self.tools.run(ask)

    def tools_done(self, results: list[tuple[str, str]], *, cancelled: bool = False) -> None:
        self.tools.done(results, cancelled=cancelled)

    # -- asking again for the last turn (core/session_turns.py) --------------------------
    def cannot_retry(self) -> str | None:
        """Why ``retry`` would do nothing, or None."""
        return self.redo.cannot_retry()

    def retry(self) -> str | None:
        """Ask again after a failed, stopped or interrupted reply, which it replaces (also
        one read back from the store). Returns why not, or None."""
        return self.redo.retry()

    def regenerate(self) -> str | None:
        """Ask again for the last reply; the old one becomes a version."""
        return self.redo.regenerate()

    def continue_reply(self) -> str | None:
        """Ask the model to go on from where the last (cut-off) reply stopped."""
        return self.redo.continue_reply()

    def begin_edit(self) -> str | None:
        """The last prompt, to edit; the next send replaces it (the old turn becomes a version)."""
        return self.redo.begin_edit()

    def cancel_edit(self) -> bool:
        return self.redo.cancel_edit()

    def switch_version(self, *, back: bool) -> str | None:
        """Show the previous (``back``) or next stored version of the last turn."""
        return self.redo.switch_version(back=back)

    def versions_note(self) -> str:
        return self.redo.versions_note()

    def notes(self) -> Callable[[int], tuple[str, bool]]:
        """``note(index)`` for the messages as they are now: the note each reply had live."""
        return self.redo.notes()

    # -- the messages (the session is their one writer) ----------------------------------
    def add(self, message: ChatMessage) -> None:
        self.messages.append(message)
        self.history.add(message, model=self.model, options=self.options)

    def drop_last_reply(self) -> ChatMessage:
        message = self.messages.pop()
        self.history.discard_last_reply()
        self.emit(ev.ReplyDropped())
        return message

    def drop_from(self, index: int) -> None:
        """The tail from ``index`` becomes a version, and the screen shows what is left."""
        if index < len(self.messages):
            self.history.archive_tail(index)
        del self.messages[index:]
        self._reloaded()

    def reload(self) -> None:
        """Read the messages back from the store (another version of the last turn)."""
        self.messages[:] = self.history.messages()
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
        self.redo.cancel_edit()
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
        self.options = self.options.restored(info.system_prompt, info.settings or {})
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

    # -- the context window (core/session_context.py) ---------------------------------
    def resolve_overflow(self, choice: str) -> str | None:
        """"compact", "drop" (the oldest turns) or "send" (anyway); see ContextRules.choose."""
        return busy(self.settings.keymap) if self.busy else self.context.choose(choice)

    def compact(self) -> str | None:
        """Ask the model to summarise the earlier turns; the summary stands for them in requests."""
        if self.busy:
            return busy(self.settings.keymap)
        request = self.context.summary_request()
        if request is None:
            return "Nothing to compact yet."
        self.reply, self.request = Reply(), request
        self.emit(ev.StateChanged("compacting"))
        self.emit(ev.CompactionStarted(request, self.reply))
        return None

    def _compacted(self) -> None:
        reply, self.reply = self.reply or Reply(), None
        self.context.compacted(reply.text)

    def _compaction_failed(self, failure: Failure | None) -> None:
        self.reply = None
        self.context.compaction_failed(failure)

    def undo_compaction(self, *, redo: bool = False) -> str | None:
        """The latest compaction (or drop) stops applying: requests carry the turns again."""
        if self.busy:
            return busy(self.settings.keymap)
        if not self.context.undo(redo=redo):
            return "No compaction to redo." if redo else "No compaction to undo."
        self._reloaded()
        return None
