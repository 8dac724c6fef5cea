"""The app's side of the bundled local model: loading it while the user types, and
noticing that it died. The choice and the failure texts live in core/local_choice.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import messages as m
from .core.local import LocalError
from .core.local_choice import FALLBACK_HINT, GIVE_UP_HINT, LocalMode, decide, extra_installed, locate_model

if TYPE_CHECKING:
    from .core.settings import Settings

__all__ = ["FALLBACK_HINT", "GIVE_UP_HINT", "LocalRun", "LocalMode", "decide", "extra_installed", "locate_model"]


class LocalRun:
    """The app's side of a LocalMode (``app.local``): start its server while the user
    types, point a request at it, and name a crash once the dying child is reaped."""

    def __init__(self, app) -> None:
        self.app = app

    def start(self) -> None:
        self.app.run_worker(self._start(), name="_start_local", group="local", exclusive=True, exit_on_error=False)

    async def _start(self) -> None:
        """Load the local model while the user types; a send waits for it."""
        app = self.app
        app.status_state = "loading local model…"
        try:
            await app.local.server.start()
        except LocalError as exc:
            app.status_state = "failed"
            if not app.streaming:
                app.query_one("ErrorBanner").show(app.local.start_failure(exc))
            return
        if not app.streaming:
            app.status_state = "ready"

    async def settings(self) -> Settings | None:
        """Settings pointed at the local server, once it answers (None if it cannot start)."""
        app = self.app
        unseen = app.local.died_unseen()
        try:
            await app.local.server.start()
        except LocalError as exc:
            app.post_message(m.ReplyFailed(app.local.start_failure(exc)))
            return None
        if unseen:
            app.notify(f"The local model server {unseen} while idle; it was restarted.", severity="warning", timeout=6, markup=False)
        app.status_state = "streaming"
        return app.local.settings_for(app.settings)

    def failure(self, failure):
        """A reply's failure, named as the local server's death when that is what it was."""
        local = self.app.local
        if local and not failure.kind.startswith("local"):
            if not local.server.alive:
                return local.died_failure()
            self.app.set_timer(0.25, self._check_died)  # the socket can close a moment before the dead child is reaped
        return failure

    def _check_died(self, tries: int = 40) -> None:
        """Name a crash once the dying child is reaped: a core dump can take seconds."""
        app = self.app
        banner = app.query_one("ErrorBanner")
        if not app.local or app.streaming or not banner.visible:
            return
        if not app.local.server.alive:
            banner.show(app.local.died_failure())
        elif tries > 1:
            app.set_timer(0.25, lambda: self._check_died(tries - 1))
