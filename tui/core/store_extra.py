"""What the history database keeps for issue 16: attachments (content-addressed, so a
file attached twice is stored once) and compactions (a summary that stands for the
earlier messages in requests, while the messages themselves stay)."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from .attachments import Attachment

if TYPE_CHECKING:
    from .conversation import ChatMessage
    from .store import Store

MIGRATION = """
    ALTER TABLE messages ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';
    CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, data BLOB NOT NULL);
    CREATE TABLE compactions (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        skip INTEGER NOT NULL,
        summary TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        created REAL NOT NULL
    );
"""
"""v4: attachments and compactions."""


def save_attachments(db: sqlite3.Connection, message_id: int, attachments: list[Attachment]) -> None:
    for attachment in attachments:
        db.execute("INSERT OR IGNORE INTO blobs (sha256, data) VALUES (?, ?)", (attachment.sha256, attachment.data))
    db.execute("UPDATE messages SET attachments = ? WHERE id = ?",
               (json.dumps([a.meta() for a in attachments]), message_id))


def load_attachments(db: sqlite3.Connection, metas: list[dict[str, Any]]) -> list[Attachment]:
    out = []
    for meta in metas:
        row = db.execute("SELECT data FROM blobs WHERE sha256 = ?", (meta.get("sha256", ""),)).fetchone()
        if row is not None:
            out.append(Attachment.from_meta(meta, bytes(row[0])))
    return out


def attachments_of(db: sqlite3.Connection, row: sqlite3.Row) -> list[Attachment]:
    raw = row["attachments"] if "attachments" in row.keys() else "[]"
    metas = json.loads(raw or "[]")
    return load_attachments(db, metas) if metas else []


def message_dict(message: ChatMessage) -> dict[str, Any]:
    """A message as JSON for a stored version: attachments by reference (their bytes stay in blobs)."""
    data = asdict(message)
    data["attachments"] = [a.meta() for a in message.attachments]
    return data


def message_from_dict(db: sqlite3.Connection, data: dict[str, Any]) -> ChatMessage:
    from .conversation import ChatMessage

    data = dict(data)
    metas = data.pop("attachments", []) or []
    return ChatMessage(**data, attachments=load_attachments(db, metas))


def name_hits(db: sqlite3.Connection, query: str, limit: int) -> list[sqlite3.Row]:
    """Messages whose attachments' names contain every word of ``query``."""
    words = query.split()
    if not words:
        return []
    where = " AND ".join("m.attachments LIKE ? ESCAPE '\\'" for _ in words)
    pattern = [f'%"name": "%{_escape(word)}%' for word in words]
    return db.execute(
        f"""SELECT m.conversation_id, c.title, m.id, m.attachments FROM messages m
            JOIN conversations c ON c.id = m.conversation_id
            WHERE m.attachments != '[]' AND {where} ORDER BY m.id DESC LIMIT ?""",
        (*pattern, limit),
    ).fetchall()


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace('"', "")


# -- compactions ---------------------------------------------------------------------
def add_compaction(store: Store, conversation_id: int, skip: int, summary: str) -> None:
    with store.transaction() as db:
        db.execute("INSERT INTO compactions (conversation_id, skip, summary, active, created) VALUES (?, ?, ?, 1, ?)",
                   (conversation_id, skip, summary, time.time()))


def active_compaction(store: Store, conversation_id: int) -> tuple[int, str] | None:
    row = store.db.execute(
        "SELECT skip, summary FROM compactions WHERE conversation_id = ? AND active = 1 ORDER BY id DESC LIMIT 1",
        (conversation_id,),
    ).fetchone()
    return (row["skip"], row["summary"]) if row else None


def undo_compaction(store: Store, conversation_id: int) -> bool:
    """The latest compaction stops applying; it stays stored, as a version (redo brings it back)."""
    with store.transaction() as db:
        row = db.execute("SELECT id FROM compactions WHERE conversation_id = ? AND active = 1 ORDER BY id DESC LIMIT 1",
                         (conversation_id,)).fetchone()
        if row is None:
            return False
        db.execute("UPDATE compactions SET active = 0 WHERE id = ?", (row["id"],))
    return True


def redo_compaction(store: Store, conversation_id: int) -> bool:
    """The compaction undone last applies again."""
    with store.transaction() as db:
        row = db.execute(
            """SELECT id FROM compactions WHERE conversation_id = ? AND active = 0
               AND id > COALESCE((SELECT MAX(id) FROM compactions WHERE conversation_id = ? AND active = 1), 0)
               ORDER BY id LIMIT 1""",
            (conversation_id, conversation_id),
        ).fetchone()
        if row is None:
            return False
        db.execute("UPDATE compactions SET active = 1 WHERE id = ?", (row["id"],))
    return True
