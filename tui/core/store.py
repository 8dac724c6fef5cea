"""Conversation history in SQLite (stdlib ``sqlite3``, no ORM).

WAL mode and a busy timeout let two instances share one file. A file that is
not a database, or not ours, is never written to: opening it raises
StoreError and the app runs from memory instead. The API key is never stored.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import store_extra
from .conversation import ChatMessage
from .store_schema import MIGRATIONS

SCHEMA_VERSION = len(MIGRATIONS)
OUR_TABLES = {"schema_version", "conversations", "messages"}


class StoreError(Exception):
    """The history file cannot be used; the message names the file and the problem."""


@dataclass
class ConversationInfo:
    id: int
    title: str
    created: float
    updated: float
    model: str
    host: str
    count: int
    system_prompt: str = ""
    settings: dict[str, Any] | None = None


@dataclass
class SearchHit:
    conversation_id: int
    title: str
    snippet: str
    message_id: int


def title_from(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:80]
    return "(untitled)"


class Store:
    """History database. ``Store(None)`` keeps everything in memory."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        if path is None:
            self.db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        else:
            self.db = self._open_file(Path(path))
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA foreign_keys = ON")
        self._migrate()

    # -- opening ----------------------------------------------------------
    @staticmethod
    def _open_file(path: Path) -> sqlite3.Connection:
        if path.exists():
            _check_existing(path)
        else:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{path}: cannot create its folder ({exc.strerror})") from None
        try:
            db = sqlite3.connect(path, timeout=5.0, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA busy_timeout = 5000")
            db.execute("PRAGMA journal_mode = WAL")
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open the history database ({exc})") from None
        return db

    def _migrate(self) -> None:
        with self.transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.execute("SELECT version FROM schema_version").fetchone()
            version = row[0] if row else 0
            if version > SCHEMA_VERSION:
                raise StoreError(f"{self.path}: written by a newer tui-chat (schema v{version}); upgrade tui-chat")
            for script in MIGRATIONS[version:]:
                for statement in _statements(script):
                    db.execute(statement)
            if row is None:
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
            else:
                db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"{self.path}: the history database is busy or read-only ({exc})") from None
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    # -- writing -----------------------------------------------------------
    def create_conversation(self, *, model: str, host: str, system_prompt: str = "", settings: dict | None = None, title: str = "") -> int:
        now = time.time()
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO conversations (title, created, updated, model, host, system_prompt, settings) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (title, now, now, model, host, system_prompt, json.dumps(settings or {})),
            )
        return _rowid(cur)

    def add_message(self, conversation_id: int, message: ChatMessage) -> int:
        with self.transaction() as db:
            return _insert_message(db, conversation_id, message)

    def import_conversation(self, info: dict[str, Any], messages: list[ChatMessage]) -> int:
        """Create a conversation with all its messages in one transaction."""
        now = time.time()
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO conversations (title, created, updated, model, host, system_prompt, settings) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (info.get("title", ""), info.get("created", now), now, info.get("model", ""), info.get("host", ""),
                 info.get("system_prompt", ""), json.dumps(info.get("settings", {}))),
            )
            conversation_id = _rowid(cur)
            for message in messages:
                _insert_message(db, conversation_id, message)
        return conversation_id

    def update_message(self, message_id: int, message: ChatMessage) -> None:
        now = time.time()
        with self.transaction() as db:
            db.execute(
                """UPDATE messages SET role = ?, content = ?, reasoning = ?, tool_calls = ?, tool_call_id = ?, status = ?,
                   finish_reason = ?, usage = ?, model = ?, updated = ? WHERE id = ?""",
                (*_columns(message), now, message_id),
            )

    def delete_message(self, message_id: int) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM messages WHERE id = ?", (message_id,))

    def rename(self, conversation_id: int, title: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE conversations SET title = ? WHERE id = ?", (title.strip() or "(untitled)", conversation_id))

    def delete(self, conversation_id: int) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    def set_model(self, conversation_id: int, model: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE conversations SET model = ? WHERE id = ?", (model, conversation_id))

    def set_chat_settings(self, conversation_id: int, *, system_prompt: str, settings: dict[str, Any]) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE conversations SET system_prompt = ?, settings = ? WHERE id = ?",
                (system_prompt, json.dumps(settings), conversation_id),
            )

    # -- versions: a tail of the conversation swapped for another ------------
    def archive_tail(self, conversation_id: int, position: int) -> int:
        """Move the messages from ``position`` on into a new version; returns its id."""
        with self.transaction() as db:
            return _archive(db, conversation_id, position)

    def swap_version(self, conversation_id: int, position: int, version_id: int, *, front: bool = False) -> None:
        """Archive the current tail from ``position`` and put the version's messages in its place.
        The archived tail goes last in the version order (or first, with ``front``), so
        taking the first version each time cycles forwards and taking the last cycles back."""
        with self.transaction() as db:
            row = db.execute("SELECT messages FROM versions WHERE id = ? AND conversation_id = ?", (version_id, conversation_id)).fetchone()
            if row is None:
                raise StoreError(f"no version {version_id}")
            archived = _archive(db, conversation_id, position)
            if front:
                db.execute(
                    "UPDATE versions SET created = (SELECT MIN(created) - 1 FROM versions WHERE conversation_id = ? AND position = ?) WHERE id = ?",
                    (conversation_id, position, archived),
                )
            db.execute("DELETE FROM versions WHERE id = ?", (version_id,))
            for data in json.loads(row["messages"]):
                _insert_message(db, conversation_id, store_extra.message_from_dict(db, data))

    def versions(self, conversation_id: int, position: int) -> list[int]:
        """Ids of the stored versions that start at ``position``, oldest first."""
        rows = self.db.execute(
            "SELECT id FROM versions WHERE conversation_id = ? AND position = ? ORDER BY created, id", (conversation_id, position)
        ).fetchall()
        return [row["id"] for row in rows]

    # -- reading -----------------------------------------------------------
    def conversations(self, limit: int = 500) -> list[ConversationInfo]:
        rows = self.db.execute(
            """SELECT c.*, (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.status != 'queued') AS count
               FROM conversations c ORDER BY c.updated DESC, c.id DESC LIMIT ?""",
            (limit,),
        ).fetchall()
        return [_info(row) for row in rows]

    def conversation(self, conversation_id: int) -> ConversationInfo | None:
        row = self.db.execute(
            """SELECT c.*, (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.status != 'queued') AS count
               FROM conversations c WHERE c.id = ?""",
            (conversation_id,),
        ).fetchone()
        return _info(row) if row else None

    def latest(self) -> ConversationInfo | None:
        found = self.conversations(limit=1)
        return found[0] if found else None

    def messages(self, conversation_id: int) -> list[tuple[int, ChatMessage]]:
        rows = self.db.execute(
            "SELECT * FROM messages WHERE conversation_id = ? AND status != 'queued' ORDER BY position", (conversation_id,)
        ).fetchall()
        return [(row["id"], _message(row, self.db)) for row in rows]

    def search(self, query: str, limit: int = 100) -> list[SearchHit]:
        terms = " ".join('"' + word.replace('"', '""') + '"' for word in query.split())
        if not terms:
            return []
        rows = self.db.execute(
            """SELECT m.conversation_id, c.title, m.id,
                      snippet(messages_fts, 0, '\x02', '\x03', '…', 12) AS snippet
               FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
               JOIN conversations c ON c.id = m.conversation_id
               WHERE messages_fts MATCH ? ORDER BY rank LIMIT ?""",
            (terms, limit),
        ).fetchall()
        hits = [SearchHit(r["conversation_id"], r["title"], r["snippet"], r["id"]) for r in rows]
        seen = {hit.message_id for hit in hits}
        for r in store_extra.name_hits(self.db, query, limit):
            if r["id"] not in seen and len(hits) < limit:
                names = ", ".join(meta["name"] for meta in json.loads(r["attachments"]))
                hits.append(SearchHit(r["conversation_id"], r["title"], f"attached: {names}", r["id"]))
        return hits


def _insert_message(db: sqlite3.Connection, conversation_id: int, message: ChatMessage) -> int:
    now = time.time()
    position = db.execute(
        "SELECT COALESCE(MAX(position), -1) + 1 FROM messages WHERE conversation_id = ?", (conversation_id,)
    ).fetchone()[0]
    cur = db.execute(
        """INSERT INTO messages (conversation_id, position, role, content, reasoning, tool_calls, tool_call_id,
           status, finish_reason, usage, model, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)""",
        (conversation_id, position, *_columns(message), now, now),
    )
    if message.attachments:
        store_extra.save_attachments(db, _rowid(cur), message.attachments)
    if message.role == "user":
        db.execute("UPDATE conversations SET title = ? WHERE id = ? AND title = ''", (title_from(message.content), conversation_id))
    db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id))
    return _rowid(cur)


def _archive(db: sqlite3.Connection, conversation_id: int, position: int) -> int:
    rows = db.execute(
        "SELECT * FROM messages WHERE conversation_id = ? AND position >= ? ORDER BY position", (conversation_id, position)
    ).fetchall()
    cur = db.execute(
        "INSERT INTO versions (conversation_id, position, messages, created) VALUES (?, ?, ?, ?)",
        (conversation_id, position, json.dumps([store_extra.message_dict(_message(row, db)) for row in rows]), time.time()),
    )
    db.execute("DELETE FROM messages WHERE conversation_id = ? AND position >= ?", (conversation_id, position))
    return _rowid(cur)


def _statements(script: str) -> list[str]:
    """Split a migration into statements (triggers contain ';' inside BEGIN … END)."""
    statements, buffer = [], ""
    for part in script.split(";"):
        buffer += part + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \n;"):
                statements.append(buffer.strip())
            buffer = ""
    return statements


def _check_existing(path: Path) -> None:
    """Refuse, without writing anything, a file that is not our database."""
    try:
        with path.open("rb") as handle:
            header = handle.read(16)
    except PermissionError:
        raise StoreError(f"{path}: permission denied") from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot read it ({exc.strerror})") from None
    if header and header != b"SQLite format 3\x00":
        raise StoreError(f"{path}: not an SQLite database (left untouched)")
    if not header:
        return
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: unreadable database ({exc}) (left untouched)") from None
    if tables and not OUR_TABLES & tables:
        raise StoreError(f"{path}: a database of another program (tables: {', '.join(sorted(tables)[:5])}); left untouched")


def _columns(message: ChatMessage) -> tuple:
    return (
        message.role, message.content, message.reasoning, json.dumps(message.tool_calls), message.tool_call_id,
        message.status, message.finish_reason, json.dumps(message.usage), message.model,
    )


def _message(row: sqlite3.Row, db: sqlite3.Connection) -> ChatMessage:
    return ChatMessage(
        role=row["role"], content=row["content"], reasoning=row["reasoning"], tool_calls=json.loads(row["tool_calls"]),
        tool_call_id=row["tool_call_id"], status=row["status"], finish_reason=row["finish_reason"],
        usage=json.loads(row["usage"]), model=row["model"], attachments=store_extra.attachments_of(db, row),
    )


def _info(row: sqlite3.Row) -> ConversationInfo:
    return ConversationInfo(
        id=row["id"], title=row["title"] or "(untitled)", created=row["created"], updated=row["updated"],
        model=row["model"], host=row["host"], count=row["count"], system_prompt=row["system_prompt"],
        settings=json.loads(row["settings"] or "{}"),
    )


def _rowid(cursor: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just made (never None after one)."""
    assert cursor.lastrowid is not None
    return cursor.lastrowid
