"""Attachments as conversation rules: what is read, refused and sent (the exact content
parts, over real HTTP to the loopback server), and what the store and exports keep."""

from __future__ import annotations

import base64
import io
import json

import pytest
from PIL import Image

from tests import sse_server as s
from tests.test_session import Harness
from tui.core import attachments as att
from tui.core import session_events as ev
from tui.core.export import parse_import, to_json, to_markdown
from tui.core.store import Store


def png(width: int = 4, height: int = 3, color=(255, 0, 0)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def root(tmp_path, settings):
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "report.md").write_text("# Report\nAll good.\n")
    (folder / "shot.png").write_bytes(png())
    return folder


@pytest.fixture
def conf(settings, root):
    return settings.model_copy(update={"tools": settings.tools.model_copy(update={"roots": [root]})})


@pytest.fixture
async def harness(conf):
    made = []

    def make(config=conf) -> Harness:
        made.append(Harness(config))
        return made[-1]

    yield make
    for h in made:
        await h.client.close()


async def test_text_attachment_is_a_fenced_block_headed_by_its_path(harness, server):
    h = harness()
    report = att.load("report.md", h.settings)
    assert h.session.send("Summarise this", [report])
    await h.run()
    user = server.requests[-1]["messages"][-1]
    assert user == {"role": "user", "content": [
        {"type": "text", "text": "Summarise this"},
        {"type": "text", "text": "report.md\n```\n# Report\nAll good.\n```"},
    ]}


async def test_image_attachment_is_a_base64_data_url(harness, server):
    h = harness()
    shot = att.load("shot.png", h.settings)
    h.session.send("What is this?", [shot])
    await h.run()
    parts = server.requests[-1]["messages"][-1]["content"]
    assert parts[0] == {"type": "text", "text": "What is this?"}
    assert parts[1]["type"] == "image_url"
    url = parts[1]["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == png()
    assert shot.chip() == "shot.png · 4×3"


async def test_mixed_attachments_keep_their_order_and_plain_prompts_stay_strings(harness, server):
    h = harness()
    h.session.send("plain")
    await h.run()
    assert server.requests[-1]["messages"][-1] == {"role": "user", "content": "plain"}
    items = [att.load("shot.png", h.settings), att.load("report.md", h.settings)]
    h.session.send("both", items)
    await h.run()
    kinds = [p["type"] for p in server.requests[-1]["messages"][-1]["content"]]
    assert kinds == ["text", "image_url", "text"]
    assert h.of(ev.UserAdded)[-1].attachments == items


def test_large_image_is_scaled_below_the_pixel_limit(conf, root):
    (root / "big.png").write_bytes(png(400, 300))
    limited = conf.model_copy(update={"attachments": conf.attachments.model_copy(update={"max_image_pixels": 10_000})})
    big = att.load("big.png", limited)
    assert big.width * big.height <= 10_000 and (big.width, big.height) == (115, 86)
    assert Image.open(io.BytesIO(big.data)).size == (115, 86)


@pytest.mark.parametrize(
    ("setup", "path", "says"),
    [
        (lambda r: None, "missing.txt", "no such file"),
        (lambda r: (r / "blob.bin").write_bytes(b"\x00\x01\x02binary"), "blob.bin", "binary file"),
        (lambda r: (r / "latin.txt").write_bytes(b"caf\xe9"), "latin.txt", "not UTF-8"),
        (lambda r: (r / "huge.txt").write_text("x" * 2000), "huge.txt", "too big"),
        (lambda r: (r / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really"), "broken.png", "corrupt"),
        (lambda r: (r / ".env").write_text("KEY=1"), ".env", "tools.deny"),
        (lambda r: (r / "id_rsa").write_text("k"), "id_rsa", "tools.deny"),
        (lambda r: (r.parent / "outside.txt").write_text("x"), "../outside.txt", "outside the allowed folders"),
        (lambda r: ((r.parent / "secret.txt").write_text("x"), (r / "link.txt").symlink_to(r.parent / "secret.txt")),
         "link.txt", "outside the allowed folders"),
        (lambda r: (r / "sub").mkdir(), "sub", "folder"),
    ],
)
def test_bad_files_are_refused_with_a_reason(conf, root, setup, path, says):
    setup(root)
    limited = conf.model_copy(update={"attachments": conf.attachments.model_copy(update={"max_bytes": 1000})})
    with pytest.raises(att.AttachmentError) as caught:
        att.load(path, limited)
    assert says in str(caught.value) and path in str(caught.value)


def test_unreadable_file_is_refused(conf, root):
    locked = root / "locked.txt"
    locked.write_text("x")
    locked.chmod(0)
    try:
        if locked.stat().st_mode and __import__("os").access(locked, __import__("os").R_OK):
            pytest.skip("running as root: every file is readable")
        with pytest.raises(att.AttachmentError, match="cannot read"):
            att.load("locked.txt", conf)
    finally:
        locked.chmod(0o600)


async def test_image_rejected_by_the_model_gives_back_prompt_and_attachments(harness, server):
    server.queue(s.http_error(400, "Invalid content type. image_url is only supported by certain models."))
    h = harness()
    shot = att.load("shot.png", h.settings)
    h.session.send("look", [shot])
    await h.run()
    failed = h.of(ev.ReplyFailed)[-1]
    assert "image_url is only supported" in failed.failure.detail
    assert (failed.prompt, failed.attachments) == ("look", [shot])


async def test_store_restore_search_and_export_round_trip(harness, server, conf):
    h = harness()
    items = [att.load("report.md", conf), att.load("shot.png", conf)]
    h.session.send("first", items)
    await h.run()
    h.session.send("again", [items[1]])
    await h.run()
    store = h.session.history.store
    cid = h.session.history.conversation_id
    assert store.db.execute("SELECT COUNT(*) FROM blobs").fetchone()[0] == 2  # the image is stored once
    restored = [m for _, m in store.messages(cid)]
    assert restored[0].attachments == items and restored[2].attachments == [items[1]]
    other = Harness(conf)
    assert other.session.open(cid)
    assert other.session.conversation.api_messages() == h.session.conversation.api_messages()
    await other.client.close()
    hits = store.search("report.md")
    assert [(hit.conversation_id, hit.snippet) for hit in hits] == [(cid, "attached: report.md, shot.png")]
    info = store.conversation(cid)
    exported = to_json(info, restored)
    assert json.loads(exported)["messages"][0]["content"] == restored[0].to_api()["content"]
    meta, imported = parse_import(exported)
    assert [m.attachments for m in imported][0][1] == items[1]
    assert imported[0].to_api() == restored[0].to_api()
    markdown = to_markdown(info, restored)
    assert "**report.md**\n```\n# Report\nAll good.\n```" in markdown
    assert "*[image: shot.png · 4×3]*" in markdown
    assert "![shot.png](files/shot.png)" in to_markdown(info, restored, {items[1].sha256: "files/shot.png"})


def test_versions_keep_attachments(conf, root):
    from tui.core.conversation import ChatMessage

    store = Store(None)
    cid = store.create_conversation(model="m", host="h")
    shot = att.load("shot.png", conf)
    store.add_message(cid, ChatMessage("user", "a", attachments=[shot]))
    store.archive_tail(cid, 0)
    store.add_message(cid, ChatMessage("user", "b"))
    store.swap_version(cid, 0, store.versions(cid, 0)[0])
    assert [m.attachments for _, m in store.messages(cid)] == [[shot]]


def test_picker_files_respect_gitignore_and_skip_hidden(tmp_path):
    import subprocess

    from tui.core.file_index import files_under, pasted_path

    plain = tmp_path / "plain"
    (plain / ".hidden").mkdir(parents=True)
    (plain / "node_modules").mkdir()
    (plain / "a.txt").write_text("a")
    (plain / ".hidden" / "x").write_text("x")
    (plain / "node_modules" / "y.js").write_text("y")
    assert files_under(plain) == ["a.txt"]
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    (repo / ".gitignore").write_text("*.log\n")
    (repo / "keep.py").write_text("k")
    (repo / "debug.log").write_text("d")
    assert files_under(repo) == [".gitignore", "keep.py"]
    (repo / "shot.png").write_bytes(png())
    assert pasted_path(f"'{repo / 'shot.png'}'\n", [repo]) == str(repo / "shot.png")
    assert pasted_path("shot.png", [repo]) == "shot.png"
    assert pasted_path(str(repo / "keep.py"), [repo]) is None and pasted_path("missing.png", [repo]) is None


def test_export_with_files_writes_images_beside_the_markdown(conf, tmp_path):
    from tui.cli import main
    from tui.core.conversation import ChatMessage

    db = tmp_path / "h.db"
    store = Store(db)
    cid = store.create_conversation(model="m", host="h")
    shot = att.load("shot.png", conf)
    store.add_message(cid, ChatMessage("user", "see", attachments=[shot]))
    store.add_message(cid, ChatMessage("user", "again", attachments=[shot]))
    store.close()
    out = tmp_path / "out" / "chat.md"
    out.parent.mkdir()
    config = tmp_path / "c.toml"
    config.write_text("")
    assert main(["export", str(cid), "-o", str(out), "--with-files", "--db", str(db), "--config", str(config)]) == 0
    assert (tmp_path / "out" / "chat-files" / "shot.png").read_bytes() == shot.data
    assert out.read_text().count("![shot.png](chat-files/shot.png)") == 2
    assert not list((tmp_path / "out" / "chat-files").glob("shot-2*"))
