"""$EDITOR: a scripted editor edits the prompt; failures leave the input as it was."""

from __future__ import annotations

import sys

from tests.helpers import send, settle
from tui.core.editor import edit, editor_command
from tui.widgets.prompt_input import PromptInput

SIZE = (100, 30)


def script(tmp_path, body: str) -> str:
    path = tmp_path / "editor.py"
    path.write_text("import os, sys\npath = sys.argv[-1]\n" + body)
    return f"{sys.executable} {path}"


def test_editor_command_prefers_visual_then_editor_then_vi():
    assert editor_command({"VISUAL": "code --wait", "EDITOR": "nano"}) == (["code", "--wait"], "$VISUAL")
    assert editor_command({"EDITOR": "nano"}) == (["nano"], "$EDITOR")
    assert editor_command({}) == (["vi"], "the default (vi)")


def test_the_editor_gets_no_secrets(tmp_path):
    dump = tmp_path / "env.txt"
    body = f"open({str(dump)!r}, 'w').write('\\n'.join(os.environ))\nopen(path, 'a').write(' more')\n"
    environ = {"VISUAL": script(tmp_path, body), "TUI_CHAT_API_KEY": "sk-x", "OPENAI_API_KEY": "sk-y", "HOME": "/home/u"}
    assert edit("draft", environ=environ).text == "draft more"
    names = dump.read_text().split()
    assert "HOME" in names and "TUI_CHAT_API_KEY" not in names and "OPENAI_API_KEY" not in names


def test_failures_leave_the_text_alone(tmp_path):
    assert edit("x", environ={"EDITOR": script(tmp_path, "sys.exit(3)\n")}) .text is None
    empty = edit("x", environ={"EDITOR": script(tmp_path, "open(path, 'w').write('  \\n')\n")})
    assert empty.text is None and "empty" in empty.error
    missing = edit("x", environ={"EDITOR": "no-such-editor-tui-chat --flag"})
    assert missing.text is None and "'no-such-editor-tui-chat' (from $EDITOR) was not found" in missing.error


async def test_ctrl_e_edits_the_prompt_then_it_sends(make_app, server, tmp_path, monkeypatch):
    monkeypatch.setenv("VISUAL", script(tmp_path, "text = open(path).read()\nopen(path, 'w').write(text.upper() + ' edited\\n')\n"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        prompt = app.query_one(PromptInput)
        prompt.focus()
        prompt.load_text("hello")
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert prompt.text == "HELLO edited"
        await send(pilot, prompt.text)
        await settle(pilot)
        assert server.requests[-1]["messages"][-1]["content"] == "HELLO edited"


async def test_a_missing_editor_is_a_clear_message(make_app, server, monkeypatch):
    monkeypatch.setenv("VISUAL", "no-such-editor-tui-chat")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        prompt = app.query_one(PromptInput)
        prompt.focus()
        prompt.load_text("keep me")
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert prompt.text == "keep me"
        assert any("was not found" in str(n.message) for n in app._notifications)
