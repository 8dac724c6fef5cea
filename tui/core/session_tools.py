"""The tool rounds of a ChatSession: which calls wait to run, whether they are running,
how many rounds ran in a row, and which tools the user allowed for the app's run.

The session owns one ToolRounds and calls it when a reply ends (``calls``,
``count_round``, ``request``) and to run a round (``run``, ``done``). ToolRounds is the one
writer of that state; the session stays the one writer of the messages (tool results
join them through its ``add``) and decides what happens after a round.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import session_events as ev
from .conversation import ChatMessage
from .tool_round import CANCELLED, Ask, run_round
from .toolcalls import ToolCall

if TYPE_CHECKING:
    from .session import ChatSession

Calls = list[tuple[str, ToolCall]]


class ToolRounds:
    def __init__(self, session: ChatSession) -> None:
        self.session = session
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

    async def run(self, ask: Ask) -> list[tuple[str, str]]:
        """Run the pending round, confirming through ``ask``; RoundCancelled carries what ran."""
        session = self.session
        assert session.registry is not None, "a tool round needs tools"

        def on_state(key: str, state: str, result: str | None, elapsed: float | None) -> None:
            session.emit(ev.ToolStateChanged(key, state, result, elapsed))

        return await run_round(
            session.registry, self.pending, ask=ask, on_state=on_state,
            confirm_mode=session.settings.tools.confirm, allowed=self.allowed,
        )

    def done(self, results: list[tuple[str, str]]) -> None:
        """The results join the conversation, and the round is over."""
        ids = {key: call.to_api()["id"] for key, call in self.pending}
        for key, content in results:
            self.session.add(ChatMessage("tool", content, tool_call_id=ids[key]))
        self.pending = []
        self.running = False

    def answer_unrun(self, calls: Calls) -> None:
        """Calls that will not run still get a result, so the conversation stays valid."""
        for key, call in calls:
            self.session.add(ChatMessage("tool", CANCELLED, tool_call_id=call.to_api()["id"]))
            self.session.emit(ev.ToolStateChanged(key, "cancelled", CANCELLED))
