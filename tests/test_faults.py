"""Hostile streams: every fault the proxy can inject, and a cut at every byte offset."""

import os
import time
from dataclasses import dataclass

import pytest

from tests import faults as f
from tests import sse_server as s
from tests.helpers import replies, screen_text, send, users
from tui.core.settings import ToolsSettings
from tui.widgets.error_banner import ErrorBanner
from tui.widgets.prompt_input import PromptInput

SIZE = (100, 30)
NO_TOOLS = ToolsSettings(enabled=False)


def done_line_end() -> int:
    body = f.framed()
    return body.index(b"data: [DONE]\n") + len(b"data: [DONE]\n")


@dataclass(frozen=True)
class Outcome:
    """What the app's worker made of the stream cut at one offset."""

    final: str  # "finished" or the failure kind
    text: str
    calls: tuple[tuple[str, str], ...]
    deltas: str  # the content the worker posted, joined
    terminals: int  # how many finished/failed messages it posted (must be 1)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[int, Outcome]:
    """Cut the recorded stream at every byte offset, through the real SDK over real HTTP
    and the app's own worker loop (everything but the widgets)."""
    import asyncio

    from tests.sse_server import ScriptedServer
    from tui import messages as m
    from tui.core.client import make_client
    from tui.core.conversation import Reply
    from tui.core.settings import load_settings
    from tui.worker import pump_reply

    async def run(server) -> dict[int, Outcome]:
        config = tmp_path_factory.mktemp("cut") / "config.toml"
        config.write_text("")
        client = make_client(load_settings(config, base_url=server.base_url, api_key="sk-cut", max_retries=0))
        body = {"model": "test-model", "messages": [{"role": "user", "content": "x"}]}
        found = {}
        for offset in range(len(f.framed())):
            server.queue(f.cut_at(offset))
            posted, reply = [], Reply()
            await pump_reply(posted.append, client, body, reply, read_timeout=5, secret="")
            final = posted[-1]
            found[offset] = Outcome(
                "finished" if isinstance(final, m.ReplyFinished) else getattr(getattr(final, "failure", None), "kind", repr(final)),
                reply.text,
                tuple((call.name, call.arguments) for call in reply.tools.calls),
                "".join(p.text for p in posted if isinstance(p, m.ContentDelta)),
                sum(isinstance(p, (m.ReplyFailed, m.ReplyFinished)) for p in posted),
            )
        await client.close()
        return found

    with ScriptedServer() as server:
        return asyncio.run(run(server))


def test_cut_at_every_byte_offset_through_the_worker_pipeline(outcomes):
    total, done_at = len(f.framed()), done_line_end()
    assert sorted(outcomes) == list(range(total))
    for offset, outcome in outcomes.items():
        assert outcome.text == outcome.deltas == f.text_before(offset), offset
        assert outcome.terminals == 1, offset
        if offset < done_at:
            assert outcome.final in ("connection", "truncated"), (offset, outcome)
        else:
            assert outcome.final == "finished", offset


def representatives(outcomes: dict[int, Outcome], stride: int) -> list[int]:
    """The first and last offset of every distinct outcome (the widgets only ever see
    the worker's messages, so offsets with equal outcomes look the same to them), plus
    every ``stride``-th offset. TUI_CHAT_CUT_STRIDE=1 runs every offset in the app."""
    classes: dict[Outcome, list[int]] = {}
    for offset, outcome in sorted(outcomes.items()):
        classes.setdefault(outcome, []).append(offset)
    picks = {o for offsets in classes.values() for o in (offsets[0], offsets[-1])}
    picks.update(range(0, len(outcomes), stride))
    return sorted(picks)


async def cut_then_continue(app, pilot, server, offset: int, outcome: Outcome) -> None:
    """One cut in the app, then the next turn in the same conversation."""
    from tui.widgets.tool_sidebar import ToolCallItem

    app.action_new_chat()
    prompt = f"cut {offset}"
    server.queue(f.cut_at(offset))
    before = len(server.requests)
    await send(pilot, prompt)
    banner = app.query_one(ErrorBanner)
    complete = outcome.final == "finished"
    assert banner.visible is (not complete), offset
    assert replies(app)[-1].text == outcome.text == f.text_before(offset), offset
    assert users(app) == [prompt], offset
    assert len(app.query(ToolCallItem)) == len(outcome.calls), offset
    last = app.session.conversation.messages[-1]
    if not complete:
        assert last.status == ("interrupted" if outcome.text else "error"), offset
        box = app.query_one(PromptInput).text
        assert box == ("" if outcome.text else prompt), (offset, box)
    stored = [message for _, message in app.session.history.store.messages(app.session.history.conversation_id)]
    assert [m.content for m in stored if m.role == "user"] == [prompt], offset
    assert [m.content for m in stored if m.role == "assistant"] == [outcome.text], offset
    # The next turn, in the same conversation, is a valid request and works.
    app.query_one(PromptInput).clear()
    banner.hide()
    if complete:
        return  # a finished reply with tool calls wants tool results next; covered elsewhere
    server.queue(s.text_reply("fine."))
    await send(pilot, "after the cut")
    assert replies(app)[-1].text == "fine." and not banner.visible, offset
    sent = server.requests[before + 1]["messages"]
    assert [m["role"] for m in sent] == ["user"] + (["assistant"] if outcome.text else []) + ["user"], offset
    assert all("tool_calls" not in m for m in sent), offset
    assert users(app) == [prompt, "after the cut"], offset


@pytest.mark.parametrize("stride", [int(os.environ.get("TUI_CHAT_CUT_STRIDE", "997"))])
async def test_cut_in_the_app_for_every_distinct_outcome(make_app, server, outcomes, stride, settings):
    # One tab: each cut starts over in place (Ctrl+N would otherwise open a tab per cut).
    app = make_app(tools=NO_TOOLS, max_retries=0, ui=settings.ui.model_copy(update={"tabs": False}))
    started = time.perf_counter()
    offsets = representatives(outcomes, stride)
    async with app.run_test(size=SIZE) as pilot:
        for offset in offsets:
            await cut_then_continue(app, pilot, server, offset, outcomes[offset])
        assert app.is_running
    classes = len(set(outcomes.values()))
    print(f"{len(offsets)} offsets ({classes} distinct outcomes) in the app in {time.perf_counter() - started:.1f} s")


@pytest.mark.parametrize("kind", f.FAULTS)
async def test_every_injected_fault(make_app, server, kind, settings):
    # Only the stall needs a short idle timeout; elsewhere a busy machine must not trip it.
    app = make_app(tools=NO_TOOLS, read_timeout=0.5 if kind == "stall" else 10, ui=settings.ui.model_copy(update={"tabs": False}))
    server.queue(f.inject(kind), f.replay())
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, f"fault {kind}")
        server.release_stalls()
        reply = replies(app)[-1]
        banner = app.query_one(ErrorBanner)
        text = screen_text(app)
        assert "Traceback" not in text and app.is_running
        if kind in ("error_chunk", "non_json", "stall"):
            assert banner.visible, kind
            assert f.FULL_TEXT.startswith(reply.text), kind
        elif kind == "big_delta":
            assert len(reply.text) > 1_000_000 and not banner.visible
        else:
            assert not banner.visible, kind
            assert reply.text == f.FULL_TEXT, kind
        await pilot.press("escape")
        app.action_new_chat()
        await send(pilot, "next turn")
        assert replies(app)[-1].text == f.FULL_TEXT
