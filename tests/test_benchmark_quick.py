"""The benchmark runs end to end in its quick mode (it asserts nothing about time)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEYS = {
    "bare_sdk_s", "app_s", "ratio_app_to_bare", "stock_markdownstream_s", "growth",
    "lag_ms_at_1000tps", "keypress_ms_while_streaming", "cpu_s", "peak_rss_mb", "first_frame_s",
    "ask_request_s", "ask_first_byte_s",
}


def test_benchmark_quick_mode_prints_every_figure(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_stream.py"), "--quick", "--json", str(out)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(out.read_text())
    assert KEYS <= figures.keys()
    for key in KEYS:
        assert key in result.stdout
        assert isinstance(figures[key], (int, float))
