"""``tui-chat ask``: one turn of a conversation from a shell pipe.

    git diff | tui-chat ask "review this"

It drives the same ChatSession and history as the full-screen app, so ``tui-chat
--resume`` continues a turn asked here. It never imports Textual: a pipe should start
as fast as Python and the openai client allow.

Exit codes: 0 ok, 1 the model or server failed, 2 bad configuration or arguments,
130 interrupted (the partial reply is kept in history, marked stopped).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from typing import Any

OK, FAILED, USAGE, INTERRUPTED = 0, 1, 2, 130
CONFIG_FAILURES = ("no_key",)
"""Failures that are the configuration's fault, not the server's: exit 2."""
HOLD = 64
"""How far back an escape sequence may still be open at a chunk's end (see StreamCleaner)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tui-chat ask",
        description="Ask once and print the reply. Piped standard input is added to the prompt as a fenced block.",
        epilog="Exit codes: 0 ok, 1 the model or server failed, 2 bad configuration or arguments, 130 interrupted.",
    )
    parser.add_argument("prompt", nargs="?", default="", help="the question (optional when input is piped)")
    parser.add_argument("-m", "--model", help="model id for this turn")
    parser.add_argument("--system", help="system prompt (a new conversation only)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--continue", dest="resume", action="store_true", help="continue the most recent conversation")
    which.add_argument("--conversation", metavar="ID", type=int, help="continue the conversation with this id")
    which.add_argument("--no-save", action="store_true", help="keep this turn out of history")
    parser.add_argument("--json", action="store_true", help="print the final assistant message and usage as JSON")
    parser.add_argument("--render", action="store_true", help="render Markdown with Rich when standard output is a terminal")
    parser.add_argument("-y", "--yes", action="store_true", help="let tools with side effects run (they are denied otherwise)")
    parser.add_argument("--base-url", help="endpoint base URL")
    parser.add_argument("--config", metavar="PATH", help="config file (default: the user config dir)")
    parser.add_argument("--db", metavar="PATH", help="history database (default: the user data dir)")
    parser.add_argument("--local", action="store_true", help="use the bundled offline model")
    parser.add_argument("--gguf", metavar="PATH", help="with --local: a .gguf model file to load instead")
    return parser


class Refused(Exception):
    """Input that cannot be sent, with a message fit to print."""


def read_stdin(stream: Any, limit: int) -> str:
    """Piped input as text. Binary data and anything over ``limit`` bytes are refused
    whole: half a file or a mangled one would get a confident answer about the wrong thing."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise Refused(f"standard input is over the attachment limit of {limit} bytes (attachments.max_bytes); nothing was sent")
    if b"\x00" in data:
        raise Refused("standard input looks binary (it contains NUL bytes); nothing was sent")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("standard input is not UTF-8 text (binary?); nothing was sent") from None


def compose_prompt(prompt: str, piped: str) -> str:
    """The fence is longer than any backtick run inside, so piped Markdown cannot close it."""
    if not piped:
        return prompt
    longest, run = 0, 0
    for ch in piped:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    block = f"{fence}\n{piped.rstrip(chr(10))}\n{fence}"
    return f"{prompt}\n\n{block}" if prompt.strip() else block


class StreamCleaner:
    """Model text made safe for a terminal, chunk by chunk. An escape sequence split
    across chunks is held back until it is complete, so no half of one leaks out."""

    def __init__(self) -> None:
        self._held = ""

    def feed(self, text: str) -> str:
        from .core.sanitize import clean

        text = self._held + text
        cut = max(text.rfind("\x1b"), text.rfind("\x9b"), text.rfind("\x9d"))
        if cut >= 0 and len(text) - cut <= HOLD and not _closed(text[cut:]):
            text, self._held = text[:cut], text[cut:]
        else:
            self._held = ""
        return clean(text)

    def flush(self) -> str:
        from .core.sanitize import clean

        held, self._held = self._held, ""
        return clean(held)


def _closed(tail: str) -> bool:
    """Whether the sequence at the start of ``tail`` has ended (so ``clean`` removes it whole)."""
    if len(tail) < 2:
        return False
    if tail[1] in "]PX^_" or tail[0] == "\x9d":
        return "\x07" in tail or "\x1b\\" in tail[1:]
    if tail[1] == "[" or tail[0] == "\x9b":
        return any("@" <= ch <= "~" for ch in tail[2 if tail[0] == "\x1b" else 1:])
    return True


class Printer:
    """Where the reply goes: plain text as it arrives, Rich Markdown, or nothing (--json)."""

    def __init__(self, out: Any, *, render: bool, quiet: bool) -> None:
        self.out = out
        self.quiet = quiet
        self.render = render and not quiet and out.isatty()
        self.cleaner = StreamCleaner()
        self.text = ""
        self._live: Any = None
        self._ended_line = True

    def write(self, chunk: str) -> None:
        safe = self.cleaner.feed(chunk)
        if self.quiet or not safe:
            return
        if self.render:
            self._update(safe)
            return
        self.out.write(safe)
        self.out.flush()
        self._ended_line = safe.endswith("\n")

    def _update(self, safe: str) -> None:
        from rich.console import Console
        from rich.live import Live
        from rich.markdown import Markdown

        self.text += safe
        if self._live is None:
            self._live = Live(console=Console(file=self.out), auto_refresh=False, vertical_overflow="visible")
            self._live.start()
        self._live.update(Markdown(self.text), refresh=True)

    def end_reply(self) -> None:
        """A reply is over (another may follow after a tool round): finish its line."""
        tail = self.cleaner.flush()
        if tail:
            self.write(tail)
        if self._live is not None:
            self._live.stop()
            self._live, self.text = None, ""
        elif not self.quiet and not self._ended_line:
            self.out.write("\n")
            self.out.flush()
            self._ended_line = True


def _err(text: str) -> None:
    print(f"tui-chat ask: {text}", file=sys.stderr, flush=True)


def main(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .core.settings import ConfigError, load_settings

    overrides = dict(base_url=args.base_url, model=args.model, system_prompt=args.system)
    try:
        settings = load_settings(args.config, **overrides)
    except ConfigError as exc:
        _err(f"bad configuration\n{exc}")
        return USAGE
    piped = ""
    if not sys.stdin.isatty():
        try:
            piped = read_stdin(sys.stdin.buffer, settings.attachments.max_bytes)
        except Refused as exc:
            _err(str(exc))
            return USAGE
    prompt = compose_prompt(args.prompt, piped)
    if not prompt.strip():
        parser.print_usage(sys.stderr)
        _err("give a prompt, or pipe text in")
        return USAGE
    if args.no_save:
        settings = settings.model_copy(update={"history": settings.history.model_copy(update={"enabled": False})})
    from .core.local import LocalError
    from .core.local_choice import decide

    try:  # as in the app: --local, or no key for the default endpoint with the extra installed
        mode = decide(settings, requested=args.local, gguf=args.gguf)
    except LocalError as exc:
        _err(str(exc))
        return USAGE
    local = mode.server if mode else None
    try:
        return asyncio.run(_ask(settings, args, prompt, local, mode.model if mode else ""))
    finally:
        if local is not None:
            local.stop()


async def _ask(settings, args, prompt: str, local, local_model: str) -> int:
    from .core import session_events as ev
    from .core.client import make_client
    from .core.local import LocalError
    from .core.session_runner import run
    from .core.session_setup import make_session
    from .core.tool_round import DENY, RUN

    printer = Printer(sys.stdout, render=args.render, quiet=args.json)
    failures: list[Any] = []
    replies: list[Any] = []

    def on_event(event: ev.Event) -> None:
        if isinstance(event, ev.ReplyStarted):
            replies.append(event.reply)
        elif isinstance(event, ev.ToolsRequested):
            pending[:] = event.calls
        elif isinstance(event, ev.ReplyEnded):
            printer.end_reply()
        elif isinstance(event, ev.ReplyFailed):
            failures.append(event.failure)
        elif isinstance(event, ev.ToolStateChanged) and event.state in ("running", "denied"):
            from .core.sanitize import clean

            name = dict(pending).get(event.key)
            _err(f"tool {clean(name.name) if name else event.key}: {event.state}")

    pending: list[Any] = []

    async def ask(call, description: str, reason: str) -> str:
        if args.yes:
            return RUN
        from .core.sanitize import clean

        _err(f"denied {clean(call.name)} ({reason}); pass --yes to let it run")
        return DENY

    model = local_model
    session, mcp = make_session(settings, db=None if args.no_save else args.db, local_model=model, on_event=on_event)
    if session.history.error:
        _err(session.history.error)
        return FAILED
    if args.resume or args.conversation is not None:
        info = session.history.store.latest() if args.resume else session.history.store.conversation(args.conversation)
        if info is None or not session.open(info.id):
            _err("there is no conversation to continue" if args.resume else f"no conversation with id {args.conversation}")
            return USAGE
    if args.system and (args.resume or args.conversation is not None):
        from dataclasses import replace

        session.set_options(replace(session.options, system_prompt=args.system))
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    interrupted = False

    def on_sigint() -> None:
        nonlocal interrupted
        interrupted = True
        if task is not None:
            task.cancel()

    loop.add_signal_handler(signal.SIGINT, on_sigint)
    client = None
    try:
        if mcp is not None:
            # A pipe asks once: its MCP tools must be offered in that one request.
            mcp.start_all()
            timeout = settings.mcp.startup_timeout
            await asyncio.gather(*(server.wait_settled(timeout) for server in mcp.servers.values() if server.config.enabled))
            for name, server in mcp.servers.items():
                if server.state == "failed":
                    _err(f"MCP server '{name}' failed: {server.error}")
        if local is not None:
            await local.start()
            settings = settings.model_copy(update={"base_url": local.base_url})
        client = make_client(settings)
        session.send(prompt)
        await run(session, client, ask=ask, secret=settings.key, on_text=printer.write)
    except LocalError as exc:
        _err(str(exc))
        return FAILED
    except asyncio.CancelledError:
        if not interrupted:
            raise
        session.save_partial()
        printer.end_reply()
        _err("interrupted; the partial reply is kept in history, marked stopped")
        return INTERRUPTED
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        if client is not None:
            await client.close()
        if mcp is not None:
            await mcp.aclose()
    if failures:
        failure = failures[-1]
        _err(failure.text)
        return USAGE if failure.kind in CONFIG_FAILURES else FAILED
    if args.json:
        _print_json(session, replies)
    return OK


def _print_json(session, replies: list[Any]) -> None:
    from .core.conversation import vars_of

    last = next((message for message in reversed(session.messages) if message.role == "assistant"), None)
    totals: dict[str, Any] = {}
    for reply in replies:
        for name, value in (vars_of(reply.usage) if reply.usage else {}).items():
            if isinstance(value, (int, float)):
                totals[name] = totals.get(name, 0) + value
    body = {
        "conversation_id": session.history.conversation_id if session.history.persistent else None,
        "model": session.model,
        "content": last.content if last else "",
        "status": last.status if last else "",
        "usage": totals,
    }
    sys.stdout.write(json.dumps(body, ensure_ascii=False) + "\n")
