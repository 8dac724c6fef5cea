"""What the key bar, the error banner and F1 help offer, and that it works (with and without a keymap)."""

from tests.helpers import screen_text, send, settle, wait_for
from tui.screens.help import HelpScreen
from tui.widgets.key_bar import KeyBar
from tui.widgets.tool_sidebar import ToolSidebar

SIZE = (120, 40)


def _bar_offset(app, label: str) -> tuple[int, int]:
    """Where ``label`` is drawn in the key bar, as an offset inside the bar."""
    bar = app.screen.query_one(KeyBar)
    line = bar.render_line(0).text
    assert label in line, line
    return line.index(label), 0


async def test_clicking_a_key_in_the_bar_runs_its_action(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        sidebar = app.query_one(ToolSidebar)
        assert not sidebar.has_class("-hidden")
        await pilot.click(KeyBar, offset=_bar_offset(app, "Sidebar"))
        await wait_for(lambda: sidebar.has_class("-hidden"))
        await pilot.click(KeyBar, offset=_bar_offset(app, "Help"))
        await wait_for(lambda: isinstance(app.screen, HelpScreen))
        await pilot.click(KeyBar, offset=_bar_offset(app, "Close"))
        await wait_for(lambda: not isinstance(app.screen, HelpScreen))
        assert app.is_running and app.return_code is None


async def test_clicking_a_remapped_key_in_the_bar_runs_its_action(make_app):
    app = make_app(keymap={"app.toggle_sidebar": "f10"})
    async with app.run_test(size=SIZE) as pilot:
        sidebar = app.query_one(ToolSidebar)
        assert "f10 Sidebar" in screen_text(app)
        await pilot.click(KeyBar, offset=_bar_offset(app, "Sidebar"))
        await wait_for(lambda: sidebar.has_class("-hidden"))


def _banner_line(app) -> str:
    from tui.widgets.error_banner import ErrorBanner

    banner = app.query_one(ErrorBanner)
    assert banner.visible
    return str(banner.render())


def test_failures_say_whether_a_retry_can_help():
    from tui.core.errors import Failure, StreamError, classify, no_key

    assert not no_key().retryable
    assert not Failure("history", "History is off.", "Fix the file.").retryable
    assert classify(StreamError("truncated", "closed")).retryable
    assert classify(ConnectionError("reset")).retryable
    assert not any("press r" in f.hint.lower() for f in (
        classify(StreamError("idle", "")), classify(StreamError("midstream", "")), classify(ConnectionError()),
    )), "the hint must not name a key: the banner names the bound one"


async def test_banner_offers_no_retry_without_an_api_key(make_app, server):
    app = make_app(api_key=None, base_url="https://api.example.invalid/v1")
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "hi")
        line = _banner_line(app)
        assert "[x] dismiss" in line and "] retry" not in line
        from tui.widgets.error_banner import ErrorBanner

        banner = app.query_one(ErrorBanner)
        banner.focus()
        await pilot.pause()
        bar = app.screen.query_one(KeyBar).render_line(0).text
        assert "Dismiss" in bar and "Retry" not in bar.replace("^r Retry", "")
        await pilot.press("r")
        await pilot.pause()
        assert banner.visible and server.requests == []


async def test_banner_offers_no_retry_for_a_history_error(settings, server, tmp_path):
    from tui.app import make_app as real_make_app

    path = tmp_path / "broken.db"
    path.write_bytes(b"definitely not sqlite " * 50)
    app = real_make_app(settings, db=str(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        line = _banner_line(app)
        assert "History is off" in line and "[x] dismiss" in line and "] retry" not in line


async def test_banner_shows_the_keys_as_remapped(make_app, server):
    from tests import sse_server as s
    from tui.widgets.error_banner import ErrorBanner

    server.queue(s.http_error(500), s.text_reply("Fine now."), s.http_error(500))
    app = make_app(keymap={"banner.retry": "t", "banner.dismiss": "d"})
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "hello")
        line = _banner_line(app)
        assert "[t] retry" in line and "[d] dismiss" in line and "[r]" not in line and "[x]" not in line
        banner = app.query_one(ErrorBanner)
        assert app.focused is banner
        await pilot.press("t")
        await settle(pilot)
        assert not banner.visible and len(server.requests) == 2
        await send(pilot, "again")
        assert banner.visible
        await pilot.press("d")
        await wait_for(lambda: not banner.visible)


def _help_rows(app) -> dict[str, str]:
    """Each help line's action text -> its keys (the terminal is tall enough to show all)."""
    rows = {}
    for line in screen_text(app).splitlines():
        parts = line.strip("│ ").split("  ")
        parts = [p.strip() for p in parts if p.strip()]
        if len(parts) >= 2:
            rows[parts[-1]] = parts[0]
    return rows


async def test_help_lists_every_bound_key_grouped(make_app):
    app = make_app()
    async with app.run_test(size=(120, 150)) as pilot:
        await pilot.press("f1")
        await wait_for(lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        text, rows = screen_text(app), _help_rows(app)
        for title in ("Tool confirmation", "History (^o / f2)", "Error banner", "Messages (^↑)"):
            assert title in text
        assert rows["Run this call once"] == "y"
        assert rows["Allow this tool for the rest of the session"] == "a"
        assert rows["Do not run it; the model is told it was denied"] == "n / esc"
        assert rows["Rename the selected conversation"] == "f2"
        assert rows["Delete the selected conversation"] == "^d"
        assert rows["Focus the tool-call sidebar"] == "^t"


async def test_help_shows_keys_after_the_keymap(make_app):
    keymap = {"app.focus_tools": "f10", "confirm.always": "b", "history.delete": "f11", "banner.retry": "t"}
    app = make_app(keymap=keymap)
    async with app.run_test(size=(120, 150)) as pilot:
        await pilot.press("f1")
        await wait_for(lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        rows = _help_rows(app)
        assert rows["Focus the tool-call sidebar"] == "f10"
        assert "Tool-call sidebar (f10)" in screen_text(app)
        assert rows["Allow this tool for the rest of the session"] == "b"
        assert rows["Delete the selected conversation"] == "f11"
        assert rows["Send the failed turn again"] == "t"


async def test_hints_name_the_keys_as_remapped(make_app, server):
    """The empty log's hint, the prompt's placeholder, the busy refusal and the queue's hint
    name the user's keys, not the defaults."""
    from tests import sse_server as s
    from tui.widgets.prompt_input import PromptInput

    server.queue(s.Scenario([s._role()] + s._content("Half") + [("stall",)] + s._content(" done.") + s._tail("stop")))
    app = make_app(keymap={"app.stop": "f6", "prompt.newline": "ctrl+k,shift+enter", "app.help": "f12"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = str(app.query_one(".welcome").render())
        assert "Ctrl+K adds a newline, F6 stops a reply" in text and "F12 lists every key" in text
        assert app.query_one(PromptInput).placeholder == "Message — Enter to send, Ctrl+K for a newline, F12 for keys"
        await send(pilot, "go", wait=False)
        await wait_for(lambda: app.streaming)
        await pilot.press("f5")
        await pilot.pause()
        assert app.status_hint == "Regenerate is refused while a reply streams — F6 stops it"
        assert app.session.regenerate() == "A reply is still streaming — press F6 to stop it first."
        await send(pilot, "next one", wait=False)
        await wait_for(lambda: "F6 cancels it" in screen_text(app))
        server.release_stalls()
        await wait_for(lambda: not app.session.busy and len(server.requests) == 2)
