"""The context window as conversation rules: the meter, the overflow choices before
sending and after a 400, compaction, dropping and undo -- over real HTTP."""

from __future__ import annotations

import pytest

from tests import sse_server as s
from tests.test_session import Harness
from tui.core import session_events as ev
from tui.core.client import make_client
from tui.core.context import Meter, server_windows

LONG = "word " * 400  # about 500 tokens by the estimate


@pytest.fixture
async def harness(settings):
    made = []

    def make(**update) -> Harness:
        config = settings.model_copy(update=update) if update else settings
        made.append(Harness(config))
        return made[-1]

    yield make
    for h in made:
        await h.client.close()


def with_context(settings, **fields):
    return settings.context.model_copy(update=fields)


async def test_meter_counts_the_reported_usage_against_the_configured_window(harness, server):
    h = harness(context_window=1000)
    await h.send("Hi")
    assert h.of(ev.ContextChanged)[-1] == ev.ContextChanged("ctx 18/1k", False)  # 11 in + 7 out
    server.queue(s.Scenario(s.text_reply("ok").actions[:-2] + [("chunk", s.usage_chunk(800, 20)), ("done",)]))
    await h.send("more")
    assert h.of(ev.ContextChanged)[-1] == ev.ContextChanged("ctx 820/1k", True)


async def test_meter_without_a_window_shows_tokens_and_per_model_table_applies(harness):
    h = harness()
    await h.send("Hi")
    assert h.of(ev.ContextChanged)[-1].text == "ctx 18"
    h2 = harness(context_window={"test-model": 128000, "*": 10})
    await h2.send("Hi")
    assert h2.of(ev.ContextChanged)[-1].text == "ctx 18/128k"


@pytest.mark.parametrize("entry", [{"context_length": 4096}, {"meta": {"n_ctx": 4096}}])
async def test_window_comes_from_the_models_list(harness, server, settings, entry):
    server.models = [{"id": "test-model", "object": "model", "owned_by": "tests", **entry}, {"id": "other", "object": "model"}]
    client = make_client(settings)
    try:
        windows = await server_windows(client)
    finally:
        await client.close()
    assert windows == {"test-model": 4096}
    h = harness(context_window=100)
    h.session.context.learn_windows(windows)
    assert h.of(ev.ContextChanged)[-1].text.endswith("/4.1k")


def test_meter_text_and_warning():
    assert Meter(12_300, 128_000).text == "ctx 12.3k/128k"
    assert not Meter(100, 1000).warning and Meter(801, 1000).warning


async def test_overflow_before_sending_holds_the_prompt_until_a_choice(harness, server):
    h = harness(context_window=200)
    assert h.session.send(LONG)
    overflow = h.of(ev.ContextOverflow)[-1]
    assert overflow.before and overflow.prompt == LONG and "would not fit" in overflow.message
    assert server.requests == [] and not h.of(ev.UserAdded)
    assert h.session.resolve_overflow("send") is None
    await h.run()
    assert server.requests[-1]["messages"][-1]["content"] == LONG


async def test_compact_with_nothing_to_compact_keeps_the_held_prompt(harness, server):
    """Choosing compact for the first turn summarises nothing: the prompt stays held (not sent
    into a certain refusal) and the banner offers drop / send again."""
    h = harness(context_window=200)
    assert h.session.send(LONG)
    h.session.resolve_overflow("compact")
    assert server.requests == [] and h.of(ev.Notice) and not h.of(ev.UserAdded)
    again = h.of(ev.ContextOverflow)[-1]
    assert len(h.of(ev.ContextOverflow)) == 2 and again.prompt == LONG and "Nothing to compact" in again.message
    assert h.session.resolve_overflow("send") is None
    await h.run()
    assert server.requests[-1]["messages"][-1]["content"] == LONG


async def test_overflow_reported_by_the_server_offers_the_choices_and_retries(harness, server):
    server.queue(s.http_error(400, "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens.",
                              code="context_length_exceeded"))
    h = harness(context_window=8192)
    await h.send("Hi")
    overflow = h.of(ev.ContextOverflow)[-1]
    assert not overflow.before and "8.2k" in overflow.message and not h.of(ev.ReplyFailed)
    h.session.resolve_overflow("send")
    await h.run()
    assert len(server.requests) == 2 and h.stored()[-1] == ("assistant", "Hello from the test server.", "complete")


async def test_llama_cpp_overflow_message_is_recognised(harness, server):
    server.queue(s.http_error(400, "the request exceeds the available context size, try increasing it"))
    h = harness()
    await h.send("Hi")
    assert h.of(ev.ContextOverflow) and not h.of(ev.ReplyFailed)


async def three_turns(h: Harness) -> None:
    for text in ("one", "two", "three"):
        await h.send(text)


async def test_compaction_summarises_the_earlier_turns_and_undo_brings_them_back(harness, server):
    h = harness()
    await three_turns(h)
    server.queue(s.text_reply("They said one."))
    assert h.session.compact() is None
    await h.run()
    asked = server.requests[-1]["messages"]
    assert [m["content"] for m in asked] == ["one", "Hello from the test server.", h.settings.context.compact_prompt]
    assert h.of(ev.Compacted)[-1] == ev.Compacted(2, "They said one.")
    await h.send("four")
    sent = server.requests[-1]["messages"]
    assert sent[0] == {"role": "system", "content": "Summary of the 2 earlier messages of this conversation:\nThey said one."}
    assert [m["content"] for m in sent[1:]] == ["two", "Hello from the test server.", "three", "Hello from the test server.", "four"]
    assert [m[1] for m in h.stored()][:2] == ["one", "Hello from the test server."]  # originals stay
    assert h.session.undo_compaction() is None
    await h.send("five")
    assert server.requests[-1]["messages"][0]["content"] == "one"
    assert h.session.undo_compaction(redo=True) is None
    reopened = Harness(h.settings)
    reopened.session.open(h.session.history.conversation_id)
    assert reopened.session.context.compaction == (2, "They said one.")
    await reopened.client.close()


async def test_compact_choice_sends_the_held_prompt_after_the_summary(harness, server):
    h = harness(context_window=10_000)
    await three_turns(h)
    h.session.context.tracker.server["test-model"] = 200
    h.session.send(LONG[:800])
    assert h.of(ev.ContextOverflow)
    server.queue(s.text_reply("Summary."))
    h.session.resolve_overflow("compact")
    await h.run()
    last = server.requests[-1]["messages"]
    assert last[0]["content"].endswith("Summary.") and last[-1]["content"] == LONG[:800]


async def test_drop_choice_leaves_out_the_oldest_turns(harness, server):
    h = harness(context_window=10_000)
    await three_turns(h)
    h.session.context.tracker.server["test-model"] = 210
    h.session.send(LONG[:800])
    h.session.resolve_overflow("drop")
    await h.run()
    sent = server.requests[-1]["messages"]
    assert "one" not in [m["content"] for m in sent] and sent[-1]["content"] == LONG[:800]
    assert h.of(ev.Compacted)[-1].summary == ""


async def test_auto_compact_compacts_before_the_send_that_would_fill_the_window(harness, server, settings):
    h = harness(context_window=400, context=with_context(settings, auto_compact=0.5))
    await three_turns(h)
    server.queue(s.text_reply("Short summary."))
    h.session.send(LONG[:800])
    await h.run()
    assert server.requests[-2]["messages"][-1]["content"] == settings.context.compact_prompt
    assert server.requests[-1]["messages"][-1]["content"] == LONG[:800]


async def test_failed_compaction_gives_the_held_prompt_back(harness, server, settings):
    h = harness(context_window=400, context=with_context(settings, auto_compact=0.5))
    await three_turns(h)
    server.queue(s.http_error(500))
    h.session.send(LONG[:800])
    await h.run()
    failed = h.of(ev.ReplyFailed)[-1]
    assert failed.prompt == LONG[:800] and failed.failure.title.startswith("Compaction failed")
    assert h.session.context.compaction is None


async def test_nothing_to_compact_says_so(harness):
    h = harness()
    await h.send("only")
    assert h.session.compact() == "Nothing to compact yet."
    assert h.of(ev.Notice)
