"""Hostile text through every surface: log, user turn, sidebar, detail, banner, exports.

None of it may come out as markup, as a control sequence, or as a broken layout.
"""

import json

import pytest

from tests import sse_server as s
from tests.helpers import replies, screen_text, send
from tui.core.settings import ToolsSettings
from tui.screens.tool_detail import ToolDetailScreen

CORPUS = {
    "markup": "[bold]bold?[/bold] [red]red?[/] [link=http://x]l[/link]",
    "action": "[@click=app.quit]click me[/]",
    "csi": "\x1b[31mred\x1b[0m\x1b[2J\x1b[H\x1b[?1049l",
    "osc52": "\x1b]52;c;aGVsbG8=\x07after-osc52",
    "osc8": "\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "dcs": "\x1bP1$qm\x1b\\after-dcs",
    "bel_bs": "bell\x07 back\x08\x08space",
    "c1": "c1 \x85 \x9b31m \x90dcs\x9c",
    "bidi": "file\u202egnp.exe \u2066iso\u2069",
    "zwj": "👩\u200d💻 a\u200db \u200b",
    "combining": "e\u0301\u0301\u0301\u0301 ṩ̤̣",
    "long": "A" * 10_000,
    "surrogate": "lone \ud800 surrogate",
    "line_separators": "one\u2028two\u2029three\x85four",
}
BAD = ["\x1b", "\x07", "\x08", "\x85", "\x9b", "\x90", "\x9c", "\u202e", "\u2066", "\ud800"]
SIZE = (100, 30)


def assert_clean(text: str) -> None:
    """No control character reaches the output. (JSON views may show an escape as
    the six characters \\u001b: that is text, not a control sequence.)"""
    for char in BAD:
        assert char not in text, repr(char)


def assert_layout(app) -> None:
    width = app.size.width
    strips = app.screen._compositor.render_strips()
    assert len(strips) == app.size.height
    assert all(strip.cell_length == width for strip in strips)


def escaped(scenario: s.Scenario) -> s.Scenario:
    """The same stream with every chunk JSON-escaped (ASCII only), as many servers send it:
    the only way a lone surrogate can travel."""
    actions = [("raw", b"data: " + json.dumps(a[1]).encode() + b"\n\n") if a[0] == "chunk" else a for a in scenario.actions]
    return s.Scenario(actions, scenario.name)


@pytest.mark.parametrize("name", list(CORPUS))
async def test_hostile_text_everywhere(make_app, server, name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    hostile = CORPUS[name]
    reply = escaped(s.text_reply(hostile, pieces=3))
    tool = escaped(s.tool_calls_reply([("call_h", "f" + hostile[:40], json.dumps({"arg": hostile}))]))
    error = s.http_error(500, message=hostile[:300])
    server.queue(reply, tool, error)
    app = make_app(tools=ToolsSettings(enabled=False))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "user says " + hostile[:200])
        await send(pilot, "tools")
        await send(pilot, "error")
        text = screen_text(app)
        assert_clean(text)
        assert_layout(app)
        shown = "\n".join(strip.text for strip in replies(app)[0].body.lines())
        assert "aGVsbG8=" not in shown and "evil.example" not in shown  # payloads go with their sequence
        if name in ("markup", "action"):
            assert hostile.split()[0] in text  # shown literally, not as markup
        await pilot.press("x", "ctrl+t", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ToolDetailScreen)
        assert_clean(screen_text(app))
        assert_layout(app)
        await pilot.press("escape")
        app.action_export("md")
        app.action_export("json")
        assert app.is_running
        cid = app.session.history.conversation_id
    markdown = (tmp_path / f"tui-chat-{cid}.md").read_text()
    exported = (tmp_path / f"tui-chat-{cid}.json").read_text()
    assert_clean(markdown)
    assert_clean(exported)
    json.loads(exported)
