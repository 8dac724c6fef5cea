"""Crash safety: SIGKILL the app mid-stream; the partial reply is in the database."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests import sse_server as s
from tests.helpers import screen_text
from tui.app import make_app
from tui.core.store import Store

ROOT = Path(__file__).resolve().parent.parent
STORY = " ".join(f"word{i}" for i in range(400))
CHILD = """
import asyncio, sys
sys.path.insert(0, {root!r})
from tests.helpers import send
from tui.app import make_app
from tui.core.settings import Settings

async def main():
    settings = Settings(base_url=sys.argv[1], model="test-model", api_key="k", max_retries=0,
                        history={{"path": sys.argv[2]}}, tools={{"enabled": False}})
    app = make_app(settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "tell me a long story", wait=False)
        await asyncio.sleep(120)

asyncio.run(main())
"""


def partial_reply(db_path: Path) -> str:
    if not db_path.exists():
        return ""
    db = sqlite3.connect(db_path, timeout=5)
    try:
        row = db.execute("SELECT content FROM messages WHERE role = 'assistant' ORDER BY id DESC LIMIT 1").fetchone()
    except sqlite3.Error:
        return ""
    finally:
        db.close()
    return row[0] if row else ""


async def test_sigkill_mid_stream_keeps_the_partial_reply(server, settings, tmp_path):
    server.queue(s.paced(s.text_reply(STORY), 40))
    db_path = tmp_path / "crash.db"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(root=str(ROOT)), server.base_url, str(db_path)],
        cwd=ROOT, env=dict(os.environ, TEXTUAL_ANIMATIONS="none"),
    )
    try:
        deadline = time.monotonic() + 60
        while len(partial_reply(db_path)) < 40 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(1.2)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    store = Store(db_path)
    (conversation,) = store.conversations()
    messages = [m for _, m in store.messages(conversation.id)]
    assert [m.role for m in messages] == ["user", "assistant"]
    assert messages[0].content == "tell me a long story"
    reply = messages[1]
    assert reply.status == "interrupted"
    assert len(reply.content) >= 40 and STORY.startswith(reply.content)
    store.close()

    app = make_app(settings, db=str(db_path), open_conversation="latest")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "interrupted" in text and "tell me a long story" in text
