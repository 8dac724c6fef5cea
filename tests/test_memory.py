"""The memory policy: what a session builds is frozen as it goes, and cyclic garbage is
still collected when the log is cleared and every FULL_EVERY replies."""

import gc
import weakref

from tests import sse_server as s
from tests.helpers import replies, send, wait_for
from tui.memory import FULL_EVERY, MemoryPolicy
from tui.widgets.message_log import MessageLog

SIZE = (100, 30)


class Cycle:
    def __init__(self) -> None:
        self.me = self


def _frozen_cycle() -> weakref.ref:
    """A reference cycle that nothing else refers to, frozen before anyone collects it."""
    gc.disable()
    try:
        ref = weakref.ref(Cycle())
        gc.freeze()
    finally:
        gc.enable()
    return ref


def test_every_reply_freezes_and_every_nth_collects_everything():
    policy = MemoryPolicy()
    try:
        ref = _frozen_cycle()
        for _ in range(FULL_EVERY - 1):
            policy.reply_finished()
            assert gc.get_freeze_count() > 0
        assert ref() is not None and policy.full_collections == 0  # frozen garbage waits...
        policy.reply_finished()
        assert ref() is None and policy.full_collections == 1  # ...for the periodic full collection
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


async def test_the_app_freezes_after_a_reply_and_collects_when_the_log_is_cleared(make_app, server, settings):
    server.queue(s.text_reply("Hello."))
    app = make_app(ui=settings.ui.model_copy(update={"tabs": False}))  # Ctrl+N clears in place
    try:
        async with app.run_test(size=SIZE) as pilot:
            await send(pilot, "hi")
            await pilot.pause()
            assert replies(app)[0].text == "Hello." and app.memory.replies == 1
            assert gc.get_freeze_count() > 0
            ref = _frozen_cycle()
            before = app.memory.full_collections
            await pilot.press("ctrl+n")
            await pilot.pause()
            await pilot.pause()
            assert app.memory.full_collections >= before + 1 and ref() is None
    finally:
        gc.unfreeze()


def test_scrolling_settles_at_most_every_half_second(monkeypatch):
    import tui.memory as memory

    clock = [100.0]
    monkeypatch.setattr(memory, "monotonic", lambda: clock[0])
    policy = MemoryPolicy()
    try:
        policy.scrolled()
        policy.scrolled()  # same instant: throttled
        clock[0] += memory.SETTLE_EVERY
        policy.scrolled()
        assert policy.settles == 2 and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


async def test_scrolling_the_log_settles_the_heap(make_app, server):
    server.queue(s.text_reply("line\n\n" * 80))
    app = make_app()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await send(pilot, "long")
            await pilot.pause()
            before = app.memory.settles
            app.memory._last_settle = 0.0
            await pilot.press("ctrl+up", "home")  # focus the log, jump to the top
            await pilot.pause()
            assert app.memory.settles > before
    finally:
        gc.unfreeze()


async def test_scrolling_a_second_tabs_log_settles_the_heap(make_app, server):
    """Every tab's log is watched, not only the first one's."""
    server.queue(s.text_reply("first"), s.text_reply("line\n\n" * 80))
    app = make_app()
    try:
        async with app.run_test(size=SIZE) as pilot:
            await send(pilot, "short")
            await pilot.press("ctrl+n")
            await wait_for(lambda: len(app.tabs) == 2)
            await send(pilot, "long")
            await pilot.pause()
            before = app.memory.settles
            app.memory._last_settle = 0.0
            app.active_tab.pane.query_one(MessageLog).scroll_home(animate=False)
            await pilot.pause()
            assert app.memory.settles > before
    finally:
        gc.unfreeze()
