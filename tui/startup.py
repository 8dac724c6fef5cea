"""Start-up: the first frame from a preview, then the validated settings, then the session.

On a terminal the app is built with ``load`` and a ``Preview`` (see core/preview.py):
the first frame shows the preview, the settings are validated on the event loop right
after it, and what the user types meanwhile is held and replayed. Built with
``settings``, the app configures itself at once. Either way, imports that the first
frame does not need (the SDK, the Markdown stack) follow in a thread (boot.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events

from . import messages as m

if TYPE_CHECKING:
    from .core.settings import Settings

HELD = (events.Key, events.Paste, events.MouseDown, events.MouseUp, events.Click)
"""What the user does before the settings are valid: held, then replayed in order."""


class StartupActions:
    """Mixed into ChatApp (which provides the widgets, the preview and the memory policy)."""

    warmed_up = False
    """True once the start-up imports after the first frame are done (the benchmark waits
    for it, as a user typing a first prompt does without knowing)."""

    def _init_startup(self, settings: Settings | None, *, load, db: str | None, open_conversation: int | str | None) -> None:
        """Start-up's own state; only this file reads or writes it."""
        self._load = load
        self._db = db
        self._open_on_start = open_conversation
        self._held: list[events.Event] | None = None if settings else []
        """Keys, pastes and clicks that arrive before the settings are validated, replayed after."""
        self._theme_problem = self._apply_theme(self.preview.theme)
        if settings is not None:
            self._configure(settings)

    @property
    def ready(self) -> bool:
        """False only between the first frame and the end of settings validation."""
        return self.settings is not None

    def _configure(self, settings: Settings) -> None:
        """Everything that needs validated settings: the session, tools, MCP, theme."""
        from .core.session_setup import make_session

        self.settings = settings
        first = self.active_tab
        self.session, self.mcp = make_session(
            settings, db=self._db, local_model=self.local.model if self.local else "", on_event=lambda event: self._on_session(first, event),
            on_mcp_change=lambda server: self.post_message(m.MCPChanged(server.name, server.state, server.error)),
        )
        first.session = self.session
        self.registry = self.session.registry
        if settings.theme != self.preview.theme or self._theme_problem:
            self._theme_problem = self._apply_theme(settings.theme)

    def _load_settings(self) -> None:
        """Validate the settings now that the first frame is on screen (runs on the event
        loop, so no key or message is handled against half-made state)."""
        from .core.local import LocalError
        from .core.settings import ConfigError
        from .core.local_choice import decide

        try:
            settings = self._load()
            self.local = decide(settings, requested=False)
        except (ConfigError, LocalError) as exc:
            self.startup_error = exc
            self.exit(return_code=2)
            return
        self._configure(settings)
        self._start_session()
        held, self._held = self._held or [], None
        for event in held:  # typed ahead while starting: handled now, in order
            self.post_message(event)

    async def on_event(self, event: events.Event) -> None:
        if self._held is not None and isinstance(event, HELD):
            self._held.append(event)
            return
        await super().on_event(event)

    def _start_session(self) -> None:
        """The part of mounting that needs the validated settings."""
        from .core.errors import Failure

        settings = self.settings
        if settings.keymap:
            self.set_keymap(settings.keymap)
        self.status_model, self.status_host = self.model, settings.host
        if self._theme_problem:
            self.notify(self._theme_problem, severity="warning", timeout=10, markup=False)
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.mcp:
            self.mcp.start_all()
        if self.local:
            self.status_model, self.status_host, self.status_note = self.local.label, "local", self.local.hint
            self._start_local()
        self._apply_sidebar()
        if self.session.history.error:
            self.query_one("ErrorBanner").show(Failure(
                "history", "History is off for this session: nothing will be saved.",
                "The file was left untouched. Fix or move it, or start with --db PATH.", detail=self.session.history.error,
            ))
        self.attach_started()
        opening = self._open_on_start
        if opening == "latest":
            latest = None if self.settings.ui.tabs and self.restore_open_tabs() else self.session.history.store.latest()
            if latest is not None:
                self.session.open(latest.id)
        elif opening is not None and not self.session.open(int(opening)):
            self.notify(f"No conversation with id {opening}; starting a new one.", severity="warning")

    def _warmed(self) -> None:
        self.memory.full()  # Textual, the SDK and the widgets leave the collector's view
        self.warmed_up = True
