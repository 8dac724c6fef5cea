"""Keeping the garbage collector's full collections short in a long session.

A full collection scans every container object alive. After start-up that is
Textual and the SDK (frozen once, see ``Startup.warmed``); in a long session it
is mostly the log's cached lines: with 200 long replies, one full collection
took 264 ms, and it came in the middle of a Page Down or a streaming reply.

So what the session has built is frozen as it goes:
- after each finished reply, the young generations are collected (about a
  millisecond) and everything left is frozen;
- while the log scrolls, at most every ``SETTLE_EVERY`` seconds, the same: paging
  through a long log fills line caches, and without this a full collection of them
  (about 130 ms with 200 replies) came every few dozen pages;
- every ``FULL_EVERY`` replies, and whenever the log is cleared or replaced,
  everything is unfrozen, collected once and frozen again. Frozen objects are
  still freed when nothing refers to them; only garbage caught in reference
  cycles waits for that full collection, so what can wait is bounded.
"""

from __future__ import annotations

import gc
from time import monotonic

FULL_EVERY = 25
SETTLE_EVERY = 0.5


class MemoryPolicy:
    def __init__(self) -> None:
        self.replies = 0
        self.full_collections = 0
        self.settles = 0
        self._last_settle = 0.0

    def reply_finished(self) -> None:
        self.replies += 1
        if self.replies % FULL_EVERY == 0:
            self.full()
        else:
            self.settle()

    def scrolled(self) -> None:
        now = monotonic()
        if now - self._last_settle >= SETTLE_EVERY:
            self.settle()

    def settle(self) -> None:
        """Collect the young generations (about a millisecond), freeze what is left."""
        gc.collect(1)
        gc.freeze()
        self.settles += 1
        self._last_settle = monotonic()

    def full(self) -> None:
        """Collect everything once (a pause proportional to the session's size), then freeze."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        self.full_collections += 1

    @staticmethod
    def release() -> None:
        """Let all objects be collected again (on exit, or before a full collection)."""
        gc.unfreeze()
