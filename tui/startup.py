"""Start-up: the first frame from a preview, then the validated settings, then the session.

On a terminal the app is built with ``load`` and a ``Preview`` (see core/preview.py):
the first frame shows the preview, the settings are validated on the event loop right
after it, and what the user types meanwhile is held and replayed. Built with
``settings``, the app configures itself at once. Either way, imports that the first
frame does not need (the SDK, the Markdown stack) follow in a thread (boot.py).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual import events

from . import messages as m

if TYPE_CHECKING:
    from .core.settings import Settings

HELD = (events.Key, events.Paste, events.MouseDown, events.MouseUp, events.Click)
"""What the user does before the settings are valid: held, then replayed in order."""


class Startup:
    """Brings the app from its first frame to a running session. The one writer of the
    app's ``settings``, ``mcp``, ``registry``, ``startup_error`` and the first tab's
    session, and the owner of what the user does before they exist (``held``)."""

    def __init__(self, app, settings: Settings | None, *, load, db: str | None, open_conversation: int | str | None) -> None:
        self.app = app
        self._load = load
        self._db = db
        self._open_on_start = open_conversation
        self._held: list[events.Event] | None = None if settings else []
        """Keys, pastes and clicks that arrive before the settings are validated, replayed after."""
        self.warmed_up = False
        """True once the start-up imports after the first frame are done (the benchmark waits
        for it, as a user typing a first prompt does without knowing)."""
        self.warm = asyncio.Event()
        """Set with ``warmed_up``: background work that needs the SDK waits for it, rather
        than importing the SDK on the event loop while the user types."""
        self._theme_problem = self._apply_theme(app.preview.theme)
        if settings is not None:
            self._configure(settings)

    def _configure(self, settings: Settings) -> None:
        """Everything that needs validated settings: the session, tools, MCP, theme."""
        from .core.session_setup import make_session

        app = self.app
        app.settings = settings
        first = app.active_tab
        first.session, app.mcp = make_session(
            settings, db=self._db, local_model=app.local.model if app.local else "", on_event=lambda event: app.session_event(first, event),
            on_mcp_change=lambda server: app.post_message(m.MCPChanged(server.name, server.state, server.error)),
        )
        app.registry = first.session.registry
        if settings.theme != app.preview.theme or self._theme_problem:
            self._theme_problem = self._apply_theme(settings.theme)

    def load_settings(self) -> None:
        """Validate the settings now that the first frame is on screen (runs on the event
        loop, so no key or message is handled against half-made state)."""
        from .core.local import LocalError
        from .core.settings import ConfigError
        from .core.local_choice import decide

        app = self.app
        try:
            settings = self._load()
            app.local = decide(settings, requested=False)
        except (ConfigError, LocalError) as exc:
            app.startup_error = exc
            app.exit(return_code=2)
            return
        self._configure(settings)
        self.start_session()
        held, self._held = self._held or [], None
        for event in held:  # typed ahead while starting: handled now, in order
            app.post_message(event)

    def hold(self, event: events.Event) -> bool:
        """Whether ``event`` came too early and is kept to be replayed."""
        if self._held is not None and isinstance(event, HELD):
            self._held.append(event)
            return True
        return False

    def start_session(self) -> None:
        """The part of mounting that needs the validated settings."""
        from .core.errors import Failure

        app = self.app
        settings = app.settings
        if settings.keymap:  # the bindings, and the texts that name keys (the first frame named the defaults)
            from .widgets.message_log import MessageLog
            from .widgets.prompt_input import PromptInput

            app.set_keymap(settings.keymap)
            for log in app.query(MessageLog):
                log.keys_changed()
            app.query_one(PromptInput).keys_changed(settings.keymap)
        app.status_model, app.status_host = app.model, settings.host
        if self._theme_problem:
            app.notify(self._theme_problem, severity="warning", timeout=10, markup=False)
        app.theme_changed_signal.subscribe(app, self._remember_theme)
        if app.mcp:
            app.mcp.start_all()
        if app.local:
            app.status_model, app.status_host, app.status_note = app.local.label, "local", app.local.hint
            app.local_run.start()
        app.chat.apply_sidebar()
        session = app.session
        if session.history.error:
            app.query_one("ErrorBanner").show(Failure(
                "history", "History is off for this session: nothing will be saved.",
                "The file was left untouched. Fix or move it, or start with --db PATH.", detail=session.history.error,
            ))
        app.attach.started()
        opening = self._open_on_start
        if opening == "latest":
            latest = None if settings.ui.tabs and app.tab_set.restore_open() else session.history.store.latest()
            if latest is not None:
                session.open(latest.id)
        elif opening is not None and not session.open(int(opening)):
            app.notify(f"No conversation with id {opening}; starting a new one.", severity="warning")

    def warmed(self) -> None:
        self.app.memory.full()  # Textual, the SDK and the widgets leave the collector's view
        self.warmed_up = True
        self.warm.set()

    # -- themes ------------------------------------------------------------------
    def _apply_theme(self, name: str) -> str:
        """Use the configured theme; an unknown name is a warning (returned), not a crash."""
        try:
            self.app.theme = name
        except Exception:  # noqa: BLE001 - Textual raises InvalidThemeError for an unknown name
            return (
                f"Unknown theme '{name}' (setting 'theme'); using textual-dark. "
                f"Available: {', '.join(sorted(self.app.available_themes))}."
            )
        return ""

    def _remember_theme(self, theme) -> None:
        """A theme picked in the palette is written to the config file, for next time."""
        from .core.settings import save_top_level

        settings = self.app.settings
        path = settings.config_path
        if path is None or theme.name == settings.theme:
            return
        try:
            save_top_level(path, "theme", theme.name)
        except (OSError, ValueError) as exc:
            self.app.notify(f"Theme not saved to {path}: {exc}", severity="warning", markup=False)
            return
        settings.theme = theme.name
