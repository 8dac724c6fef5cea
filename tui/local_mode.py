"""The app's side of the bundled local model: loading it while the user types, and
noticing that it died. The choice and the failure texts live in core/local_choice.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from . import messages as m
from .core.local import LocalError
from .core.local_choice import FALLBACK_HINT, GIVE_UP_HINT, LocalMode, decide, extra_installed, locate_model

if TYPE_CHECKING:
    from .core.settings import Settings

__all__ = ["FALLBACK_HINT", "GIVE_UP_HINT", "LocalActions", "LocalMode", "decide", "extra_installed", "locate_model"]


class LocalActions:
    """Mixed into ChatApp: starting the local server and noticing that it died."""

    @work(exclusive=True, group="local", exit_on_error=False)
    async def _start_local(self) -> None:
        """Load the local model while the user types; a send waits for it."""
        status = self.query_one("StatusLine")
        status.state = "loading local model…"
        try:
            await self.local.server.start()
        except LocalError as exc:
            status.state = "failed"
            if not self.streaming:
                self.query_one("ErrorBanner").show(self.local.start_failure(exc))
            return
        if not self.streaming:
            status.state = "ready"

    async def _local_settings(self) -> Settings | None:
        """Settings pointed at the local server, once it answers (None if it cannot start)."""
        try:
            await self.local.server.start()
        except LocalError as exc:
            self.post_message(m.ReplyFailed(self.local.start_failure(exc)))
            return None
        self.query_one("StatusLine").state = "streaming"
        return self.local.settings_for(self.settings)

    def _check_local_died(self, tries: int = 40) -> None:
        """Name a crash once the dying child is reaped: a core dump can take seconds."""
        banner = self.query_one("ErrorBanner")
        if not self.local or self.streaming or not banner.visible:
            return
        if not self.local.server.alive:
            banner.show(self.local.died_failure())
        elif tries > 1:
            self.set_timer(0.25, lambda: self._check_local_died(tries - 1))
