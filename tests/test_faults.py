"""Hostile streams: every fault the proxy can inject, and a cut at every byte offset."""

import os
import time

import pytest

from tests import faults as f
from tests.helpers import replies, screen_text, send, users
from tui.core.settings import ToolsSettings
from tui.widgets.error_banner import ErrorBanner
from tui.widgets.prompt_input import PromptInput

SIZE = (100, 30)
NO_TOOLS = ToolsSettings(enabled=False)


def done_line_end() -> int:
    body = f.framed()
    return body.index(b"data: [DONE]\n") + len(b"data: [DONE]\n")


async def one_cut(app, pilot, server, offset: int, prompt: str) -> None:
    app.action_new_chat()
    server.queue(f.cut_at(offset))
    await send(pilot, prompt)
    banner = app.query_one(ErrorBanner)
    reply = replies(app)[-1]
    expected = f.text_before(offset)
    complete = offset >= done_line_end()
    assert banner.visible is (not complete), offset
    assert reply.text == expected, (offset, reply.text, expected)
    assert users(app) == [prompt], offset
    last = app.conversation.messages[-1]
    if not complete:
        assert last.status == ("interrupted" if expected else "error"), offset
        box = app.query_one(PromptInput).text
        assert box == ("" if expected else prompt), (offset, box)
    app.query_one(PromptInput).clear()
    banner.hide()


async def test_cut_at_every_byte_offset_through_the_worker_pipeline(settings, server):
    """Every offset: real SDK, real HTTP, the app's worker loop; only the widgets are left out
    (the app-level test below covers them on a sample of offsets)."""
    from tui import messages as m
    from tui.core.client import make_client
    from tui.core.conversation import Reply
    from tui.worker import pump_reply

    client = make_client(settings)
    body = {"model": "test-model", "messages": [{"role": "user", "content": "x"}]}
    total, done_at = len(f.framed()), done_line_end()
    for offset in range(total):
        server.queue(f.cut_at(offset))
        posted = []
        reply = Reply()
        await pump_reply(posted.append, client, body, reply, read_timeout=5, secret="")
        text = "".join(p.text for p in posted if isinstance(p, m.ContentDelta))
        assert text == reply.text == f.text_before(offset), offset
        final = posted[-1]
        if offset < done_at:
            assert isinstance(final, m.ReplyFailed) and final.failure.kind in ("connection", "truncated"), (offset, final)
        else:
            assert isinstance(final, m.ReplyFinished), offset
        assert sum(isinstance(p, (m.ReplyFailed, m.ReplyFinished)) for p in posted) == 1
    await client.close()


def sample_offsets(stride: int) -> list[int]:
    """A spread of offsets plus the edges: each chunk's size line, data line and UTF-8 middles."""
    body = f.framed()
    picks = set(range(0, len(body), stride))
    position = 0
    for event in f.RECORDED[:12]:
        header = b"%x\r\n" % len(event)
        picks.update({position + 1, position + len(header), position + len(header) + len(event) - 1})
        position += len(header) + len(event) + 2
    for index in range(len(body)):
        if 0x80 <= body[index] < 0xC0 and body[index - 1] >= 0xC0 and index < 1200:
            picks.add(index)  # between the bytes of a multi-byte character
    return sorted(o for o in picks if o < len(body))


@pytest.mark.parametrize("stride", [int(os.environ.get("TUI_CHAT_CUT_STRIDE", "149"))])
async def test_cut_in_the_app(make_app, server, stride):
    app = make_app(tools=NO_TOOLS, max_retries=0)
    started = time.perf_counter()
    offsets = sample_offsets(stride)
    async with app.run_test(size=SIZE) as pilot:
        for count, offset in enumerate(offsets):
            await one_cut(app, pilot, server, offset, f"cut {offset}")
            if count % 10 == 0:  # and the next turn works
                app.action_new_chat()
                server.queue(f.replay())
                await send(pilot, "after the cut")
                assert replies(app)[-1].text == f.FULL_TEXT
                assert not app.query_one(ErrorBanner).visible
        assert app.is_running
    print(f"{len(offsets)} offsets in the app in {time.perf_counter() - started:.1f} s")


@pytest.mark.parametrize("kind", f.FAULTS)
async def test_every_injected_fault(make_app, server, kind):
    # Only the stall needs a short idle timeout; elsewhere a busy machine must not trip it.
    app = make_app(tools=NO_TOOLS, read_timeout=0.5 if kind == "stall" else 10)
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
