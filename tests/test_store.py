"""The history store: migrations, search, rename/delete, bad files, locking, export/import."""

import os
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import TEST_KEY
from tui.core.conversation import ChatMessage
from tui.core.export import ImportError_, parse_import, to_json, to_markdown
from tui.core.store import MIGRATIONS, SCHEMA_VERSION, Store, StoreError

GOLDEN = Path(__file__).parent / "golden"


def sample(store: Store) -> int:
    cid = store.create_conversation(model="openai/gpt-5-mini", host="api.opper.ai", system_prompt="Be brief.")
    store.add_message(cid, ChatMessage("user", "What time is it?\nIn Stockholm."))
    store.add_message(cid, ChatMessage("assistant", "", tool_calls=[{"id": "call_a", "type": "function", "function": {"name": "get_time", "arguments": '{"timezone": "Europe/Stockholm"}'}}], finish_reason="tool_calls", model="openai/gpt-5-mini"))
    store.add_message(cid, ChatMessage("tool", "2026-11-24 12:00:00 CET", tool_call_id="call_a"))
    store.add_message(cid, ChatMessage("assistant", "It is **noon** in Stockholm.", finish_reason="stop", model="openai/gpt-5-mini", usage={"prompt_tokens": 20, "completion_tokens": 8}))
    store.add_message(cid, ChatMessage("user", "And tomorrow?"))
    store.add_message(cid, ChatMessage("assistant", "Tomorrow it will", status="interrupted", model="openai/gpt-5-mini"))
    with store.transaction() as db:  # fixed times for the golden files
        db.execute("UPDATE conversations SET created = 1795000000, updated = 1795000100")
    return cid


def test_title_is_first_line_and_rename(tmp_path):
    store = Store(tmp_path / "h.db")
    cid = sample(store)
    assert store.conversation(cid).title == "What time is it?"
    store.rename(cid, "  Time in Stockholm  ")
    assert store.conversation(cid).title == "Time in Stockholm"
    assert store.conversation(cid).count == 6


def test_list_newest_first_and_delete_cascades(tmp_path):
    store = Store(tmp_path / "h.db")
    a = sample(store)
    b = store.create_conversation(model="m", host="h")
    store.add_message(b, ChatMessage("user", "newer"))
    assert [c.id for c in store.conversations()] == [b, a]
    store.delete(a)
    assert store.conversation(a) is None
    assert store.db.execute("SELECT COUNT(*) FROM messages WHERE conversation_id = ?", (a,)).fetchone()[0] == 0
    assert store.search("noon") == []


def test_fts_search_with_snippets(tmp_path):
    store = Store(tmp_path / "h.db")
    cid = sample(store)
    hits = store.search("noon stockholm")
    assert [h.conversation_id for h in hits] == [cid]
    assert "\x02noon\x03" in hits[0].snippet
    assert store.search('"; DROP TABLE messages; --') == []
    mid = store.messages(cid)[-1][0]
    store.update_message(mid, ChatMessage("assistant", "Tomorrow it will rain", status="complete"))
    assert store.search("rain")[0].message_id == mid


def test_wal_foreign_keys_and_schema_version(tmp_path):
    store = Store(tmp_path / "h.db")
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.db.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION


def test_migrates_a_v1_database(tmp_path):
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    db.execute("INSERT INTO schema_version VALUES (1)")
    db.execute("INSERT INTO conversations (id, title, created, updated) VALUES (1, 'old', 1, 1)")
    db.execute("INSERT INTO messages (conversation_id, position, role, content, created, updated) VALUES (1, 0, 'user', 'ancient penguins', 1, 1)")
    db.commit()
    db.close()
    store = Store(path)
    assert store.db.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION
    assert store.search("penguins")[0].conversation_id == 1


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda p: p.write_bytes(b"this is not a database at all, just text" * 10), "not an SQLite database"),
        (lambda p: _other_db(p), "another program"),
    ],
)
def test_bad_files_are_refused_and_left_untouched(tmp_path, make, words):
    path = tmp_path / "h.db"
    make(path)
    before = path.read_bytes()
    with pytest.raises(StoreError, match=words):
        Store(path)
    assert path.read_bytes() == before
    assert not (tmp_path / "h.db-wal").exists()


def _other_db(path):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE invoices (id INTEGER)")
    db.commit()
    db.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read anything")
def test_permission_denied(tmp_path):
    path = tmp_path / "h.db"
    Store(path).close()
    path.chmod(0)
    with pytest.raises(StoreError, match="permission denied"):
        Store(path)


def test_unreadable_file_as_root_or_not(tmp_path):
    """A directory where the file should be is refused with a clear message."""
    path = tmp_path / "h.db"
    path.mkdir()
    with pytest.raises(StoreError):
        Store(path)


def test_two_instances_write_the_same_file(tmp_path):
    path = tmp_path / "h.db"
    one, two = Store(path), Store(path)
    a = one.create_conversation(model="m", host="h")
    b = two.create_conversation(model="m", host="h")
    for i in range(20):
        one.add_message(a, ChatMessage("user", f"one {i}"))
        two.add_message(b, ChatMessage("user", f"two {i}"))
    assert one.conversation(b).count == 20 and two.conversation(a).count == 20


def test_locked_database_waits_instead_of_failing(tmp_path):
    import threading
    import time

    path = tmp_path / "h.db"
    store = Store(path)
    cid = store.create_conversation(model="m", host="h")
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    threading.Timer(0.5, lambda: other.execute("COMMIT")).start()
    start = time.monotonic()
    store.add_message(cid, ChatMessage("user", "after the lock"))
    assert time.monotonic() - start >= 0.4
    assert store.conversation(cid).count == 1


def test_export_golden_files(tmp_path):
    store = Store(tmp_path / "h.db")
    cid = sample(store)
    info, messages = store.conversation(cid), [m for _, m in store.messages(cid)]
    assert to_markdown(info, messages) == (GOLDEN / "conversation.md").read_text()
    assert to_json(info, messages) == (GOLDEN / "conversation.json").read_text()


def test_import_round_trip(tmp_path):
    store = Store(tmp_path / "h.db")
    cid = sample(store)
    info, messages = store.conversation(cid), [m for _, m in store.messages(cid)]
    exported = to_json(info, messages)
    new_info, new_messages = parse_import(exported)
    new_id = store.import_conversation(new_info, new_messages)
    again = [m for _, m in store.messages(new_id)]
    assert again == messages
    assert store.conversation(new_id).system_prompt == "Be brief."


@pytest.mark.parametrize(
    "payload, words",
    [
        ("{not json", "not JSON"),
        ("[]", "expected an object with a 'messages' array"),
        ('{"messages": [{"role": "wizard", "content": "x"}]}', "messages[0].role"),
        ('{"messages": [{"role": "user", "content": 5}]}', "messages[0].content"),
        ('{"messages": [{"role": "tool", "content": "x"}]}', "messages[0].tool_call_id"),
        ('{"messages": [{"role": "user", "content": "ok"}, {"role": "assistant", "tool_calls": "nope"}]}', "messages[1].tool_calls"),
    ],
)
def test_malformed_imports_name_the_problem_and_write_nothing(tmp_path, payload, words):
    store = Store(tmp_path / "h.db")
    with pytest.raises(ImportError_, match=words.replace("[", r"\[").replace("]", r"\]")):
        parse_import(payload)
    assert store.conversations() == []


def test_import_is_one_transaction(tmp_path):
    store = Store(tmp_path / "h.db")
    bad = [ChatMessage("user", "fine"), ChatMessage("user", None)]  # None content breaks the insert
    with pytest.raises(sqlite3.IntegrityError):
        store.import_conversation({"title": "half"}, bad)
    assert store.conversations() == []


async def test_the_api_key_is_never_stored(settings, server):
    from tests import sse_server as s
    from tests.helpers import send
    from tui.app import make_app

    server.queue(s.text_reply("stored reply"), s.http_error(401, message=f"bad key {TEST_KEY}"))
    app = make_app(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "hello")
        await send(pilot, "again")
    db_path = Path(settings.history.path)
    blob = b"".join(p.read_bytes() for p in db_path.parent.glob("history.db*"))
    assert b"stored reply" in blob or Store(db_path).search("stored")
    assert TEST_KEY.encode() not in blob
