"""Start-up: the first frame from a preview, then the validated settings, then the session.

On a terminal the app is built with ``load`` and a ``Preview`` (see core/preview.py):
the first frame shows the preview, the settings are validated on the event loop right
after it, and keys typed meanwhile are held and replayed. Built with ``settings``, the
app configures itself at once. Either way, imports that the first frame does not need
(the SDK, the Markdown stack) follow in a thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events, work

from . import messages as m
from .widgets.error_banner import ErrorBanner

if TYPE_CHECKING:
    from .core.settings import Settings


HELD = (events.Key, events.Paste, events.MouseDown, events.MouseUp, events.Click)
"""What the user does before the settings are valid: held, then replayed in order."""
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "0.0.0.0")


class StartupActions:
    """Mixed into ChatApp (which provides the widgets, the preview and the memory policy)."""

    @property
    def ready(self) -> bool:
        """False only between the first frame and the end of settings validation."""
        return self.settings is not None

    def _configure(self, settings: Settings) -> None:
        """Everything that needs validated settings: the session, tools, MCP, theme."""
        from .core.history import History
        from .core.session import ChatSession
        from .core.tools.setup import build_registry

        self.settings = settings
        self.registry = build_registry(settings)
        self.session = ChatSession(
            settings, History(settings, self._db), self.registry,
            model=self.local.model if self.local else settings.model, fixed_model=bool(self.local),
            on_event=self._on_session, precheck=self._precheck,
        )
        if settings.tools.enabled and settings.mcp.servers:
            from .core.mcp.manager import MCPManager

            self.mcp = MCPManager(
                settings.mcp, self.registry, default_timeout=settings.tools.timeout,
                on_change=lambda server: self.post_message(m.MCPChanged(server.name, server.state, server.error)),
            )
        if settings.theme != self.preview.theme or self._theme_problem:
            self._theme_problem = self._apply_theme(settings.theme)


    def _load_settings(self) -> None:
        """Validate the settings now that the first frame is on screen (runs on the event
        loop, so no key or message is handled against half-made state)."""
        from .core.local import LocalError
        from .core.settings import ConfigError
        from .local_mode import decide

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
            self._show_history_error()
        if self._open_on_start == "latest":
            latest = self.session.history.store.latest()
            if latest is not None:
                self.open_conversation(latest.id)
        elif self._open_on_start is not None:
            if not self.open_conversation(int(self._open_on_start)):
                self.notify(f"No conversation with id {self._open_on_start}; starting a new one.", severity="warning")

    def _needs_key(self) -> bool:
        host = self.settings.host
        return not self.local and not self.settings.key and host.split(":")[0] not in LOCAL_HOSTS and not host.startswith("[::1]")

    def _precheck(self):
        """Refuse a request that cannot work, before it is made."""
        from .core.errors import no_key

        return no_key() if self._needs_key() else None

    def _after_first_frame(self) -> None:
        # One more refresh lets the first frame reach the terminal before the
        # SDK import (in a thread, but it still takes the GIL) starts.
        self.set_timer(0.05, self._warm_up)

    def _show_history_error(self) -> None:
        from .core.errors import Failure

        self.query_one(ErrorBanner).show(Failure(
            "history", "History is off for this session: nothing will be saved.",
            "The file was left untouched. Fix or move it, or start with --db PATH.", detail=self.session.history.error,
        ))

    def _exit_on_signals(self) -> None:
        """SIGTERM / SIGHUP (terminal closed) quit cleanly: the terminal is restored, children stop."""
        import asyncio
        import signal

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                loop.add_signal_handler(sig, self.exit)
            except (NotImplementedError, RuntimeError, ValueError):
                pass

    @work(thread=True, group="warmup", exit_on_error=False)
    def _warm_up(self) -> None:
        """Import the SDK and the Markdown stack off the event loop, after the first frame;
        then freeze the start-up heap."""
        import openai  # noqa: F401

        from .widgets.markdown_view import warm_up

        warm_up()

        self.call_from_thread(self._warmed)

    warmed_up = False
    """True once the start-up imports after the first frame are done (the benchmark waits
    for it, as a user typing a first prompt does without knowing)."""

    def _warmed(self) -> None:
        self.memory.full()  # Textual, the SDK and the widgets leave the collector's view
        self.warmed_up = True
