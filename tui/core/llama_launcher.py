"""The child process that runs llama.cpp's own HTTP server (from the xllamacpp wheel).

xllamacpp has no command-line entry point, so ``LocalServer`` starts
``python -m tui.core.llama_launcher ...``. Everything it and llama.cpp print goes
to the log file the parent opened. Exit codes tell the parent what went wrong:
EXIT_LOAD (the model or a setting was refused) and EXIT_PORT (someone took the port
between the parent's check and the bind; the parent retries on another one).
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import socket
import sys

EXIT_LOAD = 2
EXIT_PORT = 3
READY = "tui-chat: llama.cpp server listening on"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tui.core.llama_launcher")
    parser.add_argument("--model", required=True)
    parser.add_argument("--alias", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ctx", type=int, default=2048)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--template", help="a Jinja chat template file (default: the model's own)")
    return parser.parse_args(argv)


def port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    import xllamacpp  # type: ignore[import-untyped]

    params = xllamacpp.CommonParams()
    params.model.path = args.model
    params.model_alias = {args.alias}
    params.hostnames = ["127.0.0.1"]
    params.port = args.port
    params.n_ctx = args.ctx
    params.n_parallel = 1
    threads = args.threads or max(1, os.cpu_count() or 1)
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.use_jinja = True  # llama.cpp parses tool calls only with Jinja templates
    if args.template:
        with open(args.template, encoding="utf-8") as handle:
            params.chat_template = handle.read()
    params.ui = False  # no web UI on the port: this server only answers the app
    try:
        server = xllamacpp.Server(params)
    except RuntimeError as exc:
        if port_taken(args.port):
            print(f"tui-chat: port {args.port} was taken before the server could bind it", flush=True)
            return EXIT_PORT
        print(f"tui-chat: the server did not start: {exc}", flush=True)
        return EXIT_LOAD
    print(f"{READY} {server.listening_address}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.signal(signal.SIGINT, lambda *_: os._exit(0))
    while True:  # the server runs on llama.cpp's own threads; this one only waits
        signal.pause()


if __name__ == "__main__":
    sys.exit(main())
