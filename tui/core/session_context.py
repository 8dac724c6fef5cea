"""The context-window rules of a ChatSession: the meter, holding a prompt that would
not fit, and compaction (a summary, or dropped turns, standing for the earlier
messages in requests while the messages themselves stay).

The session owns one ContextRules and calls it at a few points (send, usage, finish,
fail, reload). ContextRules is the one writer of the compaction, the held prompt and
the count; the session stays the one writer of the messages and the reply.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from . import compaction as cut
from . import session_events as ev
from .attachments import Attachment
from .context import ContextTracker, estimate_request, is_overflow, short
from .conversation import ChatMessage

if TYPE_CHECKING:
    from .errors import Failure
    from .session import ChatSession

NOTHING_TO_COMPACT = "Nothing to compact yet: the conversation is only its latest turns."


class ContextRules:
    def __init__(self, session: ChatSession) -> None:
        self.session = session
        self.tracker = ContextTracker(session.settings)
        """The window per model and the last measured request size."""
        self.compaction: tuple[int, str] | None = None
        """(messages left out of requests, the summary standing for them), if compacted."""
        self.held: tuple[str, list[Attachment]] | None = None
        """A prompt that waits for the overflow choice, or for compaction to finish."""
        self.compacting: tuple[int, tuple[str, list[Attachment]] | None, bool] | None = None
        """While a summary streams: where it cuts, the prompt to send after it, and whether
        to go on after it (an overflow choice, auto_compact) or just stop (F6)."""
        self.resume = False

    # -- the meter -------------------------------------------------------------------
    def body(self, extra: list[dict[str, Any]] | None = None, skip: int | None = None) -> dict[str, Any]:
        conversation = self.session.conversation
        if skip is not None:
            conversation.skip, conversation.summary = skip, ""
        body = {"messages": conversation.api_messages() + (extra or [])}
        if self.session.registry:
            body["tools"] = self.session.registry.specs()
        return body

    def meter(self, body: dict[str, Any] | None = None) -> None:
        meter = self.tracker.meter(body or self.body(), self.session.model)
        self.session.emit(ev.ContextChanged(meter.text, meter.warning))

    def measured(self, request: dict[str, Any], prompt_tokens: int | None, completion_tokens: int | None) -> None:
        if prompt_tokens is not None and self.compacting is None:
            self.tracker.measured(len(request.get("messages", [])), prompt_tokens + (completion_tokens or 0))

    def learn_windows(self, windows: dict[str, int]) -> None:
        self.tracker.server.update(windows)
        self.meter()

    # -- before sending, and after the server refused ----------------------------------
    def would_overflow(self, text: str, attachments: list[Attachment]) -> bool:
        """Hold the prompt (and say why) when it would not fit, or compact first (auto_compact)."""
        session = self.session
        window = self.tracker.window(session.model)
        if not window:
            return False
        prompt = ChatMessage("user", text, attachments=attachments).to_api()
        used = self.tracker.used(self.body([prompt]))
        auto = session.settings.context.auto_compact
        if auto and used >= auto * window and self.cut() is not None:
            self.held, self.resume = (text, attachments), True
            session.compact()
            self.resume = False
            return True
        if used <= window:
            return False
        self.held = (text, attachments)
        message = f"This message would not fit: about {short(used)} tokens, and {session.model} takes {short(window)}."
        session.emit(ev.ContextOverflow(message, True, text, attachments))
        return True

    def refused(self, failure: Failure) -> bool:
        """Whether the server refused the request as too long; then the banner offers the choices."""
        if not is_overflow(failure):
            return False
        window = self.tracker.window(self.session.model)
        limit = f" (its limit is {short(window)} tokens)" if window else ""
        self.session.emit(ev.ContextOverflow(f"The conversation is too long for {self.session.model}{limit}: the server refused it.", False))
        return True

    def choose(self, choice: str) -> str | None:
        """The overflow banner's choice: "compact", "drop" (the oldest turns) or "send"
        (anyway); then the held prompt is sent, or the refused turn asked again."""
        if choice == "compact":
            self.resume = True
            refusal = self.session.compact()
            self.resume = False
            return refusal
        if choice == "drop":
            self.drop_oldest()
        self.go_on()
        return None

    def go_on(self) -> None:
        """After a choice: send the held prompt, or ask again for the refused turn."""
        held, self.held = self.held, None
        if held is not None:
            self.session.send(*held, force=True)
        elif self.session.cannot_retry() is None:
            self.session.retry()

    def drop_oldest(self) -> None:
        window = self.tracker.window(self.session.model) or 0
        extra = [ChatMessage("user", self.held[0], attachments=self.held[1]).to_api()] if self.held else []
        skip = (self.compaction or (0, ""))[0]
        where = cut.drop_cut(self.session.messages, skip, lambda at: estimate_request(self.body(extra, at)) <= window)
        if where is not None:
            self.set(where, "")

    # -- compaction ----------------------------------------------------------------------
    def cut(self) -> int | None:
        skip = (self.compaction or (0, ""))[0]
        return cut.cut_point(self.session.messages, skip, self.session.settings.context.keep_turns)

    def summary_request(self) -> dict[str, Any] | None:
        """The request that asks for the summary (and the compaction begins), or None."""
        session = self.session
        where = self.cut()
        if where is None:
            session.emit(ev.Notice(NOTHING_TO_COMPACT))
            if self.held:  # it still would not fit: the prompt stays held, the other choices are offered again
                text, attachments = self.held
                session.emit(ev.ContextOverflow(f"{NOTHING_TO_COMPACT} Drop the oldest turns, or send it anyway.",
                                                True, text, attachments))
            return None
        self.compacting = (where, self.held, self.resume)
        self.held = None
        return cut.summary_request(session.conversation, where, session.settings.context.compact_prompt, session.model)

    def compacted(self, summary: str) -> None:
        """Keep the summary; then the turn goes on (the held prompt, or a retry) if it was to."""
        assert self.compacting is not None
        (where, held, resume), self.compacting = self.compacting, None
        self.set(where, summary.strip() or "(the model gave no summary)")
        self.held = held
        self.session.emit(ev.StateChanged("ready"))
        if resume:
            self.go_on()

    def compaction_failed(self, failure: Failure | None) -> None:
        """The summary did not come (``failure``, or stopped); the prompt that waited for it goes back."""
        held = self.compacting[1] if self.compacting else None
        self.compacting = self.held = None
        self.session.emit(ev.StateChanged("failed" if failure else "stopped"))
        if failure is not None:
            failure = replace(failure, title=f"Compaction failed: {failure.title}")
            self.session.emit(ev.ReplyFailed(failure, held[0] if held else "", held[1] if held else []))

    def set(self, skip: int, summary: str) -> None:
        self.compaction = (skip, summary)
        self.session.history.compact(skip, summary)
        self.tracker.forget()
        self.session.emit(ev.Compacted(skip, summary))
        self.meter()

    def undo(self, *, redo: bool) -> bool:
        if not self.session.history.undo_compaction(redo=redo):
            return False
        self.compaction = self.session.history.compaction()
        return True

    # -- whole conversations -------------------------------------------------------------
    def restore(self) -> None:
        self.compaction = self.session.history.compaction()

    def clear(self) -> None:
        self.compaction = self.held = None
        self.tracker.forget()

    def reloaded(self) -> None:
        if self.compaction and self.compaction[0] > len(self.session.messages):
            self.compaction = None  # the turns it stood for were replaced
        self.tracker.forget()

    def shown(self) -> None:
        if self.compaction:
            self.session.emit(ev.Compacted(*self.compaction))
        self.meter()
