"""Pilot flows of issue 17's queue, continue and new-text marker, against the loopback server."""

from __future__ import annotations

from tests import sse_server as s
from tests.helpers import replies, screen_text, send, settle, users, wait_for
from tests.test_session import CALC
from tui.core.continuation import CONTINUE_PROMPT
from tui.widgets.error_banner import ErrorBanner
from tui.widgets.message_log import MessageLog
from tui.widgets.prompt_input import PromptInput
from tui.widgets.stream_aids import NewTextMarker, QueuedPrompts

SIZE = (100, 30)


def stalled(scenario: s.Scenario, at: int = 1) -> s.Scenario:
    scenario.actions.insert(at, ("stall",))
    return scenario


async def test_three_prompts_queue_behind_a_tool_round(make_app, server):
    server.queue(stalled(s.tool_calls_reply(CALC)), s.text_reply("42."), s.text_reply("a"), s.text_reply("b"), s.text_reply("c"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "compute", wait=False)
        await wait_for(lambda: app.streaming)
        for text in ("q1", "q2", "q3"):
            await send(pilot, text, wait=False)
        await pilot.pause()
        queued = app.query_one(QueuedPrompts)
        assert queued.texts == ["q1", "q2", "q3"] and queued.display
        assert "queued q1" in screen_text(app) and "queued q3" in screen_text(app)
        server.release_stalls()
        await wait_for(lambda: users(app) == ["compute", "q1", "q2", "q3"] and len(replies(app)) == 5 and not app.session.busy)
        await settle(pilot)
        assert [r.text for r in replies(app)][1:] == ["42.", "a", "b", "c"]
        assert not queued.display and app.session.queue.texts == []
        assert [r["messages"][-1]["content"] for r in server.requests][2:] == ["q1", "q2", "q3"]


async def test_up_takes_a_queued_prompt_back_and_esc_cancels_one(make_app, server):
    server.queue(s.stall_after("Partial"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "first", wait=False)
        await wait_for(lambda: app.streaming)
        await send(pilot, "keep", wait=False)
        await send(pilot, "fix me", wait=False)
        await pilot.pause()
        await pilot.press("up")
        prompt = app.query_one(PromptInput)
        assert prompt.text == "fix me" and app.session.queue.texts == ["keep"]
        prompt.clear()
        await pilot.press("escape")  # the empty prompt: cancels "keep", the reply goes on
        assert app.session.queue.texts == [] and app.streaming
        await pilot.press("escape")
        await settle(pilot)
        assert not app.streaming and users(app) == ["first"]
        server.release_stalls()


async def test_a_stopped_turn_pauses_the_queue_and_enter_resumes_it(make_app, server):
    server.queue(s.stall_after("Partial"), s.text_reply("Now."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "first", wait=False)
        await wait_for(lambda: app.streaming)
        await send(pilot, "next", wait=False)
        app.set_focus(None)
        await pilot.press("escape")  # the focus is not on the prompt: Esc stops the reply
        await settle(pilot)
        assert app.session.queue.paused and users(app) == ["first"]
        assert "paused" in screen_text(app)
        await send(pilot, "", wait=False)
        await wait_for(lambda: users(app) == ["first", "next"] and not app.session.busy)
        await settle(pilot)
        assert replies(app)[-1].text == "Now." and not app.query_one(QueuedPrompts).display
        server.release_stalls()


async def test_continue_after_a_cut_and_after_length(make_app, server):
    server.queue(s.cut_midstream("Partial answer"), s.text_reply(" then more."),
                 s.finish_only(" and", "length"), s.text_reply(" the end."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "Tell me")
        assert app.query_one(ErrorBanner).visible
        await pilot.press("f10")
        await settle(pilot)
        assert not app.query_one(ErrorBanner).visible
        assert [r.text for r in replies(app)] == ["Partial answer then more."]
        assert server.requests[-1]["messages"][-1] == {"role": "user", "content": CONTINUE_PROMPT}
        assert "continued" in screen_text(app)
        await pilot.press("f10")  # complete now: refused with a hint
        await settle(pilot)
        assert len(server.requests) == 2
        await send(pilot, "Again")
        await pilot.press("f10")
        await settle(pilot)
        assert [r.text for r in replies(app)][-1] == " and the end."
        messages = app.session.history.messages()
        assert [(m.role, m.content) for m in messages][-1] == ("assistant", " and the end.")
        assert len(messages) == 4


async def test_new_text_marker_while_reading_above_and_end_follows(make_app, server):
    long_text = "\n\n".join(f"Paragraph {n}." for n in range(40))
    first = s.text_reply(long_text)
    second = s.text_reply("Start. " + long_text)
    second.actions.insert(3, ("stall",))
    server.queue(first, second)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "long")
        await send(pilot, "again", wait=False)
        await wait_for(lambda: app.streaming and len(replies(app)) == 2 and replies(app)[1].text)
        log = app.query_one(MessageLog)
        log.scroll_to(y=0, animate=False, immediate=True)
        log.release_anchor()
        await pilot.pause()
        marker = app.query_one(NewTextMarker)
        assert not marker.display
        server.release_stalls()
        await wait_for(lambda: marker.display)
        assert log.scroll_y == 0  # the view holds
        await settle(pilot)
        app.query_one(PromptInput).focus()
        await pilot.press("end")
        await pilot.pause()
        assert not marker.display and log.scroll_y == log.max_scroll_y


async def test_queued_prompts_come_back_queued_after_a_restart(make_app, settings, server):
    from tui.app import make_app as real_make_app

    server.queue(s.stall_after("Partial"), s.text_reply("Later."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "first", wait=False)
        await wait_for(lambda: app.streaming)
        await send(pilot, "queued before the crash", wait=False)
        await pilot.pause()
    server.release_stalls()
    again = real_make_app(settings, open_conversation="latest")
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        queued = again.query_one(QueuedPrompts)
        assert queued.texts == ["queued before the crash"] and queued.display
        assert "paused" in screen_text(again) and users(again) == ["first"]
        await send(pilot, "", wait=False)  # Enter on the empty prompt resumes
        await wait_for(lambda: users(again) == ["first", "queued before the crash"] and not again.session.busy)
        await settle(pilot)
        assert replies(again)[-1].text == "Later." and not queued.display


async def test_a_click_on_the_marker_follows_the_stream(make_app, server):
    text = "\n\n".join(f"Paragraph {n}." for n in range(40))
    second = s.text_reply("Start. " + text)
    second.actions.insert(3, ("stall",))
    server.queue(s.text_reply(text), second)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "long")
        await send(pilot, "again", wait=False)
        await wait_for(lambda: app.streaming and len(replies(app)) == 2 and replies(app)[1].text)
        log = app.query_one(MessageLog)
        log.scroll_to(y=0, animate=False, immediate=True)
        log.release_anchor()
        server.release_stalls()
        marker = app.query_one(NewTextMarker)
        await wait_for(lambda: marker.display)
        await settle(pilot)
        await pilot.click(NewTextMarker)
        await pilot.pause()
        assert not marker.display and log.scroll_y == log.max_scroll_y


async def test_a_failed_turn_says_on_the_banner_that_the_queue_waits_and_r_resumes(make_app, server):
    first = s.text_reply("never sent")
    first.actions[:] = [("stall",), *s.http_error(500).actions]
    server.queue(first, s.text_reply("Retried."), s.text_reply("Queued one."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "first", wait=False)
        await wait_for(lambda: app.streaming)
        await send(pilot, "queued", wait=False)
        server.release_stalls()
        await settle(pilot)
        banner = app.query_one(ErrorBanner)
        assert banner.visible and app.session.queue.paused
        assert "1 queued prompt waits" in screen_text(app)
        banner.focus()
        await pilot.press("r")
        await wait_for(lambda: users(app) == ["first", "queued"] and not app.session.busy and len(replies(app)) == 2)
        await settle(pilot)
        assert [r.text for r in replies(app)] == ["Retried.", "Queued one."]


async def test_auto_continue_in_the_app(make_app, server, settings):
    server.queue(s.cut_midstream("Partial answer"), s.text_reply(" and the rest."))
    app = make_app(stream=settings.stream.model_copy(update={"auto_continue": True}))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "Tell me")
        await wait_for(lambda: len(server.requests) == 2 and not app.session.busy)
        await settle(pilot)
        assert [r.text for r in replies(app)] == ["Partial answer and the rest."]
        assert not app.query_one(ErrorBanner).visible and "continued" in screen_text(app)


async def test_keys_typed_before_the_app_takes_a_prompt_stay_in_the_box(make_app, server):
    """Enter posts the prompt; keys that arrive before the app handles it (tmux send-keys,
    a fast typist) belong to the next prompt, not glued onto this one or thrown away."""
    server.queue(s.stall_after("Streaming"), s.text_reply("Second."))
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "first", wait=False)
        await wait_for(lambda: app.streaming)
        prompt = app.query_one(PromptInput)
        prompt.load_text("queued one")
        prompt.move_cursor(prompt.document.end)
        prompt.post_message(PromptInput.Submitted(prompt, "queued one"))
        prompt.insert("next words")  # typed before the app handled the Enter
        await wait_for(lambda: app.session.queue.texts == ["queued one"])
        assert prompt.text == "next words"
        server.release_stalls()
