"""Attachments and the context window in the full-screen app, driven from the keyboard."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from textual import events

from tests import sse_server as s
from tests.helpers import send, settle, users, wait_for
from tui.core.settings import ToolsSettings
from tui.widgets.attachment_bar import Chip
from tui.widgets.context_banner import ContextBanner
from tui.widgets.message_log import UserMessage
from tui.widgets.prompt_input import PromptInput

SIZE = (100, 30)


def png(width: int = 8, height: int = 6) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (0, 128, 255)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def root(tmp_path):
    folder = tmp_path / "proj"
    (folder / "docs").mkdir(parents=True)
    (folder / "docs" / "report.md").write_text("# Report\n")
    (folder / "notes.txt").write_text("notes\n")
    (folder / "shot.png").write_bytes(png())
    (folder / ".env").write_text("KEY=1\n")
    return folder


@pytest.fixture
def app_in(make_app, root):
    def make(**update):
        return make_app(tools=ToolsSettings(enabled=False, roots=[root]), **update)

    return make


def chips(app) -> list[str]:
    return [chip.attachment.chip() for chip in app.query(Chip)]


async def test_at_opens_the_picker_and_enter_attaches_the_file(app_in, server):
    app = app_in()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("@")
        await wait_for(lambda: app.screen.__class__.__name__ == "FilePicker")
        await pilot.press(*"report")
        await pilot.pause()
        await pilot.press("enter")  # the highlighted file in the dropdown: one Enter attaches it
        await wait_for(lambda: chips(app) == ["report.md · 9 B"])
        assert app.focused is app.query_one(PromptInput) and app.query_one(PromptInput).text == ""
        await send(pilot, "Read this")
        assert server.requests[-1]["messages"][-1]["content"] == [
            {"type": "text", "text": "Read this"}, {"type": "text", "text": "docs/report.md\n```\n# Report\n```"}]
        assert chips(app) == []
        assert "📎 report.md · 9 B" in str(app.query(UserMessage).last().render())


async def test_escape_in_the_picker_types_a_literal_at(app_in):
    app = app_in()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "@")
        await pilot.press(*"b")  # @ inside a word is just a character
        assert app.query_one(PromptInput).text == "a@b"
        await pilot.press("space", "@")
        await wait_for(lambda: app.screen.__class__.__name__ == "FilePicker")
        await pilot.press("escape")
        await wait_for(lambda: app.query_one(PromptInput).text == "a@b @")


async def test_attach_flag_and_keyboard_removal(app_in):
    app = app_in()
    app.attach_on_start = ["notes.txt", "shot.png"]
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: chips(app) == ["notes.txt · 6 B", "shot.png · 8×6"])
        app.query(Chip).first().focus()
        await pilot.press("backspace")
        await wait_for(lambda: chips(app) == ["shot.png · 8×6"])
        await pilot.press("delete")
        await wait_for(lambda: chips(app) == [])
        assert app.focused is app.query_one(PromptInput)


async def test_denied_and_missing_files_are_refused_with_a_message(app_in):
    app = app_in()
    app.attach_on_start = [".env", "nope.txt"]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        said = [n.message for n in app._notifications]
        assert chips(app) == [] and any("tools.deny" in m for m in said) and any("no such file" in m for m in said)


async def test_long_paste_becomes_a_chip_and_enter_turns_it_back_into_input(app_in, server):
    app = app_in()
    long = "\n".join(f"log line {n}" for n in range(30))
    async with app.run_test(size=SIZE) as pilot:
        prompt = app.query_one(PromptInput)
        app.post_message(events.Paste("short paste"))
        await pilot.pause()
        assert prompt.text == "short paste" and chips(app) == []
        app.post_message(events.Paste(long))
        await wait_for(lambda: chips(app) == ["pasted text (30 lines) · 349 B"])
        assert prompt.text == "short paste"
        app.query(Chip).first().focus()
        await pilot.press("enter")
        await wait_for(lambda: chips(app) == [])
        assert prompt.text.endswith("log line 29")


async def test_long_paste_is_sent_as_a_text_block(app_in, server):
    app = app_in()
    long = "\n".join(f"l{n}" for n in range(25))
    async with app.run_test(size=SIZE) as pilot:
        app.post_message(events.Paste(long))
        await wait_for(lambda: len(chips(app)) == 1)
        await send(pilot, "what failed?")
        parts = server.requests[-1]["messages"][-1]["content"]
        assert parts[1] == {"type": "text", "text": f"pasted text (25 lines)\n```\n{long}\n```"}


async def test_a_paste_with_carriage_returns_counts_its_lines(app_in):
    """Terminals (xterm, tmux) turn a paste's line ends into CR: it is still a long paste."""
    app = app_in()
    async with app.run_test(size=SIZE) as pilot:
        app.post_message(events.Paste("\r".join(f"l{n}" for n in range(25))))
        await wait_for(lambda: chips(app) == ["pasted text (25 lines) · 89 B"])
        assert app.query_one(PromptInput).text == ""
        await pilot.pause()


async def test_pasted_image_path_is_offered_as_an_attachment(app_in, root):
    app = app_in()
    async with app.run_test(size=SIZE):
        app.post_message(events.Paste(f"'{root / 'shot.png'}'"))
        await wait_for(lambda: chips(app) == ["shot.png · 8×6"])
        assert app.query_one(PromptInput).text == ""


async def test_overflow_banner_before_sending_keeps_the_prompt_and_send_anyway_sends(app_in, server):
    app = app_in(context_window=50)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "word " * 100)
        banner = app.query_one(ContextBanner)
        assert banner.visible and app.focused is banner and server.requests == []
        assert app.query_one(PromptInput).text == "word " * 100
        await pilot.press("s")
        await settle(pilot)
        assert server.requests[-1]["messages"][-1]["content"] == "word " * 100
        assert app.query_one(PromptInput).text == "" and not banner.visible


async def test_overflow_after_a_400_then_compact_and_go_on(app_in, server):
    app = app_in(context_window=100_000)
    async with app.run_test(size=SIZE) as pilot:
        for text in ("one", "two"):
            await send(pilot, text)
        server.queue(s.http_error(400, "This model's maximum context length is 100000 tokens.", code="context_length_exceeded"),
                     s.text_reply("They talked about one."), s.text_reply("Fine now."))
        await send(pilot, "three")
        banner = app.query_one(ContextBanner)
        await wait_for(lambda: banner.visible)
        assert "too long for test-model" in str(banner.render()) and "100k" in str(banner.render())
        await pilot.press("c")
        await settle(pilot)
        await wait_for(lambda: app.session.context.compaction == (2, "They talked about one."))
        await settle(pilot)
        last = server.requests[-1]["messages"]
        assert last[0]["content"].endswith("They talked about one.") and last[-1]["content"] == "three"
        assert app.query(".compaction") and users(app) == ["one", "two", "three"]
        await pilot.press("alt+u")
        await pilot.pause()
        assert app.session.context.compaction is None and not app.query(".compaction")


async def test_meter_on_the_status_line(app_in, server):
    app = app_in(context_window=20)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "Hi")
        assert (app.status_context, app.status_context_warning) == ("ctx 18/20", True)


async def test_slash_attach_and_compact(app_in, server):
    """/attach PATH is the @ picker's way in from the prompt; /attach alone opens the picker;
    a refused file keeps the command in the box to fix; /compact runs the compaction key's action."""
    app = app_in()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "/attach notes.txt")
        assert chips(app) == ["notes.txt · 6 B"] and app.query_one(PromptInput).text == ""
        await send(pilot, "/attach .env")
        assert chips(app) == ["notes.txt · 6 B"] and app.query_one(PromptInput).text == "/attach .env"
        app.query_one(PromptInput).clear()
        await send(pilot, "/attach")
        await wait_for(lambda: app.screen.__class__.__name__ == "FilePicker")
        await pilot.press("escape")
        await wait_for(lambda: app.screen.__class__.__name__ != "FilePicker")
        app.query_one(PromptInput).clear()
        await send(pilot, "/compact")
        assert not server.requests  # nothing to compact yet: no request, a notice instead


async def test_attachments_stay_with_their_tab(app_in, server):
    """Files attached in one tab are not sent from another: they wait with their tab's draft,
    and a closed tab's files go with it."""
    server.queue(s.text_reply("Seen."))
    app = app_in()
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "/attach notes.txt")
        assert chips(app) == ["notes.txt · 6 B"]
        await send(pilot, "/tab")
        await wait_for(lambda: len(app.tabs) == 2)
        await pilot.pause()
        assert chips(app) == []
        await send(pilot, "no files here")
        assert "notes.txt" not in json.dumps(server.requests[-1]["messages"])
        await pilot.press("alt+1")
        await wait_for(lambda: app.active_tab is app.tabs[0])
        await pilot.pause()
        assert chips(app) == ["notes.txt · 6 B"]
        await pilot.press("ctrl+w")
        await wait_for(lambda: len(app.tabs) == 1)
        await pilot.pause()
        assert chips(app) == []


async def test_the_servers_window_is_asked_for_after_the_warm_up(app_in, server, monkeypatch):
    """The meter learns the window from /v1/models, but only once the SDK is imported off the
    event loop: making the client before that imported the SDK on the loop while the user typed."""
    from tui import boot

    warmed = []
    monkeypatch.setattr(boot, "warm_up", lambda app, done: warmed.append(done))
    server.models = [{"id": "test-model", "object": "model", "context_length": 5000}]
    app = app_in()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(lambda: app.session is not None and warmed)
        await pilot.pause()
        assert app.clients.current is None and not server.model_requests  # nothing made or asked yet
        warmed[0]()
        await wait_for(lambda: app.session.context.tracker.window("test-model") == 5000)
        assert server.model_requests
