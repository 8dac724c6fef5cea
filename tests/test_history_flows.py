"""History in the app: persistence across runs, browse, search, rename, delete, export."""

from pathlib import Path

from textual.widgets import OptionList

from tests import sse_server as s
from tests.helpers import replies, screen_text, send, settle, users, wait_for
from tui.app import make_app as real_make_app
from tui.core.settings import ToolsSettings
from tui.screens.history import HistoryScreen, TextPrompt, YesNo

SIZE = (120, 40)




async def test_conversation_persists_across_two_runs(settings, server):
    server.queue(s.text_reply("First answer."), s.tool_calls_reply([("c1", "calculator", '{"expression": "6*7"}')]), s.text_reply("It is 42."), s.text_reply("Continued."))
    app = real_make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "Hello history")
        await send(pilot, "Six times seven?")
        await wait_for(lambda: len(server.requests) == 3 and not app.streaming and not app.tools_running)
        await settle(pilot)
    app = real_make_app(settings, open_conversation="latest")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert users(app) == ["Hello history", "Six times seven?"]
        assert [r.text for r in replies(app)] == ["First answer.", "", "It is 42."]
        text = screen_text(app)
        assert "calculator" in text and "→ 42" in text
        await send(pilot, "Go on")
    roles = [m["role"] for m in server.requests[-1]["messages"]]
    assert roles == ["user", "assistant", "user", "assistant", "tool", "assistant", "user"]


async def test_history_screen_search_open_rename_delete(settings, server):
    server.queue(s.text_reply("Whales are mammals."), s.text_reply("Sorting is stable."))
    app = real_make_app(settings.model_copy(update={"tools": ToolsSettings(enabled=False)}))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "Tell me about whales")
        await pilot.press("ctrl+n")
        await send(pilot, "Tell me about sorting")
        await pilot.press("ctrl+o")
        await wait_for(lambda: isinstance(app.screen, HistoryScreen))
        text = screen_text(app)
        assert text.index("Tell me about sorting") < text.index("Tell me about whales")
        await pilot.press(*"mammals")
        # The search box itself shows "mammals": check the list, not the screen.
        (whales,) = [c.id for c in app.session.history.store.conversations() if "whales" in c.title]
        options = app.screen.query_one("#list", OptionList)
        await wait_for(lambda: [options.get_option_at_index(i).id.split(":")[0] for i in range(options.option_count)]
                       == [str(whales)])
        await pilot.pause()
        assert "Tell me about sorting" not in screen_text(app)
        await pilot.press("enter")
        await wait_for(lambda: not isinstance(app.screen, HistoryScreen))
        assert users(app) == ["Tell me about whales"]
        await pilot.press("ctrl+o")
        await wait_for(lambda: isinstance(app.screen, HistoryScreen))
        await pilot.press("f2")
        await wait_for(lambda: isinstance(app.screen, TextPrompt))
        await pilot.press("ctrl+u", *"Whale facts", "enter")
        await wait_for(lambda: isinstance(app.screen, HistoryScreen))
        await pilot.pause()
        assert "Whale facts" in screen_text(app)
        await pilot.press("ctrl+d")
        await wait_for(lambda: isinstance(app.screen, YesNo))
        await pilot.press("y")
        await wait_for(lambda: isinstance(app.screen, HistoryScreen))
        await pilot.pause()
        titles = [c.title for c in app.session.history.store.conversations()]
        assert len(titles) == 1


async def test_corrupt_database_runs_in_memory_with_a_banner(settings, server, tmp_path):
    path = tmp_path / "broken.db"
    path.write_bytes(b"definitely not sqlite " * 50)
    before = path.read_bytes()
    server.queue(s.text_reply("Still works."))
    app = real_make_app(settings, db=str(path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "History is off for this session" in text and "broken.db" in text
        await pilot.press("x")
        await send(pilot, "hello")
        assert replies(app)[-1].text == "Still works."
        assert not app.session.history.persistent
    assert path.read_bytes() == before


async def test_history_disabled_keeps_nothing_on_disk(settings, server, tmp_path):
    from tui.core.settings import HistorySettings

    app = real_make_app(settings.model_copy(update={"history": HistorySettings(enabled=False)}))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "hello")
    assert not Path(settings.history.path).exists()


async def test_retry_replaces_the_stored_failed_reply(settings, server):
    server.queue(s.error_midstream("Half"), s.text_reply("Whole answer."))
    app = real_make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "question")
        await pilot.press("r")
        await settle(pilot)
        cid = app.session.history.conversation_id
        stored = [(m.role, m.content, m.status) for _, m in app.session.history.store.messages(cid)]
    assert stored == [("user", "question", "complete"), ("assistant", "Whole answer.", "complete")]


async def test_export_from_the_palette_action(settings, server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = real_make_app(settings)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "export me")
        app.action_export("md")
        app.action_export("json")
        cid = app.session.history.conversation_id
    assert "## User\n\nexport me" in (tmp_path / f"tui-chat-{cid}.md").read_text()
    assert '"format": "tui-chat/1"' in (tmp_path / f"tui-chat-{cid}.json").read_text()


def test_cli_export_and_import(settings, server, tmp_path):
    import asyncio as aio
    import subprocess
    import sys

    async def make():
        app = real_make_app(settings)
        async with app.run_test(size=SIZE) as pilot:
            await send(pilot, "cli round trip")

    aio.run(make())
    db = settings.history.path
    out = tmp_path / "c.json"
    run = lambda *a: subprocess.run([sys.executable, "-m", "tui", *a], capture_output=True, text=True)  # noqa: E731
    result = run("export", "1", "--format", "json", "-o", str(out), "--db", db)
    assert result.returncode == 0, result.stderr
    result = run("--db", db, "import", str(out))
    assert result.returncode == 0 and "imported as conversation 2" in result.stdout
    bad = tmp_path / "bad.json"
    bad.write_text('{"messages": [{"role": "wizard"}]}')
    result = run("import", str(bad), "--db", db)
    assert result.returncode == 1 and "messages[0].role" in result.stderr and "Nothing was imported" in result.stderr
    result = run("export", "99", "--db", db)
    assert result.returncode == 1 and "no conversation with id 99" in result.stderr


async def test_long_conversation_shows_the_tail_first_and_loads_older_on_scroll(settings):
    from tui.core.conversation import ChatMessage
    from tui.widgets.message_log import MessageLog, UserMessage

    app = real_make_app(settings)
    store = app.session.history.store
    cid = store.create_conversation(model="m", host="h")
    for i in range(100):
        store.add_message(cid, ChatMessage("user", f"question {i}"))
        store.add_message(cid, ChatMessage("assistant", f"answer {i}"))
    async with app.run_test(size=SIZE) as pilot:
        app.open_conversation(cid)
        await pilot.pause()
        await pilot.pause()
        log = app.query_one(MessageLog)
        shown = [w.text for w in log.query(UserMessage)]
        assert len(shown) == MessageLog.PAGE // 2 and shown[-1] == "question 99"
        assert "question 99" in screen_text(app) and "160 earlier messages" in "".join(str(w.content) for w in log.query(".more-hint"))
        log.scroll_home(animate=False)
        await pilot.pause()
        await pilot.pause()
        assert len(log.query(UserMessage)) == MessageLog.PAGE
        assert [w.text for w in log.query(UserMessage)][0] == "question 60"


def _stored_conversation(settings, *replies_) -> None:
    from tui.core.conversation import ChatMessage
    from tui.core.store import Store

    store = Store(settings.history.resolved_path())
    cid = store.create_conversation(model="test-model", host=settings.host)
    store.add_message(cid, ChatMessage("user", "Question"))
    for reply in replies_:
        store.add_message(cid, reply)
    store.close()


async def test_retry_after_resume_of_an_interrupted_reply_replaces_it(settings, server):
    """Defect #2: the interrupted 'Half' stayed on screen and in the database."""
    from tui.core.conversation import ChatMessage

    _stored_conversation(settings, ChatMessage("assistant", "Half", status="interrupted", model="test-model"))
    server.queue(s.text_reply("Whole."))
    app = real_make_app(settings, open_conversation="latest")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert [r.text for r in replies(app)] == ["Half"]
        await pilot.press("ctrl+r")
        await wait_for(lambda: len(server.requests) == 1 and not app.streaming)
        await settle(pilot)
        assert [r.text for r in replies(app)] == ["Whole."]
        stored = [(m.role, m.content, m.status) for _, m in app.session.history.store.messages(app.session.history.conversation_id)]
    assert stored == [("user", "Question", "complete"), ("assistant", "Whole.", "complete")]
    assert server.requests[-1]["messages"] == [{"role": "user", "content": "Question"}]


async def test_reply_notes_survive_a_reopen(settings, server):
    """Defect #5: the token-limit and content-filter notes vanished on reopen."""
    from tui.core.conversation import ChatMessage

    _stored_conversation(
        settings,
        ChatMessage("assistant", "Cut", finish_reason="length", model="test-model"),
        ChatMessage("user", "Again"),
        ChatMessage("assistant", "Changed", finish_reason="content_filter", model="test-model"),
    )
    app = real_make_app(settings, open_conversation="latest")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        notes = [(r.note_text, r.note.has_class("-warning")) for r in replies(app)]
    assert notes == [
        ("⚠ cut off at the token limit", True),
        ("⚠ blocked or changed by a content filter / guard rule", True),
    ]
