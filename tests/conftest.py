"""Shared fixtures: a loopback scripted server, settings pointing at it, an app factory."""

from __future__ import annotations

import os

import time

os.environ["TEXTUAL_ANIMATIONS"] = "none"
os.environ["TZ"] = "UTC"  # dates on screen (history list) must not depend on the machine
time.tzset()
for _name in ("TUI_CHAT_API_KEY", "OPPER_API_KEY", "OPENAI_API_KEY", "TUI_CHAT_MODEL", "TUI_CHAT_BASE_URL", "TUI_CHAT_CONFIG"):
    os.environ.pop(_name, None)

import pytest

from tests.sse_server import ScriptedServer
from tui.core.settings import load_settings

TEST_KEY = "sk-test-SECRET-0123456789abcdef"


@pytest.fixture
def empty_config(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("")
    return path


@pytest.fixture
def server():
    with ScriptedServer() as srv:
        yield srv


@pytest.fixture
def settings(server, empty_config):
    return load_settings(
        empty_config,
        base_url=server.base_url,
        model="test-model",
        api_key=TEST_KEY,
        max_retries=0,
        history={"path": str(empty_config.parent / "history.db")},
    )


@pytest.fixture
def make_app(settings):
    from tui.app import make_app as _make

    def factory(**overrides):
        s = settings.model_copy(update=overrides) if overrides else settings
        return _make(s)

    return factory


@pytest.fixture(autouse=True)
def _record_failures(monkeypatch):
    """Every classified failure's text is kept for the secrets scan at the end."""
    import tui.worker
    from tests.secrets_scan import FAILURE_TEXTS
    from tui.core import errors

    original = errors.classify

    def recording(*args, **kwargs):
        failure = original(*args, **kwargs)
        FAILURE_TEXTS.append(failure.text)
        return failure

    monkeypatch.setattr(errors, "classify", recording)
    monkeypatch.setattr(tui.worker, "classify", recording)


def pytest_sessionfinish(session, exitstatus):
    """Fail the run if the test key shows up in anything the suite produced."""
    from pathlib import Path

    from tests.secrets_scan import FAILURE_TEXTS, scan

    root = Path(__file__).resolve().parent.parent
    roots = [root / "tests" / "__snapshots__", root / "screenshots"]
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is not None:
        try:
            roots.append(factory.getbasetemp())
        except Exception:  # noqa: BLE001 - no temp dir was made
            pass
    leaks = scan(roots, TEST_KEY, FAILURE_TEXTS)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if leaks:
        if reporter:
            reporter.write_line("SECRET LEAK: the test API key appears in: " + "; ".join(leaks[:10]), red=True)
        session.exitstatus = 1
    elif reporter:
        reporter.write_line(f"secrets scan: test key found nowhere ({len(FAILURE_TEXTS)} error messages, {len(roots)} folders scanned)")


@pytest.fixture
async def harness(settings):
    """``make(**kwargs)``: a ChatSession driven without a screen (tests/test_session.py's Harness)."""
    from tests.test_session import Harness

    made = []

    def make(config=settings, **kwargs) -> Harness:
        made.append(Harness(config, **kwargs))
        return made[-1]

    yield make
    for h in made:
        await h.client.close()
