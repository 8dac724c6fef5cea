"""The tool rounds of a ChatSession: which calls wait to run, whether they are running,
how many rounds ran in a row, and which tools the user allowed for the app's run.

The session owns one ToolRounds and calls it when a reply ends (``calls``,
``count_round``, ``request``) and to run a round (``run``, ``done``), handing it the one
thing it may not do itself: start the next reply. ToolRounds is the one writer of that
state; the session stays the one writer of the messages (tool results join them through
its ``add``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from . import session_events as ev
from .conversation import ChatMessage
from .tool_round import CANCELLED, Ask, RoundCancelled, run_round
from .toolcalls import ToolCall

if TYPE_CHECKING:
    from .session import ChatSession

Calls = list[tuple[str, ToolCall]]


class ToolRounds:
    def __init__(self, session: ChatSession, start_reply: Callable[[], None]) -> None:
        self.session = session
        self.start_reply = start_reply
        self.pending: Calls = []
        """The round of tool calls waiting to run, keyed as the events name them."""
        self.running = False
        self.allowed: set[str] = set()
        """Tools the user allowed for the rest of the app's run ("always")."""
        self.rounds = 0
        """Rounds in a row since the last prompt: tools.max_rounds stops a loop."""
        self.turn = 0

    def call_key(self, index: int) -> str:
        """The name by which events refer to a call of the reply being streamed."""
        return f"call-{self.turn}-{index}"

    def reply_started(self) -> None:
        self.turn += 1

    def new_prompt(self) -> None:
        self.rounds = 0

    def calls(self, message: ChatMessage) -> Calls:
        """The reply's tool calls, keyed."""
        calls = []
        for index, raw in enumerate(message.tool_calls):
            function = raw.get("function", {})
            call = ToolCall(index=index, id=raw.get("id", ""), name=function.get("name", ""), arguments=function.get("arguments", ""))
            calls.append((self.call_key(index), call))
        return calls

    def count_round(self) -> list[str]:
        """Count one more round; the note that stops it when there were too many in a row."""
        self.rounds += 1
        most = self.session.settings.tools.max_rounds
        return [f"stopped: {most} tool rounds in a row (tools.max_rounds)"] if self.rounds > most else []

    def request(self, calls: Calls) -> None:
        """The round waits to run (``run``)."""
        self.pending = calls
        self.running = True
        self.session.emit(ev.StateChanged("running tools"))
        self.session.emit(ev.ToolsRequested(calls))

    async def run(self, ask: Ask) -> None:
        """Run the pending round (confirming through ``ask``), then go on with the reply."""
        session = self.session
        assert session.registry is not None, "a tool round needs tools"

        def on_state(key: str, state: str, result: str | None, elapsed: float | None) -> None:
            session.emit(ev.ToolStateChanged(key, state, result, elapsed))

        try:
            results = await run_round(
                session.registry, self.pending, ask=ask, on_state=on_state,
                confirm_mode=session.settings.tools.confirm, allowed=self.allowed,
            )
        except RoundCancelled as cancelled:
            self.done(cancelled.results, cancelled=True)
            raise
        self.done(results)

    def done(self, results: list[tuple[str, str]], *, cancelled: bool = False) -> None:
        """The results join the conversation; the reply goes on unless the round was cancelled."""
        session = self.session
        ids = {key: call.to_api()["id"] for key, call in self.pending}
        for key, content in results:
            session.add(ChatMessage("tool", content, tool_call_id=ids[key]))
        self.pending = []
        self.running = False
        if cancelled:
            session.queue.pause()
            session.emit(ev.StateChanged("stopped"))
            session.emit(ev.ToolsCancelled())
            return
        self.start_reply()

    def answer_unrun(self, calls: Calls) -> None:
        """Calls that will not run still get a result, so the conversation stays valid."""
        for key, call in calls:
            self.session.add(ChatMessage("tool", CANCELLED, tool_call_id=call.to_api()["id"]))
            self.session.emit(ev.ToolStateChanged(key, "cancelled", CANCELLED))
