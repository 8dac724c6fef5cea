"""Streaming benchmark: the real app against a bare SDK loop and stock Textual.

    python benchmarks/bench_stream.py [--tokens N] [--json PATH] [--quick]

Everything runs on loopback against the tests' scripted server. It prints a
table and asserts nothing about time: numbers are for reading, not for CI.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import re
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

if not os.environ.get("TUI_CHAT_BENCH_STOCK"):  # the stock run keeps Textual's defaults
    from tui.cli import tune_textual  # noqa: E402 - before Textual: the app's start-up settings apply here too

    tune_textual()
from tests import sse_server as srv  # noqa: E402

SECTION = """## Section {i}: notes on streaming

Streaming replies arrive as many **small** pieces, and each one has to land on screen
without making the app slow. This paragraph has `inline code`, *emphasis* and a
[link](https://example.com/{i}) to look realistic.

- the first point, kept short
- a second point with a few more words in it
- a third point that mentions `sorted()` and `list.sort()`

1. parse the line
2. append the text
3. render the open block

```python
def handle_{i}(chunk: dict) -> str:
    text = chunk["choices"][0]["delta"].get("content") or ""
    return text.strip()
```

| step | cost | note |
|------|------|------|
| parse | low | json.loads |
| render | bounded | open block only |

> A quote to finish the section, because answers often contain one.

"""


def make_tokens(n: int) -> list[str]:
    """``n`` tokens of realistic Markdown; the last one is a unique marker."""
    pieces: list[str] = []
    i = 0
    while len(pieces) < n - 1:
        pieces.extend(re.findall(r"\s*\S{1,6}|\s+", SECTION.format(i=i)))
        i += 1
    pieces = pieces[: n - 1]
    pieces.append(f" END{n}")
    return pieces


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# -- the server, in its own process so it never competes for our GIL ----------------
def bench_scenario(body: dict) -> srv.Scenario:
    """``bench N TPS`` in the last user message picks N tokens at TPS (0 = flat out)."""
    words = str(body["messages"][-1].get("content", "")).split()
    n, tps = int(words[1]), float(words[2])
    scenario = srv.token_stream(make_tokens(n))
    if tps:
        scenario = srv.paced(scenario, tps)
    last = max(i for i, a in enumerate(scenario.actions) if a[0] == "raw")
    scenario.actions.insert(last + 1, ("mark",))
    return scenario


def serve() -> None:
    server = srv.ScriptedServer()
    server.chooser = bench_scenario
    server.start()
    print(server.base_url, flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    server.stop()


class ServerProcess:
    def __enter__(self) -> "ServerProcess":
        import subprocess

        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.base_url = self.proc.stdout.readline().strip()
        return self

    def __exit__(self, *exc) -> None:
        self.proc.stdin.close()
        self.proc.wait(10)

    def last_mark(self) -> float:
        import urllib.request

        with urllib.request.urlopen(self.base_url + "/_marks") as response:
            return json.load(response)["marks"][-1]


# -- bare SDK ---------------------------------------------------------------
async def bare_sdk(server: ServerProcess, n: int) -> float:
    import openai

    client = openai.AsyncOpenAI(base_url=server.base_url, api_key="sk-bench", max_retries=0)
    start = time.perf_counter()
    stream = await client.chat.completions.create(
        model="test-model", messages=[{"role": "user", "content": f"bench {n} 0"}], stream=True,
        stream_options={"include_usage": True},
    )
    async for _chunk in stream:
        pass
    elapsed = time.perf_counter() - start
    await client.close()
    return elapsed


# -- the real app -------------------------------------------------------------
def _settings(server):
    from tui.core.settings import Settings

    return Settings(base_url=server.base_url, model="test-model", api_key="sk-bench", max_retries=0, history={"enabled": False})


class Probe:
    """Records when the app writes a frame, and when the marker's line was rendered into the
    reply body (which can be a turn or two after it arrived: see markdown_view.SLICE)."""

    def __init__(self, app, marker: str = "") -> None:
        from tui.widgets.markdown_view import MarkdownView

        self.frames: list[float] = []
        self.marker_appended: float | None = None
        probe = self
        original_update = MarkdownView._update

        def update(view):
            original_update(view)
            if marker and probe.marker_appended is None and not view._behind and view.text.rstrip().endswith(marker):
                probe.marker_appended = time.perf_counter()

        app.call_later(lambda: None)
        self._restore = (MarkdownView, "_update", original_update)
        MarkdownView._update = update
        original = app._display

        def display(*args, **kwargs):
            self.frames.append(time.perf_counter())
            return original(*args, **kwargs)

        app._display = display

    def first_frame_after(self, moment: float) -> float | None:
        for t in self.frames:
            if t >= moment:
                return t
        return None


async def wait_rendered(app, pilot, marker: str, timeout: float = 600) -> float:
    """Wait until ``marker`` is on screen (in the compositor's output); return when."""
    from tests.helpers import screen_text

    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if not app.streaming and marker in screen_text(app):
            return time.perf_counter()
        await asyncio.sleep(0.005)
    raise TimeoutError(f"{marker} never rendered")


async def app_run(server: ServerProcess, n: int, *, tps: float = 0, keypresses: int = 0) -> dict:
    from textual import events

    from tests.helpers import replies
    from tui.app import make_app
    from tui.widgets.prompt_input import PromptInput

    tokens = make_tokens(n)
    marker = tokens[-1].strip()
    app = make_app(_settings(server))
    result: dict = {}
    async with app.run_test(size=(120, 40)) as pilot:
        probe = Probe(app, marker)
        prompt = app.query_one(PromptInput)
        prompt.load_text(f"bench {n} {tps:g}")
        while not app.startup.warmed_up:  # the SDK and Markdown imports that follow the first frame
            await asyncio.sleep(0.01)
        await pilot.pause()
        gc.collect()
        cpu0 = time.process_time()
        start = time.perf_counter()
        app.post_message(events.Key("enter", None))
        latencies = []
        await asyncio.sleep(0.1)
        for _ in range(keypresses):
            if not app.streaming:
                break
            before = prompt.text
            t0 = time.perf_counter()
            app.post_message(events.Key("z", "z"))
            give_up = t0 + 5
            while prompt.text == before and time.perf_counter() < give_up:
                await asyncio.sleep(0.0005)
            seen = time.perf_counter()
            frame = None
            while frame is None and time.perf_counter() < give_up:
                frame = probe.first_frame_after(seen)
                await asyncio.sleep(0.0005)
            if frame is None:
                raise TimeoutError("a key press never reached the screen")
            latencies.append((frame - t0) * 1000)
            await asyncio.sleep(0.05)
        done = await wait_rendered(app, pilot, marker)
        result["app_s"] = done - start
        result["cpu_s"] = time.process_time() - cpu0
        reply = replies(app)[-1]
        assert reply.text == "".join(tokens), "reply text differs from what was sent"
        mark = server.last_mark()
        frame = probe.first_frame_after(probe.marker_appended or done)
        result["lag_ms"] = ((frame or done) - mark) * 1000
        setattr(*probe._restore)
        result["keypress_ms"] = latencies
        result["peak_rss_mb"] = rss_mb()
    return result


# -- growth: cost per token over the reply's length ------------------------------------
async def growth(tokens: list[str], batch: int = 20) -> tuple[float, list[float]]:
    """Feed the app's MarkdownView frame-sized batches; compare last 1k to first 1k tokens."""
    from textual.app import App

    from tui.widgets.markdown_view import MarkdownView

    class Host(App):
        def compose(self):
            yield MarkdownView()

    app = Host()
    stamps = [0.0]
    async with app.run_test(size=(120, 40)) as pilot:
        view = app.query_one(MarkdownView)
        start = time.perf_counter()
        for i in range(0, len(tokens), batch):
            view.append("".join(tokens[i : i + batch]))
            await pilot.pause()
            stamps.append(time.perf_counter() - start)
    per_batch = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    k = max(1, 1000 // batch)
    first, last = sum(per_batch[:k]), sum(per_batch[-k:])
    return (last / first if first else float("nan")), per_batch


# -- stock Textual MarkdownStream ----------------------------------------------------
def stock_in_stock_textual(n: int) -> float:
    """Run the stock measurement in a fresh process with Textual's own TEXTUAL_FPS (60):
    tui-chat raises it (see tui/cli.py), which would not be stock any more."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_FPS"}
    env["TUI_CHAT_BENCH_STOCK"] = "1"
    out = subprocess.run([sys.executable, __file__, "--stock", str(n)], capture_output=True, text=True, env=env, check=True)
    return float(out.stdout.strip().splitlines()[-1])


async def stock_markdownstream(tokens: list[str]) -> float:
    from textual.app import App
    from textual.widgets import Markdown

    class Host(App):
        def compose(self):
            yield Markdown()

    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        md = app.query_one(Markdown)
        start = time.perf_counter()
        stream = Markdown.get_stream(md)
        for token in tokens:
            await stream.write(token)
        await stream.stop()
        await pilot.pause()
        return time.perf_counter() - start


# -- a long log ------------------------------------------------------------------------------
async def long_log(replies_count: int, tokens_per_reply: int) -> dict:
    """Mount finished long replies, then page through the log; time per page and RSS."""
    from tui.app import make_app
    from tui.core.settings import Settings
    from tui.widgets.message_log import MessageLog

    text = "".join(make_tokens(tokens_per_reply))
    app = make_app(Settings(base_url="http://127.0.0.1:9/v1", model="m", api_key="k", history={"enabled": False}))
    async with app.run_test(size=(120, 40)) as pilot:
        log = app.query_one(MessageLog)
        start = time.perf_counter()
        for i in range(replies_count):
            log.add_user(f"question {i}")
            log.add_assistant(text, streaming=False)
            if i % 20 == 19:
                await pilot.pause()
        await pilot.pause()
        build_s = time.perf_counter() - start
        app.memory.full()  # as opening a stored conversation does (and a live one every 25 replies)
        log.scroll_home(animate=False)
        await pilot.pause()
        probe = Probe(app)
        pages = []
        for _ in range(30):  # what a user sees: Page Down to the new page on screen
            t0 = time.perf_counter()
            log.scroll_page_down(animate=False)
            frame = None
            while frame is None and time.perf_counter() - t0 < 10:
                await asyncio.sleep(0.0005)
                frame = probe.first_frame_after(t0)
            pages.append(((frame or time.perf_counter()) - t0) * 1000)
            await asyncio.sleep(0.1)
        setattr(*probe._restore)
        return {
            "build_s": build_s,
            "page_ms_median": statistics.median(pages),
            "page_ms_max": max(pages),
            "rss_mb": current_rss_mb(),
        }


# -- first frame ------------------------------------------------------------------------------
FLOOR_APP = """
from textual.app import App
from textual.widgets import Static

class Floor(App):
    def compose(self):
        yield Static("Tool calls 127.0.0.1")

Floor().run()
"""


def first_frame(runs: int = 5, command: list[str] | None = None) -> float:
    """Process start to the first full frame of ``tui-chat`` on a pseudo-terminal (median).

    Bytecode is allowed (PYTHONDONTWRITEBYTECODE is dropped) and one discarded start
    writes it, as an installed app has it. With ``command`` = the floor app, the same
    measurement of a one-widget Textual app: what Python and Textual cost before any
    app code runs.
    """
    import pty
    import select
    import subprocess

    command = command or [sys.executable, "-m", "tui", "--base-url", "http://127.0.0.1:9/v1"]
    times = []
    for run in range(runs + 1):
        master, slave = pty.openpty()
        os.set_blocking(master, False)
        env = dict(os.environ, TERM="xterm-256color", COLUMNS="120", LINES="40", TUI_CHAT_CONFIG=os.devnull,
                   TUI_CHAT_HISTORY__ENABLED="false")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        start = time.perf_counter()
        proc = subprocess.Popen(
            command, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=str(ROOT), close_fds=True,
        )
        os.close(slave)
        seen = b""
        elapsed = None
        while time.perf_counter() - start < 15:
            ready, _, _ = select.select([master], [], [], 0.01)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
                if b"Tool calls" in seen and b"127.0.0.1" in seen:
                    elapsed = time.perf_counter() - start
                    break
        proc.kill()
        proc.wait()
        os.close(master)
        if elapsed is not None and run:
            times.append(elapsed)
    return statistics.median(times) if times else float("nan")


def ask_startup(runs: int = 5) -> tuple[float, float]:
    """``tui-chat ask`` in a pipe: process start to the request reaching the loopback
    server, and to the first byte of the reply on stdout (medians). One discarded run
    writes the bytecode, as an installed app has it."""
    import subprocess

    arrived: list[float] = []
    server = srv.ScriptedServer()

    def choose(body: dict) -> srv.Scenario:
        arrived.append(time.perf_counter())
        return srv.text_reply("Hello from the benchmark.")

    server.chooser = choose
    request_s, first_byte_s = [], []
    with server:
        env = dict(os.environ, TUI_CHAT_CONFIG=os.devnull, TUI_CHAT_HISTORY__ENABLED="false", TUI_CHAT_API_KEY="sk-bench")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        for run in range(runs + 1):
            arrived.clear()
            start = time.perf_counter()
            proc = subprocess.Popen(
                [sys.executable, "-m", "tui", "ask", "--base-url", server.base_url, "-m", "test-model", "hi"],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=str(ROOT),
            )
            first = proc.stdout.read(1)
            seen = time.perf_counter()
            proc.stdout.read()
            proc.wait()
            if run and first and arrived:
                request_s.append(arrived[0] - start)
                first_byte_s.append(seen - start)
    nan = float("nan")
    return (statistics.median(request_s) if request_s else nan), (statistics.median(first_byte_s) if first_byte_s else nan)


# -- main ------------------------------------------------------------------------------------
async def run(n: int, quick: bool) -> dict:
    tokens = make_tokens(n)
    figures: dict = {"tokens": n}
    with ServerProcess() as server:
        await bare_sdk(server, 200)  # warm-up: imports, connection
        figures["bare_sdk_s"] = await bare_sdk(server, n)
        full = await app_run(server, n)
        figures["app_s"] = full["app_s"]
        figures["ratio_app_to_bare"] = full["app_s"] / figures["bare_sdk_s"]
        figures["cpu_s"] = full["cpu_s"]
        figures["peak_rss_mb"] = full["peak_rss_mb"]
        lags = [(await app_run(server, min(n, 300 if quick else 3000), tps=1000))["lag_ms"] for _ in range(1 if quick else 5)]
        figures["lag_ms_at_1000tps"] = statistics.median(lags)  # one run is one sample of a noisy delay
        figures["lag_ms_at_1000tps_max"] = max(lags)
        keys = await app_run(server, n, keypresses=3 if quick else 10)
        lat = keys["keypress_ms"] or [float("nan")]
        figures["keypress_ms_while_streaming"] = max(lat)
        figures["keypress_ms_median"] = statistics.median(lat)
        figures["keypress_samples"] = len(keys["keypress_ms"])
    figures["growth"], _ = await growth(tokens)
    figures["stock_markdownstream_s"] = stock_in_stock_textual(n)
    figures["speedup_vs_stock"] = figures["stock_markdownstream_s"] / figures["app_s"]
    log = await long_log(20 if quick else 200, 300 if quick else 2000)
    figures["log200_build_s"] = log["build_s"]
    figures["log200_page_ms_median"] = log["page_ms_median"]
    figures["log200_page_ms_max"] = log["page_ms_max"]
    figures["log200_rss_mb"] = log["rss_mb"]
    if not quick:  # slow: 1,000 Markdown replies
        from bench_tabs import tabs_rss

        figures.update(await tabs_rss(5, 200))
    figures["first_frame_s"] = first_frame(3 if quick else 11)
    figures["first_frame_floor_s"] = first_frame(3 if quick else 11, [sys.executable, "-c", FLOOR_APP])
    figures["ask_request_s"], figures["ask_first_byte_s"] = ask_startup(3 if quick else 11)
    return figures


TARGETS = {
    "ratio_app_to_bare": ("<=", 1.0),
    "speedup_vs_stock": (">=", 3.0),
    "growth": ("<=", 1.3),
    "lag_ms_at_1000tps": ("<=", 50),
    "keypress_ms_while_streaming": ("<=", 50),
    "first_frame_s": ("<=", 0.35),
}


def table(figures: dict) -> str:
    lines = [f"{'figure':32} {'value':>12}  target"]
    for key, value in figures.items():
        target = ""
        if key in TARGETS:
            op, limit = TARGETS[key]
            ok = value <= limit if op == "<=" else value >= limit
            target = f"{op} {limit}  {'met' if ok else 'NOT met'}"
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        lines.append(f"{key:32} {shown:>12}  {target}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=10_000)
    parser.add_argument("--json", metavar="PATH")
    parser.add_argument("--quick", action="store_true", help="500 tokens, to prove the benchmark runs")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--stock", type=int, metavar="N", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stock:
        print(asyncio.run(stock_markdownstream(make_tokens(args.stock))))
        return None
    if args.serve:
        return serve()
    n = 500 if args.quick else args.tokens
    figures = asyncio.run(run(n, args.quick))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}")
    print(table(figures))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
