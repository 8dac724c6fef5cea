"""Exports never replace a file, and a path that cannot be written is a clear error."""

import subprocess
import sys

from tests.helpers import send
from tui.app import make_app
from tui.core.export import write_new


def test_write_new_never_replaces_a_file(tmp_path):
    (tmp_path / "chat.md").write_text("mine")
    first = write_new(tmp_path, "chat", ".md", "one")
    second = write_new(tmp_path, "chat", ".md", "two")
    assert (first.name, second.name) == ("chat-2.md", "chat-3.md")
    assert [(tmp_path / n).read_text() for n in ("chat.md", "chat-2.md", "chat-3.md")] == ["mine", "one", "two"]


async def test_the_palette_export_keeps_an_existing_file(settings, server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(settings)
    toasts = []
    async with app.run_test(size=(100, 30)) as pilot:
        await send(pilot, "export me")
        cid = app.session.history.conversation_id
        (tmp_path / f"tui-chat-{cid}.md").write_text("my own notes")
        app.notify = lambda message, **kw: toasts.append(message)
        app.action_export("md")
    assert (tmp_path / f"tui-chat-{cid}.md").read_text() == "my own notes"
    assert "## User\n\nexport me" in (tmp_path / f"tui-chat-{cid}-2.md").read_text()
    assert toasts and f"tui-chat-{cid}-2.md" in toasts[-1] and "already exists" in toasts[-1]


def test_cli_export_to_a_path_that_cannot_be_written(settings, server, tmp_path):
    import asyncio

    async def make():
        async with make_app(settings).run_test(size=(100, 30)) as pilot:
            await send(pilot, "cli export")

    asyncio.run(make())
    (tmp_path / "a-file").write_text("")
    for target in (tmp_path / "no-such-dir" / "out.md", tmp_path / "a-file" / "out.md"):
        result = subprocess.run(
            [sys.executable, "-m", "tui", "export", "1", "-o", str(target), "--db", str(settings.history.path)],
            capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60,
        )
        assert result.returncode == 1, result.stderr
        assert f"cannot write {target}" in result.stderr and "Traceback" not in result.stderr
