"""What the app does around its first frame that is not about the conversation: quit
cleanly on SIGTERM/SIGHUP, and import what the first frame did not need, in a thread."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App


def exit_on_signals(app: App) -> None:
    """SIGTERM / SIGHUP (terminal closed) quit cleanly: the terminal is restored, children stop."""
    import asyncio
    import signal

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            loop.add_signal_handler(sig, app.exit)
        except (NotImplementedError, RuntimeError, ValueError):
            pass


def warm_up(app: App, done: Callable[[], None]) -> None:
    """Import the SDK and the Markdown stack off the event loop once the first frame is
    out; then call ``done`` on the event loop. One more refresh lets that frame reach the
    terminal before the imports (in a thread, but they still take the GIL) start."""

    def imports() -> None:
        try:
            import openai  # noqa: F401

            from .widgets.markdown_view import warm_up as markdown

            markdown()
        finally:  # what waits for the warm-up must not wait forever if an import failed
            app.call_from_thread(done)

    def start() -> None:
        app.run_worker(imports, thread=True, group="warmup", exit_on_error=False)

    app.call_after_refresh(lambda: app.set_timer(0.05, start))
