"""The tabs open at quit: their conversation ids, in a small file next to the history
database, so that ``--resume`` brings them all back. No file without a database."""

from __future__ import annotations

import json
import os
from pathlib import Path

NAME = "open-tabs.json"


def tabs_file(db_path: Path | None) -> Path | None:
    return None if db_path is None else Path(db_path).with_name(NAME)


def save(db_path: Path | None, ids: list[int], active: int) -> None:
    """Written whole and renamed into place: a crash leaves the old list, never half a list."""
    path = tabs_file(db_path)
    if path is None:
        return
    try:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"ids": ids, "active": active}), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # the tabs are a comfort: the conversations themselves are in the database


def load(db_path: Path | None) -> tuple[list[int], int]:
    """The saved ids and the active index; nothing when there is no usable file."""
    path = tabs_file(db_path)
    if path is None or not path.exists():
        return [], 0
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        ids = [int(i) for i in data.get("ids", []) if isinstance(i, int)]
        active = int(data.get("active", 0))
    except (OSError, ValueError, TypeError, AttributeError):
        return [], 0
    return ids, min(max(active, 0), max(len(ids) - 1, 0))


def resume(db_path: Path | None, latest: tuple[int, float] | None, limit: int) -> tuple[list[int], int]:
    """What ``--resume`` opens: the tabs open at the last quit, and, shown, the most recent
    conversation (``latest`` = its id and update time) when it changed after that quit and
    is not among them: ``tui-chat ask`` or the browser saved a turn since. A tab the user
    closed before quitting stays closed. At most ``limit`` tabs: the oldest give way."""
    ids, active = load(db_path)
    path = tabs_file(db_path)
    if not ids or latest is None or latest[0] in ids or path is None:
        return ids, active
    try:
        saved = path.stat().st_mtime
    except OSError:
        return ids, active
    if latest[1] <= saved:
        return ids, active
    limit = max(limit, 1)
    return (ids + [latest[0]])[-limit:], min(len(ids), limit - 1)
