"""The prompt queue and continue, as session rules: no screen, the real SDK over real HTTP."""

from __future__ import annotations

import asyncio
import json
import contextlib

import pytest

from tests import sse_server as s
from tests.helpers import wait_for
from tests.test_session import CALC
from tui.core import session_events as ev
from tui.core.continuation import BUSY, CONTINUE_PROMPT, NOTHING
from tui.core.export import to_json, to_markdown
from tui.core.history import History
from tui.core.session import ChatSession


def user_texts(h) -> list[str]:
    return [m.content for m in h.session.messages if m.role == "user"]


async def test_prompts_queued_while_busy_go_out_in_order_one_turn_each(harness, server):
    server.queue(s.text_reply("one"), s.text_reply("two"), s.text_reply("three"))
    h = harness()
    assert h.session.queue.submit("first")
    assert h.session.queue.submit("second") and h.session.queue.submit("third")
    assert h.of(ev.QueueChanged)[-1] == ev.QueueChanged(["second", "third"], False)
    await h.run()
    assert [(m.role, m.content) for m in h.session.messages] == [
        ("user", "first"), ("assistant", "one"), ("user", "second"), ("assistant", "two"),
        ("user", "third"), ("assistant", "three"),
    ]
    assert [r["messages"][-1]["content"] for r in server.requests] == ["first", "second", "third"]
    assert h.of(ev.QueueChanged)[-1] == ev.QueueChanged([], False)
    assert len(h.session.queue) == 0


async def test_queue_waits_for_the_tool_rounds_of_the_turn(harness, server):
    server.queue(s.tool_calls_reply(CALC), s.text_reply("42."), s.text_reply("a"), s.text_reply("b"), s.text_reply("c"))
    h = harness(tools=True)
    h.session.queue.submit("compute")
    for text in ("q1", "q2", "q3"):
        h.session.queue.submit(text)
    await h.run()
    assert h.roles() == ["user", "assistant", "tool", "assistant"] + ["user", "assistant"] * 3
    assert user_texts(h) == ["compute", "q1", "q2", "q3"]
    assert [m.content for m in h.session.messages if m.role == "assistant"][1:] == ["42.", "a", "b", "c"]


async def test_a_failed_turn_pauses_the_queue_until_resumed(harness, server):
    server.queue(s.http_error(500), s.text_reply("later"))
    h = harness()
    h.session.queue.submit("first")
    h.session.queue.submit("waiting")
    await h.run()
    assert h.session.queue.paused and h.session.queue.texts == ["waiting"]
    assert h.of(ev.QueueChanged)[-1] == ev.QueueChanged(["waiting"], True)
    assert len(server.requests) == 1
    assert h.session.queue.resume()
    await h.run()
    assert user_texts(h) == ["first", "waiting"] and h.session.messages[-1].content == "later"
    assert not h.session.queue.paused


async def test_taking_back_the_last_queued_prompt(harness, server):
    server.queue(s.text_reply("one"))
    h = harness()
    h.session.queue.submit("first")
    h.session.queue.submit("keep")
    h.session.queue.submit("edit me")
    assert h.session.queue.take_back() == "edit me"
    assert h.session.queue.texts == ["keep"]
    assert h.session.queue.take_back() == "keep"
    assert h.session.queue.take_back() is None
    await h.run()
    assert user_texts(h) == ["first"] and len(server.requests) == 1


async def test_queued_prompts_survive_a_crash_and_come_back_paused(harness, server, settings):
    h = harness()
    h.session.queue.submit("first")
    h.session.checkpoint(force=True)
    h.session.queue.submit("queued one")
    h.session.queue.submit("queued two")
    cid = h.session.history.conversation_id
    # "Crash": nothing more happens in this session; a new one reads the same file.
    events: list = []
    again = ChatSession(settings, History(settings), on_event=events.append)
    assert again.open(cid)
    assert again.queue.texts == ["queued one", "queued two"] and again.queue.paused
    assert events[-1] == ev.QueueChanged(["queued one", "queued two"], True)
    assert [m.role for m in again.messages] == ["user", "assistant"]  # queued rows are not messages
    assert again.history.store.conversation(cid).count == 2
    server.queue(s.text_reply("sent"), s.stall_after("second"))
    assert again.queue.resume()  # resuming sends the next one, and the rest follow
    from tui.core.session_runner import run

    task = asyncio.create_task(run(again, h.client))
    await wait_for(lambda: len(server.requests) == 2)
    reread = ChatSession(settings, History(settings))
    reread.open(cid)
    assert reread.queue.texts == []
    assert [m.content for m in reread.messages if m.role == "user"] == ["first", "queued one", "queued two"]
    assert [m.content for m in reread.messages][-3] == "sent"
    task.cancel()
    server.release_stalls()
    with contextlib.suppress(asyncio.CancelledError):
        await task


@pytest.mark.parametrize("cut", ["connection", "length", "stopped"])
async def test_continue_joins_the_same_reply(harness, server, cut):
    first = {"connection": s.cut_midstream("Partial answer"), "length": s.finish_only("Partial answer", "length"),
             "stopped": s.text_reply("Partial answer")}[cut]
    server.queue(first, s.text_reply(" and the rest."))
    h = harness()
    await h.send("Tell me")
    if cut == "stopped":  # as if Esc came just as the text ended
        h.session.messages[-1].status = "stopped"
    assert h.session.continue_reply() is None
    await h.run()
    body = server.requests[-1]
    assert body["messages"][-2:] == [
        {"role": "assistant", "content": "Partial answer"}, {"role": "user", "content": CONTINUE_PROMPT},
    ]
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
    assert [(m.role, m.content, m.status) for m in h.session.messages] == [
        ("user", "Tell me", "complete"), ("assistant", "Partial answer and the rest.", "complete"),
    ]
    assert h.stored() == [("user", "Tell me", "complete"), ("assistant", "Partial answer and the rest.", "complete")]
    assert h.of(ev.ReplyEnded)[-1].note == "continued"
    assert h.of(ev.ReplyStarted)[-1].reply.text == "Partial answer and the rest."
    reread = ChatSession(h.settings, History(h.settings))
    reread.open(h.session.history.conversation_id)
    assert reread.notes()(1) == ("continued", False)
    info = reread.history.info()
    exported = json.loads(to_json(info, reread.messages))
    assert [m["role"] for m in exported["messages"]] == ["user", "assistant"]
    assert exported["messages"][1]["content"] == "Partial answer and the rest."
    assert to_markdown(info, reread.messages).count("Partial answer") == 1


async def test_continue_is_refused_on_a_complete_reply_or_while_streaming(harness, server):
    server.queue(s.text_reply("All done."))
    h = harness()
    assert h.session.continue_reply() == NOTHING
    await h.send("Hi")
    assert h.session.continue_reply() == NOTHING
    h.session.send("more")
    assert h.session.continue_reply() == BUSY.format(stop="Esc")  # the reply to "more" is not streamed yet
    assert [m.content for m in h.session.messages] == ["Hi", "All done.", "more"]
    assert len(server.requests) == 1


async def test_auto_continue_once_after_a_dropped_connection(harness, server, settings):
    auto = settings.model_copy(update={"stream": settings.stream.model_copy(update={"auto_continue": True})})
    server.queue(s.cut_midstream("Partial answer"), s.cut_midstream("more"), s.text_reply("never asked"))
    h = harness(auto)
    await h.send("Tell me")
    assert len(server.requests) == 2  # the first cut was continued, the second was not
    assert server.requests[1]["messages"][-1]["content"] == CONTINUE_PROMPT
    (reply,) = [m for m in h.session.messages if m.role == "assistant"]
    assert reply.content.startswith("Partial answer") and "more" in reply.content and reply.status == "interrupted"
    assert h.of(ev.StateChanged)[-1].state == "failed"


async def test_auto_continue_is_off_by_default(harness, server):
    server.queue(s.cut_midstream("Partial answer"))
    h = harness()
    await h.send("Tell me")
    assert len(server.requests) == 1
