"""Who writes what in a ChatSession: the redo state (core/session_turns.py) and the tool
rounds (core/session_tools.py) each have one writer, and the session only reports them."""

from __future__ import annotations

import pytest

from tests import sse_server as s
from tests.test_session import CALC
from tui.core import session_events as ev
from tui.core.settings import ToolsSettings


@pytest.mark.parametrize("name", ["editing", "last_prompt", "last_attachments", "tools_running", "pending_calls", "allowed"])
async def test_owned_state_is_read_only_on_the_session(harness, name):
    h = harness()
    with pytest.raises(AttributeError):
        setattr(h.session, name, getattr(h.session, name))


async def test_regenerate_counts_tool_rounds_afresh(harness, server, settings):
    loop = [("call_b", "calculator", '{"expression": "1+1"}')]
    server.queue(s.tool_calls_reply(CALC), s.tool_calls_reply(loop))
    h = harness(settings.model_copy(update={"tools": ToolsSettings(max_rounds=1)}), tools=True)
    await h.send("Loop")
    assert h.of(ev.ReplyEnded)[-1].warning and h.session.tools.rounds == 2
    server.queue(s.tool_calls_reply([("call_c", "calculator", '{"expression": "2+2"}')]), s.text_reply("Four."))
    assert h.session.regenerate() is None
    await h.run()
    assert [m.content for m in h.session.messages][-1] == "Four."
    assert [e.state for e in h.of(ev.ToolStateChanged)][-2:] == ["running", "done"]
    assert h.session.last_prompt == "Loop" and h.session.tools.rounds == 1


async def test_call_keys_name_the_reply_they_came_with(harness, server):
    server.queue(s.tool_calls_reply(CALC), s.text_reply("It is 42."))
    h = harness(tools=True)
    await h.send("Six times seven?")
    requested = h.of(ev.ToolsRequested)[-1]
    assert [key for key, _ in requested.calls] == ["call-1-0"]
    assert h.session.call_key(0) == "call-2-0"  # the answer is the second reply
