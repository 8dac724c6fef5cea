"""Command line: arguments -> Settings -> make_app(). Config errors exit 2.

    tui-chat [--base-url URL] [--model ID] [--system TEXT] [--config PATH]
             [--db PATH] [--resume | --conversation ID] [--local [--gguf PATH]] [--inline]
    tui-chat export ID [--format md|json] [-o FILE]
    tui-chat import FILE
    tui-chat ask [PROMPT] [-m MODEL] [--continue | --conversation ID | --no-save] [--json] ...
    tui-chat serve [--host HOST] [--port PORT] [--public]
"""

from __future__ import annotations

import argparse
import os
import sys

from . import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tui-chat",
        description="A terminal chat for any OpenAI-compatible Chat Completions endpoint.",
        epilog="Also: 'tui-chat export ID [--format md|json] [-o FILE]', 'tui-chat import FILE', "
        "'tui-chat ask [PROMPT]' (see ask --help) and 'tui-chat serve' (see serve --help).",
    )
    parser.add_argument("--base-url", help="endpoint base URL, e.g. http://127.0.0.1:11434/v1")
    parser.add_argument("--model", help="model id, e.g. openai/gpt-5-mini")
    parser.add_argument("--system", help="system prompt for this session")
    parser.add_argument("--config", metavar="PATH", help="config file (default: the user config dir)")
    parser.add_argument("--db", metavar="PATH", help="history database (default: the user data dir)")
    parser.add_argument("--local", action="store_true", help="chat with the bundled offline model (needs the 'local' extra)")
    parser.add_argument("--gguf", metavar="PATH", help="with --local: a .gguf model file to load instead")
    parser.add_argument("--inline", action="store_true", help="run below the shell prompt; the chat stays in the scrollback (ui.inline)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--resume", action="store_true", help="open the most recent conversation")
    group.add_argument("--conversation", metavar="ID", type=int, help="open the conversation with this id")
    parser.add_argument("--attach", metavar="FILE", action="append", default=[],
                        help="attach a file or image to the first prompt (repeatable)")
    parser.add_argument("--version", action="version", version=f"tui-chat {__version__}")
    return parser


def build_data_parser(command: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"tui-chat {command}")
    if command == "export":
        parser.add_argument("id", type=int, help="conversation id (see the history screen)")
        parser.add_argument("--format", choices=("md", "json"), default="md")
        parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
        parser.add_argument("--with-files", action="store_true",
                            help="Markdown with -o: write attached images next to the file and link them")
    else:
        parser.add_argument("file", help="a JSON export from 'tui-chat export --format json'")
    parser.add_argument("--config", metavar="PATH")
    parser.add_argument("--db", metavar="PATH")
    return parser


def tune_textual(environ=os.environ) -> None:
    """Textual settings read once, when Textual is first imported: call this before.

    Textual repaints at most TEXTUAL_FPS times a second, on a fixed grid: after a frame that
    took longer than one period, the next can wait almost two. At the default 60 that is
    up to 33 ms between a key press and its echo while a reply streams; at 240, 8 ms.
    Frames are still only drawn when something changed (a frame of the log costs 10-20 ms,
    so this is a ceiling on latency, not a frame rate), and animations keep their own 60.
    A user's own setting wins.
    """
    environ.setdefault("TEXTUAL_FPS", "240")


def main(argv: list[str] | None = None) -> int:
    tune_textual()
    argv = sys.argv[1:] if argv is None else argv
    command = _data_command_index(argv)
    if command is not None and argv[command] in FRONT_ENDS:
        # Before anything else is imported: 'ask' never loads Textual.
        from importlib import import_module

        rest = argv[:command] + argv[command + 1 :]
        return import_module(FRONT_ENDS[argv[command]], __package__).main(rest)
    if command is not None:
        rest = argv[:command] + argv[command + 1 :]
        return data_command(argv[command], build_data_parser(argv[command]).parse_args(rest))
    args = build_parser().parse_args(argv)
    overrides = dict(base_url=args.base_url, model=args.model, system_prompt=args.system)
    target = "latest" if args.resume else args.conversation
    from .app import make_app

    if not (args.local or args.gguf) and sys.stdin.isatty() and sys.stdout.isatty():
        # On a terminal: paint the first frame from a preview, validate the settings right
        # after (see tui/core/preview.py); a bad config still ends the run with exit code 2.
        from functools import partial

        from .core.preview import preview

        app = make_app(
            load=partial(_load, args.config, overrides), preview=preview(args.config, **overrides),
            db=args.db, open_conversation=target,
        )
    else:
        settings = _settings(args, **overrides)
        if settings is None:
            return 2
        from .core.local import LocalError
        from .core.local_choice import decide

        try:
            local = decide(settings, requested=args.local, gguf=args.gguf)
        except LocalError as exc:
            print(f"tui-chat: {exc}", file=sys.stderr)
            return 2
        app = make_app(settings, db=args.db, open_conversation=target, local=local)
    ui = app.settings.ui if app.settings is not None else app.preview
    inline = args.inline or ui.inline
    app.attach_on_start = list(args.attach)
    if app.attach_on_start and sys.stdout.isatty():
        from .widgets.image_preview import detect

        # textual-image asks the terminal what it can show (up to ~0.3 s when it does not
        # answer), and only before the app starts: so only when asked to attach files.
        detect()
    try:
        app.run(inline=inline)
    finally:
        if app.local:
            app.local.server.stop()
    if inline and app.session is not None and app.startup_error is None:
        from .inline import print_transcript

        print_transcript(app.session.messages)
    if app.startup_error is not None:
        from .core.settings import ConfigError

        what = "bad configuration\n" if isinstance(app.startup_error, ConfigError) else ""
        print(f"tui-chat: {what}{app.startup_error}", file=sys.stderr)
        return 2
    return 0


def _load(config_path, overrides: dict):
    from .core.settings import load_settings

    return load_settings(config_path, **overrides)


FRONT_ENDS = {"ask": ".ask", "serve": ".serve"}
"""Subcommands that are front ends of their own, each in its module."""
TAKES_VALUE = {"--base-url", "--model", "--system", "--config", "--db", "--conversation", "--gguf", "--attach"}


def _data_command_index(argv: list[str]) -> int | None:
    """Where a subcommand stands as the first positional word, if it does."""
    skip = False
    for index, word in enumerate(argv):
        if skip:
            skip = False
        elif word in TAKES_VALUE:
            skip = True
        elif not word.startswith("-"):
            return index if word in ("export", "import", *FRONT_ENDS) else None
    return None


def _settings(args, **overrides):
    from .core.settings import ConfigError, load_settings

    try:
        return load_settings(args.config, **overrides)
    except ConfigError as exc:
        print(f"tui-chat: bad configuration\n{exc}", file=sys.stderr)
        return None


def data_command(command: str, args) -> int:
    from pathlib import Path

    from .core.export import ImportError_, parse_import, to_json, to_markdown
    from .core.store import Store, StoreError

    settings = _settings(args)
    if settings is None:
        return 2
    path = args.db or settings.history.resolved_path()
    if path is None:
        print("tui-chat: history is disabled (history.enabled = false)", file=sys.stderr)
        return 1
    try:
        store = Store(Path(path))
    except StoreError as exc:
        print(f"tui-chat: {exc}", file=sys.stderr)
        return 1
    if command == "export":
        info = store.conversation(args.id)
        if info is None:
            print(f"tui-chat: no conversation with id {args.id}", file=sys.stderr)
            return 1
        messages = [message for _, message in store.messages(args.id)]
        files = None
        if args.format == "md" and args.with_files and args.output:
            from .core.export import write_images

            files = write_images(Path(args.output), messages)
        text = to_markdown(info, messages, files) if args.format == "md" else to_json(info, messages)
        if args.output:
            try:
                Path(args.output).write_text(text, encoding="utf-8")
            except OSError as exc:
                print(f"tui-chat: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
                return 1
        else:
            sys.stdout.write(text)
        return 0
    try:
        info, messages = parse_import(Path(args.file).read_text(encoding="utf-8"))
    except OSError as exc:
        print(f"tui-chat: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    except (ImportError_, UnicodeDecodeError) as exc:
        print(f"tui-chat: {args.file}: {exc}. Nothing was imported.", file=sys.stderr)
        return 1
    new_id = store.import_conversation(info, messages)
    print(f"imported as conversation {new_id} ({len(messages)} messages)")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
