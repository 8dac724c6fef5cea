"""The bundled local model's numbers: load time, time to first token, tokens a second.

    python benchmarks/bench_local.py [--runs 3] [--tokens 200] [--gguf PATH]

It starts the same child server the app starts (tui.core.local.LocalServer), then
streams answers through the official openai client, as the app does. It prints
numbers and never passes or fails on them. Also prints the CPU features that decide
which llama.cpp kernels run (AVX2, AVX-512, AMX).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tui.core.local import MODEL_ALIAS, LocalConfig, LocalServer, locate_model  # noqa: E402

PROMPT = "Write a short story about a lighthouse keeper who finds a message in a bottle."


def cpu_features() -> str:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "unknown"
    found = sorted(set(re.findall(r"\b(avx2|avx512[a-z0-9_]*|amx[a-z0-9_]*)\b", flags)))
    return " ".join(found) or "none of avx2/avx512/amx"


async def one_answer(client, tokens: int) -> tuple[float, int, float]:
    """Seconds to the first content token, tokens streamed, and seconds for the rest."""
    began = time.perf_counter()
    first = 0.0
    count = 0
    stream = await client.chat.completions.create(
        model=MODEL_ALIAS, stream=True, max_tokens=tokens, temperature=0.0,
        messages=[{"role": "user", "content": PROMPT}],
    )
    async for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            count += 1
            if not first:
                first = time.perf_counter() - began
    return first, count, time.perf_counter() - began - first


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=200)
    parser.add_argument("--gguf")
    args = parser.parse_args()
    from openai import AsyncOpenAI

    model = locate_model(args.gguf)
    print(f"cpu_features: {cpu_features()}")
    print(f"model: {model.name} ({model.stat().st_size / 1e6:.0f} MB)")
    loads, firsts, rates = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            server = LocalServer(LocalConfig(model), log=Path(tmp) / "server.log")
            began = time.perf_counter()
            await server.start()
            loads.append(time.perf_counter() - began)
            client = AsyncOpenAI(base_url=server.base_url, api_key="local")
            try:
                first, count, rest = await one_answer(client, args.tokens)
            finally:
                await client.close()
                server.stop()
            firsts.append(first)
            rates.append((count - 1) / rest if rest > 0 and count > 1 else 0.0)
            print(f"run {run + 1}: load_s={loads[-1]:.2f} first_token_s={first:.3f} tokens={count} tok_per_s={rates[-1]:.1f}")
    print(f"load_s_median: {statistics.median(loads):.2f}")
    print(f"first_token_s_median: {statistics.median(firsts):.3f}")
    print(f"tok_per_s_median: {statistics.median(rates):.1f}")


if __name__ == "__main__":
    asyncio.run(main())
