"""A soak: many turns in one app session with random faults.

CI runs 30 turns. The full soak is 200:
    TUI_CHAT_SOAK_TURNS=200 python -m pytest tests/test_soak.py -s
"""

import os
import random

from tests import faults as f
from tests.helpers import replies, send, settle, wait_for
from tui.core.settings import ToolsSettings
from tui.widgets.error_banner import ErrorBanner

SIZE = (100, 30)


def fds() -> tuple[int, int]:
    names = os.listdir("/proc/self/fd")
    sockets = 0
    for name in names:
        try:
            sockets += os.readlink(f"/proc/self/fd/{name}").startswith("socket:")
        except OSError:
            pass
    return len(names), sockets


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20




async def test_soak(make_app, server):
    turns = int(os.environ.get("TUI_CHAT_SOAK_TURNS", "30"))
    rng = random.Random(20261124)
    app = make_app(tools=ToolsSettings(enabled=False), read_timeout=2.0)
    total = len(f.framed())
    prompts, expected_status, samples, faults = [], [], [], {}
    async with app.run_test(size=SIZE) as pilot:
        banner = app.query_one(ErrorBanner)
        for turn in range(turns):
            kind = "ok" if rng.random() >= 0.2 else rng.choice(["error", "cut", "stall", "cancel"])
            faults[kind] = faults.get(kind, 0) + 1
            prompt = f"soak prompt {turn}"
            prompts.append(prompt)
            scenario = {"ok": f.replay(), "error": f.inject("error_chunk"), "stall": f.inject("stall"),
                        "cancel": f.inject("stall"), "cut": f.cut_at(rng.randrange(total))}[kind]
            server.queue(scenario)
            if kind == "cancel":
                before = replies(app)[-1] if replies(app) else None
                await send(pilot, prompt, wait=False)
                await wait_for(lambda before=before: replies(app)[-1] is not before and replies(app)[-1].text)
                await pilot.press("escape")
                await settle(pilot)
            else:
                await send(pilot, prompt)
            server.release_stalls()
            status = app.session.conversation.messages[-1].status
            if kind == "cancel":
                assert status == "stopped"
            elif kind in ("error", "stall"):
                assert status == "interrupted" and banner.visible
            if banner.visible and rng.random() < 0.5:  # retry some failures
                server.queue(f.replay())
                await pilot.press("ctrl+r")
                await settle(pilot)
                assert app.session.conversation.messages[-1].status == "complete"
                faults["retry"] = faults.get("retry", 0) + 1
            banner.hide()
            app.query_one("PromptInput").clear()
            server.requests.clear()  # the test server lives in this process: keep its memory out of the figure
            server.request_headers.clear()
            assert not [w for w in app.workers if w.is_running and w.group in ("reply", "tools")], turn
            expected_status.append(app.session.conversation.messages[-1].status)
            samples.append((rss_mb(), *fds()))
        stored = [m for _, m in app.session.history.store.messages(app.session.history.conversation_id)]
    # every prompt exactly once, in the app and in the database
    assert [m.content for m in app.session.conversation.messages if m.role == "user"] == prompts
    assert [m.content for m in stored if m.role == "user"] == prompts
    # every reply stored with the status the app has
    assert [(m.content, m.status) for m in stored if m.role == "assistant"] == [
        (m.content, m.status) for m in app.session.conversation.messages if m.role == "assistant"
    ]
    half = len(samples) // 2
    first, last = samples[:half], samples[half:]
    assert max(s[1] for s in last) <= max(s[1] for s in first) + 3, "file descriptors grow"
    assert max(s[2] for s in last) <= max(s[2] for s in first) + 2, "sockets grow"
    growth = max(s[0] for s in last) - last[0][0]
    assert growth < 20, f"RSS grew {growth:.1f} MB over the last {len(last)} turns"
    print(f"\nsoak: {turns} turns, faults {faults}, RSS {samples[0][0]:.0f} -> {samples[-1][0]:.0f} MB "
          f"(last-half growth {growth:.1f} MB), fds {samples[0][1]} -> {samples[-1][1]}, sockets {samples[0][2]} -> {samples[-1][2]}")
    print("rss curve:", " ".join(f"{s[0]:.0f}" for s in samples[:: max(1, len(samples) // 20)]))
