"""Tabs: several conversations at once, each its own session and stream (issue 17, item 4)."""

from __future__ import annotations

from tests import sse_server as s
from tests.helpers import replies, send, settle, users, wait_for
from tui.app import make_app as real_make_app
from tui.core.settings import ToolsSettings
from tui.screens.close_tab import CloseTabScreen
from tui.screens.history import HistoryScreen
from tui.widgets.message_log import AssistantMessage, MessageLog
from tui.widgets.tab_bar import TabBar

SIZE = (100, 30)
NO_TOOLS = ToolsSettings(enabled=False)


def two_part(first: str, second: str) -> s.Scenario:
    """Some text, a stall until released, the rest."""
    return s.Scenario([s._role()] + s._content(first) + [("stall",)] + s._content(second) + s._tail("stop"), "two_part")


def texts_in(tab) -> list[str]:
    return [w.text for w in tab.pane.query_one(MessageLog).query(AssistantMessage)]


def app_with(settings, **ui):
    return real_make_app(settings.model_copy(update={"tools": NO_TOOLS, "ui": settings.ui.model_copy(update=ui)}))


async def test_two_tabs_stream_at_once_each_into_its_own_log(settings, server):
    server.queue(two_part("Alpha one.", " Alpha two."), two_part("Beta one.", " Beta two."))
    app = app_with(settings)
    async with app.run_test(size=SIZE) as pilot:
        bar = app.query_one(TabBar)
        assert not bar.display  # one tab: no bar, the layout of before
        await send(pilot, "first", wait=False)
        first = app.active_tab
        await wait_for(lambda: texts_in(first) == ["Alpha one."])
        await pilot.press("ctrl+n")
        await wait_for(lambda: len(app.tabs) == 2)
        second = app.active_tab
        assert second is not first and bar.display
        await send(pilot, "second", wait=False)
        await wait_for(lambda: texts_in(second) == ["Beta one."])
        assert first.session.streaming and second.session.streaming
        assert [t.info().state for t in app.tabs] == ["streaming", "streaming"]
        server.release_stalls()
        await wait_for(lambda: not first.session.busy and not second.session.busy)
        await settle(pilot)
        assert texts_in(first) == ["Alpha one. Alpha two."]
        assert texts_in(second) == ["Beta one. Beta two."]
        assert [m.content for m in first.session.messages] == ["first", "Alpha one. Alpha two."]
        assert [m.content for m in second.session.messages] == ["second", "Beta one. Beta two."]
        assert first.info().state == "unread" and second.info().state == ""
        assert "●" in str(bar.render())
        await pilot.press("ctrl+pageup")
        assert app.active_tab is first and app.session is first.session and first.info().state == ""
        assert users(app) == ["first"] and [r.text for r in replies(app)] == ["Alpha one. Alpha two."]
        assert not second.pane.display and first.pane.display
        await pilot.press("alt+2")
        assert app.active_tab is second and users(app) == ["second"]
        await pilot.press("ctrl+pagedown")
        assert app.active_tab is first


async def test_closing_a_streaming_tab_asks_first(settings, server):
    server.queue(s.text_reply("Done."), s.stall_after("Still going"))
    app = app_with(settings)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "one")
        await pilot.press("ctrl+n")
        await wait_for(lambda: len(app.tabs) == 2)
        await send(pilot, "two", wait=False)
        streaming = app.active_tab
        await wait_for(lambda: texts_in(streaming) == ["Still going"])
        await pilot.press("ctrl+w")
        await wait_for(lambda: isinstance(app.screen, CloseTabScreen))
        await pilot.press("n")
        await wait_for(lambda: not isinstance(app.screen, CloseTabScreen))
        assert len(app.tabs) == 2 and streaming.session.streaming
        await pilot.press("ctrl+w")
        await wait_for(lambda: isinstance(app.screen, CloseTabScreen))
        await pilot.press("y")
        await wait_for(lambda: len(app.tabs) == 1)
        await settle(pilot)
        assert users(app) == ["one"] and [r.text for r in replies(app)] == ["Done."]
        assert not [w for w in app.workers if w.group == "reply" and w.is_running]
        stored = streaming.session.history.messages()
        assert [m.content for m in stored] == ["two", "Still going"]  # what came so far is kept
        await pilot.press("ctrl+w")  # the last tab stays
        assert len(app.tabs) == 1


async def test_the_tab_limit_is_a_hint(settings, server):
    server.queue(s.text_reply("A."), s.text_reply("B."))
    app = app_with(settings, max_tabs=2)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "a")
        await pilot.press("ctrl+n")
        await wait_for(lambda: len(app.tabs) == 2)
        await send(pilot, "b")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert len(app.tabs) == 2 and "ui.max_tabs" in app.status_hint
        assert users(app) == ["b"]


async def test_ctrl_n_starts_over_in_place_when_tabs_are_off(settings, server):
    server.queue(s.text_reply("A."))
    app = app_with(settings, tabs=False)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "a")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert len(app.tabs) == 1 and users(app) == []


async def test_history_opens_into_a_new_tab_unless_open(settings, server):
    server.queue(s.text_reply("About whales."), s.text_reply("About sorting."))
    app = app_with(settings, tabs=False)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "whales")
        await pilot.press("ctrl+n")
        await send(pilot, "sorting")
    store = app.session.history.store
    (whales,) = [c.id for c in store.conversations() if "whales" in c.title]
    (sorting,) = [c.id for c in store.conversations() if "sorting" in c.title]
    app = app_with(settings)
    async with app.run_test(size=SIZE) as pilot:
        assert app.open_conversation(sorting)
        await pick_in_history(pilot, app, whales)
        await wait_for(lambda: len(app.tabs) == 2)
        assert users(app) == ["whales"]
        await pick_in_history(pilot, app, sorting)  # already open: shown, not opened again
        await pilot.pause()
        assert len(app.tabs) == 2 and users(app) == ["sorting"] and app.active_tab is app.tabs[0]


async def pick_in_history(pilot, app, conversation_id: int) -> None:
    from textual.widgets import OptionList

    await pilot.press("ctrl+o")
    await wait_for(lambda: isinstance(app.screen, HistoryScreen))
    options = app.screen.query_one("#list", OptionList)
    await wait_for(lambda: options.option_count > 0)
    ids = [options.get_option_at_index(i).id.split(":")[0] for i in range(options.option_count)]
    options.highlighted = ids.index(str(conversation_id))
    options.focus()
    await pilot.press("enter")
    await wait_for(lambda: not isinstance(app.screen, HistoryScreen))


async def test_quit_saves_the_tabs_and_resume_brings_them_back(settings, server):
    server.queue(s.text_reply("One."), s.text_reply("Two."), s.text_reply("Three."))
    app = app_with(settings)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "tab one")
        await pilot.press("ctrl+n")
        await wait_for(lambda: len(app.tabs) == 2)
        await send(pilot, "tab two")
        await pilot.press("ctrl+n")
        await wait_for(lambda: len(app.tabs) == 3)
        await send(pilot, "tab three")
        await pilot.press("alt+2")
        await pilot.press("ctrl+q")
    again = real_make_app(settings.model_copy(update={"tools": NO_TOOLS}), open_conversation="latest")
    async with again.run_test(size=SIZE) as pilot:
        await wait_for(lambda: len(again.tabs) == 3)
        await pilot.pause()
        assert [[m.content for m in t.session.messages] for t in again.tabs] == [
            ["tab one", "One."], ["tab two", "Two."], ["tab three", "Three."]]
        assert again.active_tab is again.tabs[1] and users(again) == ["tab two"]


async def test_a_background_tab_waits_for_its_confirmation_with_a_mark(make_app, server, tmp_path):
    from tests.test_tool_flows import tools
    from tui.screens.confirm import ConfirmScreen

    asks = s.tool_calls_reply([("call_w", "touch_note", "{}")])
    asks.actions.insert(1, ("stall",))
    server.queue(asks, s.text_reply("Done."))
    app = make_app(tools=tools(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "write it", wait=False)
        first = app.active_tab
        await wait_for(lambda: first.session.streaming)
        await pilot.press("ctrl+n")
        await wait_for(lambda: len(app.tabs) == 2)
        server.release_stalls()
        await wait_for(lambda: first.info().state == "confirm")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)  # not over another tab's conversation
        assert "?" in str(app.query_one(TabBar).render())
        await send(pilot, "/tab", wait=False)  # at most one empty tab more: /tab opens it
        await wait_for(lambda: len(app.tabs) == 3)
        await pilot.press("alt+1")
        await wait_for(lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(lambda: not first.session.busy and len(server.requests) == 2)
        await settle(pilot)
        assert [r.text for r in replies(app)][-1] == "Done." and first.info().state == ""


def test_alt_digit_from_a_terminal_is_a_tab_key(settings):
    """ESC 2 is what tmux and xterm send for Alt+2; Textual alone reads it as '™'."""
    from textual._xterm_parser import XTermParser

    app_with(settings)
    parser = XTermParser()
    keys = [event.key for event in [*parser.feed("\x1b2"), *parser.feed("")]]
    assert keys == ["alt+2"]


async def test_alt_digit_with_its_character_switches_from_the_prompt(settings, server):
    """A terminal's Alt+1 carries the character "1"; the prompt must not type it."""
    from textual import events

    from tui.widgets.prompt_input import PromptInput

    server.queue(s.text_reply("A."))
    app = app_with(settings)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "a")
        await pilot.press("ctrl+n")
        await wait_for(lambda: len(app.tabs) == 2)
        prompt = app.query_one(PromptInput)
        prompt.post_message(events.Key("alt+1", "1"))
        await wait_for(lambda: app.active_tab is app.tabs[0])
        assert prompt.text == "" and users(app) == ["a"]


async def test_closing_the_first_tab_lets_go_of_what_it_showed(settings, server):
    """The first tab's pane stays in the DOM as the layout's anchor; its log must not keep
    the closed conversation's widgets alive (nor show them to a query)."""
    server.queue(s.text_reply("First answer."), s.text_reply("Second answer."))
    app = app_with(settings)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "one")
        first = app.active_tab
        await pilot.press("ctrl+n")
        await wait_for(lambda: len(app.tabs) == 2)
        await send(pilot, "two")
        await pilot.press("alt+1")
        await wait_for(lambda: app.active_tab is first)
        await pilot.press("ctrl+w")
        await wait_for(lambda: len(app.tabs) == 1)
        await settle(pilot)
        assert not first.pane.query(AssistantMessage) and not first.pane.display
        assert users(app) == ["two"] and [r.text for r in replies(app)] == ["Second answer."]


async def test_a_click_on_a_tab_title_shows_that_tab(settings, server):
    server.queue(s.text_reply("A."))
    app = app_with(settings)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "first chat")
        await pilot.press("ctrl+n")
        await wait_for(lambda: len(app.tabs) == 2 and app.active_tab is app.tabs[1])
        await pilot.pause()
        # " 1 first chat │ 2 new chat │": cell 3 is in tab 1's title, cell 16 in tab 2's, cell 14 is the divider
        await pilot.click(TabBar, offset=(14, 0))
        await pilot.pause()
        assert app.active_tab is app.tabs[1]
        await pilot.click(TabBar, offset=(3, 0))
        await wait_for(lambda: app.active_tab is app.tabs[0])
        assert users(app) == ["first chat"]
        await pilot.click(TabBar, offset=(16, 0))
        await wait_for(lambda: app.active_tab is app.tabs[1])


def test_resume_adds_the_latest_only_when_it_changed_after_the_quit(tmp_path):
    import os

    from tui.core import open_tabs

    db = tmp_path / "history.db"
    open_tabs.save(db, [1, 2], 0)
    saved = open_tabs.tabs_file(db).stat().st_mtime
    assert open_tabs.resume(db, (3, saved + 5), 9) == ([1, 2, 3], 2)  # asked in a pipe since: shown
    assert open_tabs.resume(db, (3, saved - 5), 9) == ([1, 2], 0)  # closed before the quit: stays closed
    assert open_tabs.resume(db, (2, saved + 5), 9) == ([1, 2], 0)  # already a tab
    assert open_tabs.resume(db, (3, saved + 5), 2) == ([2, 3], 1)  # the limit: the oldest gives way
    assert open_tabs.resume(db, None, 9) == ([1, 2], 0)
    os.remove(open_tabs.tabs_file(db))
    assert open_tabs.resume(db, (3, saved + 5), 9) == ([], 0)  # no saved tabs: the caller opens the latest
