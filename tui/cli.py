"""Command line: arguments -> Settings -> make_app(). Config errors exit 2."""

from __future__ import annotations

import argparse
import sys

from . import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tui-chat",
        description="A terminal chat for any OpenAI-compatible Chat Completions endpoint.",
    )
    parser.add_argument("--base-url", help="endpoint base URL, e.g. http://127.0.0.1:11434/v1")
    parser.add_argument("--model", help="model id, e.g. openai/gpt-5-mini")
    parser.add_argument("--system", help="system prompt for this session")
    parser.add_argument("--config", metavar="PATH", help="config file (default: the user config dir)")
    parser.add_argument("--version", action="version", version=f"tui-chat {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .core.settings import ConfigError, load_settings

    try:
        settings = load_settings(
            args.config, base_url=args.base_url, model=args.model, system_prompt=args.system
        )
    except ConfigError as exc:
        print(f"tui-chat: bad configuration\n{exc}", file=sys.stderr)
        return 2
    from .app import make_app

    make_app(settings).run()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
