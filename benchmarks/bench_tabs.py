"""The memory of many tabs: RSS with N tabs of M finished replies each (issue 17).

Run on its own (``python benchmarks/bench_tabs.py``) or from bench_stream.py, which
adds the figures to its table outside --quick."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def tabs_rss(tabs: int = 5, replies: int = 200, words_per_reply: int = 300) -> dict:
    """Fill every tab's log with finished replies (as opening stored conversations does);
    RSS with one tab, then with all of them."""
    from tui.app import make_app
    from tui.core.settings import Settings
    from tui.widgets.message_log import MessageLog

    text = " ".join(f"word{i % 97}" + ("\n\n" if i % 60 == 59 else "") for i in range(words_per_reply))
    app = make_app(Settings(base_url="http://127.0.0.1:9/v1", model="m", api_key="k", history={"enabled": False}))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.memory.full()
        empty = current_rss_mb()
        per_tab = []
        for number in range(tabs):
            if number:
                app.tab_set.new_tab()
                await pilot.pause()
            log = app.active_tab.pane.query_one(MessageLog)
            for i in range(replies):
                log.add_user(f"question {i}")
                log.add_assistant(text, streaming=False)
                if i % 20 == 19:
                    await pilot.pause()
            await pilot.pause()
            app.memory.full()
            per_tab.append(current_rss_mb())
        return {
            "tabs_empty_rss_mb": empty,
            "tab1_rss_mb": per_tab[0],
            f"tabs{tabs}x{replies}_rss_mb": per_tab[-1],
            "rss_mb_per_extra_tab": (per_tab[-1] - per_tab[0]) / max(tabs - 1, 1),
        }


if __name__ == "__main__":
    tabs, replies = (int(a) for a in (sys.argv[1:3] or ("5", "200")))
    for key, value in asyncio.run(tabs_rss(tabs, replies)).items():
        print(f"{key:32} {value:12.1f}")
