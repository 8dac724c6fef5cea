"""The rules of a conversation, without a screen: ChatSession driven against the loopback
server with the real SDK over real HTTP."""

from __future__ import annotations

import asyncio

import pytest

from tui.core import keys

from tests import sse_server as s
from tests.helpers import wait_for
from tui.core import session_events as ev
from tui.core.client import make_client
from tui.core.conversation import ChatMessage
from tui.core.history import History
from tui.core.session import ChatSession
from tui.core.session_runner import run
from tui.core.settings import ToolsSettings
from tui.core.store import Store
from tui.core.tool_round import CANCELLED, DENIED, DENY, RUN
from tui.core.tools.setup import build_registry

CALC = [("call_a", "calculator", '{"expression": "6*7"}')]


class Harness:
    """A session, the events it reported, and a client for the loopback server."""

    def __init__(self, settings, *, tools: bool = False) -> None:
        self.settings = settings
        self.events: list = []
        registry = build_registry(settings) if tools else None
        self.session = ChatSession(settings, History(settings), registry, on_event=self.events.append)
        self.client = make_client(settings)
        self.questions: list[str] = []

    async def send(self, text: str, answer: str = RUN) -> None:
        assert self.session.send(text)
        await self.run(answer)

    async def run(self, answer: str = RUN) -> None:
        async def ask(call, description, reason):
            self.questions.append(call.name)
            return answer

        await run(self.session, self.client, ask=ask, secret=self.settings.key)

    def of(self, kind) -> list:
        return [event for event in self.events if isinstance(event, kind)]

    def stored(self) -> list[tuple[str, str, str]]:
        return [(m.role, m.content, m.status) for m in self.session.history.messages()]

    def roles(self) -> list[str]:
        return [m.role for m in self.session.messages]


async def test_send_streams_saves_and_notes(harness, server):
    server.queue(s.text_reply("Hello there."))
    h = harness()
    await h.send("Hi")
    assert [(m.role, m.content) for m in h.session.messages] == [("user", "Hi"), ("assistant", "Hello there.")]
    assert h.stored() == [("user", "Hi", "complete"), ("assistant", "Hello there.", "complete")]
    ended = h.of(ev.ReplyEnded)[-1]
    assert (ended.note, ended.warning, ended.message.model) == ("", False, "test-model")
    assert h.of(ev.UsageChanged)[-1].text == "11 in · 7 out"
    assert h.of(ev.StateChanged)[-1].state == "ready"
    assert server.requests[-1]["messages"] == [{"role": "user", "content": "Hi"}]


async def test_send_is_refused_while_busy_or_blank(harness, server):
    h = harness()
    assert not h.session.send("   ")
    server.queue(s.stall_after("slow"))
    assert h.session.send("one")
    assert not h.session.send("two")
    assert h.session.retry() and h.session.regenerate()  # both refuse, with a reason
    task = asyncio.create_task(h.run())
    await wait_for(lambda: h.session.reply is not None and h.session.reply.text == "slow")
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    server.release_stalls()
    assert h.session.messages[-1].status == "stopped"
    assert (h.of(ev.ReplyEnded)[-1].note, h.of(ev.ReplyEnded)[-1].warning) == ("■ stopped", False)


NOTES = [
    ("stop", "Fine.", "", False),
    ("length", "Cut", "⚠ cut off at the token limit", True),
    ("content_filter", "Blocked", "⚠ blocked or changed by a content filter / guard rule", True),
    ("stop", "", "(empty reply)", False),
]


@pytest.mark.parametrize(("reason", "text", "note", "warning"), NOTES)
async def test_note_for_every_finish_reason_live_and_reopened(harness, server, settings, reason, text, note, warning):
    server.queue(s.finish_only(text, reason) if text else s.text_reply("", finish_reason=reason))
    h = harness()
    await h.send("Hi")
    ended = h.of(ev.ReplyEnded)[-1]
    assert (ended.note, ended.warning) == (note, warning)
    again = harness()
    assert again.session.open(h.session.history.conversation_id)
    reloaded = again.of(ev.Reloaded)[-1]
    assert reloaded.note(1) == (note, warning)


async def test_tool_calls_finish_note_without_tools(harness, server):
    server.queue(s.tool_calls_reply(CALC))
    h = harness()
    await h.send("Six times seven?")
    assert h.of(ev.ReplyEnded)[-1].note == "model requested 1 tool call"
    assert not h.of(ev.ToolsRequested)


async def test_failure_notes_and_prompt_back(harness, server):
    server.queue(s.http_error(500), s.cut_midstream("Half"))
    h = harness()
    await h.send("first")
    failed = h.of(ev.ReplyFailed)[-1]
    assert (failed.failure.kind, failed.prompt) != ("", "")
    assert failed.prompt == "first"
    assert h.of(ev.ReplyEnded)[-1].note == "⚠ failed — no reply"
    assert h.session.retry() is None
    await h.run()
    assert h.of(ev.ReplyFailed)[-1].prompt == ""  # the reply had text: the box stays as it is
    assert (h.of(ev.ReplyEnded)[-1].note, h.of(ev.ReplyEnded)[-1].warning) == ("⚠ interrupted", True)


async def test_retry_replaces_the_failed_reply(harness, server):
    server.queue(s.cut_midstream("Half"), s.text_reply("Whole."))
    h = harness()
    await h.send("Question")
    assert h.stored() == [("user", "Question", "complete"), ("assistant", "Half", "interrupted")]
    assert h.session.retry() is None
    await h.run()
    assert h.stored() == [("user", "Question", "complete"), ("assistant", "Whole.", "complete")]
    assert len(h.of(ev.ReplyDropped)) == 1
    assert h.session.retry() == "Nothing to retry."


async def test_retry_after_reopening_an_interrupted_reply_replaces_it(harness, server, settings):
    """Defect #2: --resume of a reply cut off by a crash, then retry, kept both replies."""
    store = Store(settings.history.resolved_path())
    cid = store.create_conversation(model="test-model", host="h")
    store.add_message(cid, ChatMessage("user", "Question"))
    store.add_message(cid, ChatMessage("assistant", "Half", status="interrupted", model="test-model"))
    store.close()
    server.queue(s.text_reply("Whole."))
    h = harness()
    assert h.session.open(cid)
    assert h.of(ev.Reloaded)[-1].note(1) == ("⚠ interrupted", True)
    assert h.session.retry() is None
    await h.run()
    assert h.stored() == [("user", "Question", "complete"), ("assistant", "Whole.", "complete")]
    assert [(m.role, m.content) for m in h.session.messages] == [("user", "Question"), ("assistant", "Whole.")]
    assert len(h.of(ev.ReplyDropped)) == 1
    assert server.requests[-1]["messages"] == [{"role": "user", "content": "Question"}]


async def test_regenerate_keeps_versions_and_switches(harness, server):
    server.queue(s.text_reply("First."), s.text_reply("Second."))
    h = harness()
    await h.send("Q")
    assert h.session.regenerate() is None
    await h.run()
    assert [m.content for m in h.session.messages] == ["Q", "Second."]
    assert h.of(ev.ReplyEnded)[-1].note == "2 versions · Alt+← / Alt+→"
    assert server.requests[-1]["messages"] == [{"role": "user", "content": "Q"}]
    assert h.session.switch_version(back=True) is None
    assert [m.content for m in h.session.messages] == ["Q", "First."]
    assert h.of(ev.Reloaded)[-1].note(1) == ("2 versions · Alt+← / Alt+→", False)
    assert h.session.switch_version(back=False) is None
    assert [m.content for m in h.session.messages] == ["Q", "Second."]


async def test_the_versions_note_names_the_users_keys(harness, server, settings):
    """The note under a reply with versions names the keys as the keymap has them."""
    server.queue(s.text_reply("First."), s.text_reply("Second."))
    h = harness(settings.model_copy(update={"keymap": {"app.prev_version": "ctrl+left,alt+left", "app.next_version": "f6"}}))
    await h.send("Q")
    h.session.regenerate()
    await h.run()
    assert h.of(ev.ReplyEnded)[-1].note == "2 versions · Ctrl+← / F6"
    assert keys.shown("app.regenerate", {}) == "F5" and keys.shown("app.edit_last", {"app.edit_last": "alt+e"}) == "Alt+E"


async def test_note_survives_a_version_switch(harness, server):
    """Defect #5: the token-limit note came back empty after Alt+←/→."""
    server.queue(s.finish_only("Cut", "length"), s.text_reply("Whole."))
    h = harness()
    await h.send("Q")
    h.session.regenerate()
    await h.run()
    h.session.switch_version(back=True)
    note, warning = h.of(ev.Reloaded)[-1].note(1)
    assert note.startswith("⚠ cut off at the token limit") and warning


async def test_edit_last_prompt_makes_a_version(harness, server):
    server.queue(s.text_reply("About cats."), s.text_reply("About dogs."))
    h = harness()
    await h.send("Tell me about cats")
    assert h.session.begin_edit() == "Tell me about cats"
    assert h.session.cancel_edit() and h.session.editing is None
    h.session.begin_edit()
    await h.send("Tell me about dogs")
    assert [m.content for m in h.session.messages] == ["Tell me about dogs", "About dogs."]
    assert h.of(ev.ReplyEnded)[-1].note == "2 versions · Alt+← / Alt+→"
    h.session.switch_version(back=True)
    assert [m.content for m in h.session.messages] == ["Tell me about cats", "About cats."]


async def test_tool_round_then_answer(harness, server):
    server.queue(s.tool_calls_reply(CALC), s.text_reply("It is 42."))
    h = harness(tools=True)
    await h.send("Six times seven?")
    assert h.roles() == ["user", "assistant", "tool", "assistant"]
    assert h.session.messages[2].content.endswith("42")
    assert [e.state for e in h.of(ev.ToolStateChanged)] == ["running", "done"]
    assert server.requests[-1]["messages"][2]["tool_call_id"] == "call_a"
    assert "tools" in server.requests[-1]
    assert [e.note for e in h.of(ev.ReplyEnded)] == ["model requested 1 tool call", ""]
    assert not h.session.tools_running and h.of(ev.StateChanged)[-1].state == "ready"


async def test_denied_call_tells_the_model(harness, server, settings):
    server.queue(s.tool_calls_reply(CALC), s.text_reply("OK, I won't."))
    h = harness(settings.model_copy(update={"tools": ToolsSettings(confirm="always")}), tools=True)
    await h.send("Six times seven?", answer=DENY)
    assert h.questions == ["calculator"]
    assert h.session.messages[2].content == DENIED


async def test_max_rounds_stops_the_loop(harness, server, settings):
    server.queue(s.tool_calls_reply(CALC), s.tool_calls_reply([("call_b", "calculator", '{"expression": "1+1"}')]))
    h = harness(settings.model_copy(update={"tools": ToolsSettings(max_rounds=1)}), tools=True)
    await h.send("Loop")
    assert len(server.requests) == 2
    ended = h.of(ev.ReplyEnded)[-1]
    assert ended.note == "model requested 1 tool call · stopped: 1 tool rounds in a row (tools.max_rounds)" and ended.warning
    assert h.roles() == ["user", "assistant", "tool", "assistant", "tool"]
    assert h.session.messages[-1].content == CANCELLED
    assert h.of(ev.ToolStateChanged)[-1].state == "cancelled"


async def test_cancel_during_tools_answers_every_call(harness, server, settings):
    server.queue(s.tool_calls_reply(CALC))
    h = harness(settings.model_copy(update={"tools": ToolsSettings(confirm="always")}), tools=True)
    asked = asyncio.Event()

    async def ask(call, description, reason):
        asked.set()
        await asyncio.Event().wait()  # the user never answers

    assert h.session.send("Six times seven?")
    task = asyncio.create_task(run(h.session, h.client, ask=ask))
    await asyncio.wait_for(asked.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert h.roles() == ["user", "assistant", "tool"]
    assert h.session.messages[-1].content == CANCELLED
    assert h.of(ev.ToolsCancelled) and h.of(ev.StateChanged)[-1].state == "stopped"
    assert not h.session.busy
    server.queue(s.text_reply("Fine."))
    await h.send("Never mind")
    assert [m["role"] for m in server.requests[-1]["messages"]] == ["user", "assistant", "tool", "user"]


async def test_options_model_and_new_chat(harness, server):
    server.queue(s.text_reply("One."), s.text_reply("Two."))
    h = harness()
    from tui.core.chat_options import ChatOptions

    await h.send("first")
    h.session.set_options(ChatOptions("Be terse.", 0.3, 50))
    h.session.set_model("beta")
    await h.send("second")
    body = server.requests[-1]
    assert body["model"] == "beta" and body["temperature"] == 0.3 and body["max_tokens"] == 50
    assert body["messages"][0] == {"role": "system", "content": "Be terse."}
    cid = h.session.history.conversation_id
    info = h.session.history.store.conversation(cid)
    assert (info.model, info.system_prompt, info.settings) == ("beta", "Be terse.", {"temperature": 0.3, "max_tokens": 50})
    assert h.session.new_chat() and h.session.messages == [] and h.session.options.temperature is None
    assert h.session.open(cid) and h.session.model == "beta" and h.session.options.max_tokens == 50


async def test_unknown_model_falls_back(harness, server):
    server.queue(s.http_error(404))
    h = harness()
    h.session.set_model("nope")
    await h.send("Hi")
    assert h.session.model == "test-model"
    assert h.of(ev.ModelChanged)[-1].reverted_from == "nope"


async def test_clients_close_what_they_replace(settings, server):
    """Defect #11, without the app: one client per endpoint, the replaced one closed."""
    from tests.sse_server import ScriptedServer
    from tui.core.clients import Clients

    clients = Clients()
    first = await clients.get(settings)
    assert await clients.get(settings) is first
    with ScriptedServer() as other:
        second = await clients.get(settings.model_copy(update={"base_url": other.base_url}))
    assert second is not first and first.is_closed() and not second.is_closed()
    await clients.aclose()
    assert second.is_closed() and clients.current is None


async def test_no_key_is_refused_before_a_request(settings, server):
    from tui.core.session_setup import make_session

    keyless = settings.model_copy(update={"base_url": "https://api.example.com/v1", "api_key": None})
    events: list = []
    session, mcp = make_session(keyless, on_event=events.append)
    assert mcp is None
    assert session.send("Hi")
    failed = [e for e in events if isinstance(e, ev.ReplyFailed)]
    assert failed and failed[0].failure.kind == "no_key" and failed[0].prompt == "Hi"
    assert session.reply is None and not server.requests
