"""``tui-chat serve``: the full app in a browser, through textual-serve.

Each browser tab (each websocket) gets its own ``tui-chat`` process, with the user's
config and history, so a conversation started here continues in the terminal.

textual-serve has no authentication, and whoever reaches the page can run the user's
tools and spend their API key. So it binds to loopback, and any other host needs
``--public``: then every request must carry a random token (in the printed URL, kept
in a cookie for the page's own assets and websocket), and anything else gets 403.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import re
import secrets
import shlex
import socket
import sys

LOOPBACK = ("127.0.0.1", "localhost", "::1")
COOKIE = "tui_chat_token"
WARNING = (
    "WARNING: serving on {host}, beyond this machine. Anyone with the URL (and its token) can chat as you: "
    "run your tools and spend your API key. Stop it with Ctrl+C when you are done."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tui-chat serve", description="Serve tui-chat to a web browser (each tab its own app).",
    )
    parser.add_argument("--host", help="address to bind (default 127.0.0.1; anything else needs --public)")
    parser.add_argument("--port", type=int, default=8421, help="port (default 8421)")
    parser.add_argument("--public", action="store_true",
                        help="allow a non-loopback host (default 0.0.0.0): a random token is required in the URL")
    for flag, metavar in (("--base-url", "URL"), ("--model", "ID"), ("--config", "PATH"), ("--db", "PATH"), ("--gguf", "PATH")):
        parser.add_argument(flag, metavar=metavar, help="passed to each app process")
    parser.add_argument("--local", action="store_true", help="passed to each app process: the bundled offline model")
    return parser


def app_command(args: argparse.Namespace) -> str:
    """The command each tab runs: this Python and this package, with the user's flags.
    The API key stays in the environment, never on a command line or in a URL."""
    command = [sys.executable, "-m", "tui"]
    for flag in ("base_url", "model", "config", "db", "gguf"):
        value = getattr(args, flag)
        if value:
            command += [f"--{flag.replace('_', '-')}", value]
    if args.local:
        command.append("--local")
    return shlex.join(command)


def port_free(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be bound, or None. Checked first so the user gets one
    clear line rather than aiohttp's traceback."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


class HideToken(logging.Filter):
    """The access log names each request's URL and referer: the token never appears in it."""

    PATTERN = re.compile(r"(token=)[^&\s\"']+")

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.PATTERN.sub(r"\1…", record.getMessage()), None
        return True


def token_ok(request, token: str) -> bool:
    given = request.query.get("token") or request.cookies.get(COOKIE) or ""
    return hmac.compare_digest(given.encode(), token.encode())


def make_server(command: str, host: str, port: int, token: str | None):
    """A textual-serve Server that checks ``token`` (when set) before anything is served."""
    from aiohttp import web
    from textual_serve.server import Server

    @web.middleware
    async def require_token(request, handler):
        if token is not None and not token_ok(request, token):
            return web.Response(status=403, text="403: this tui-chat needs the token from its URL.\n")
        response = await handler(request)
        if token is not None and request.query.get("token") and isinstance(response, web.Response):
            response.set_cookie(COOKIE, token, httponly=True, samesite="Strict")
        return response

    class GuardedServer(Server):
        async def _make_app(self):
            app = await super()._make_app()
            app.middlewares.append(require_token)
            return app

        async def handle_index(self, request):
            # The page's asset and websocket URLs follow the address the browser used,
            # so a public server works from another machine too.
            self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

        async def on_startup(self, app) -> None:
            pass  # the URL is printed by main(), with the token when there is one

        def initialize_logging(self) -> None:
            super().initialize_logging()
            logging.getLogger("aiohttp.access").addFilter(HideToken())

    return GuardedServer(command, host=host, port=port, title="tui-chat")


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    host = args.host or ("0.0.0.0" if args.public else "127.0.0.1")
    if host not in LOOPBACK and not args.public:
        print(f"tui-chat serve: {host} is not loopback; add --public to serve beyond this machine (a token is then required)",
              file=sys.stderr)
        return 2
    if not 0 < args.port < 65536:
        print(f"tui-chat serve: port {args.port} is out of range", file=sys.stderr)
        return 2
    problem = port_free(host, args.port)
    if problem:
        print(f"tui-chat serve: cannot listen on {host}:{args.port}: {problem}. Pick another with --port.", file=sys.stderr)
        return 2
    token = secrets.token_urlsafe(24) if args.public else None
    shown = "localhost" if host in LOOPBACK else socket.gethostname() if host in ("0.0.0.0", "::") else host
    url = f"http://{'[' + shown + ']' if ':' in shown else shown}:{args.port}/" + (f"?token={token}" if token else "")
    if token:
        print(WARNING.format(host=host), file=sys.stderr, flush=True)
    print(f"tui-chat: serving on {url}  (Ctrl+C to stop)", flush=True)
    server = make_server(app_command(args), host, args.port, token)
    try:
        server.serve()
    except OSError as exc:
        print(f"tui-chat serve: cannot listen on {host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0
