"""History benchmark: open a long conversation, search many messages.

    python benchmarks/bench_history.py [--messages 1000] [--search-messages 10000] [--json PATH]

Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from tui.core.conversation import ChatMessage  # noqa: E402
from tui.core.store import Store  # noqa: E402

REPLY = """Here is how to do it, step by step.

1. Read the input.
2. Transform it.

```python
def transform(items: list[int]) -> list[int]:
    return [item * 2 for item in items if item % 3]
```

That keeps the code short and clear. {i}
"""


def fill(store: Store, messages: int, chars: int = 760) -> int:
    cid = store.create_conversation(model="openai/gpt-5-mini", host="api.opper.ai")
    with store.transaction() as db:
        from tui.core.store import _insert_message

        for i in range(messages):
            if i % 2 == 0:
                _insert_message(db, cid, ChatMessage("user", f"Question number {i} about transforms and lists?"))
            else:
                body = REPLY.format(i=i)
                _insert_message(db, cid, ChatMessage("assistant", (body * (chars // len(body) + 1))[:chars]))
    return cid


async def open_conversation(path: Path, cid: int) -> dict:
    from tests.helpers import screen_text
    from tui.app import make_app
    from tui.core.settings import Settings

    settings = Settings(base_url="http://127.0.0.1:9/v1", model="m", api_key="k", history={"path": str(path)})
    app = make_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        start = time.perf_counter()
        app.open_conversation(cid)
        while True:
            await asyncio.sleep(0.005)
            text = screen_text(app)
            if "That keeps the code short" in text and app.query_one("MessageLog").scroll_y >= app.query_one("MessageLog").max_scroll_y - 1:
                break
        elapsed = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return {"open_s": elapsed, "rss_mb": rss}


def search(path: Path, n: int) -> dict:
    store = Store(path)
    for _ in range(n // 1000):
        fill(store, 1000)
    times = []
    for query in ["transform", "lists", "number 4321", "clear code", "nothing-matches-this"]:
        start = time.perf_counter()
        store.search(query)
        times.append((time.perf_counter() - start) * 1000)
    return {"search_ms_median": statistics.median(times), "search_ms_max": max(times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--search-messages", type=int, default=10000)
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        store = Store(path)
        cid = fill(store, args.messages)
        chars = sum(len(m.content) for _, m in store.messages(cid))
        store.close()
        figures = {"messages": args.messages, "chars": chars}
        figures.update(asyncio.run(open_conversation(path, cid)))
        figures.update(search(Path(tmp) / "search.db", args.search_messages))
        figures["search_messages"] = args.search_messages
    targets = {"open_s": 1.0, "rss_mb": 250, "search_ms_max": 100}
    for key, value in figures.items():
        target = f"<= {targets[key]}  {'met' if value <= targets[key] else 'NOT met'}" if key in targets else ""
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"{key:22} {shown:>12}  {target}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
