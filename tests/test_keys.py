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
