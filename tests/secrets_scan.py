"""Scan what the suite produced for the API key: snapshots, screenshots, temp files
(databases, exports, logs) and every error message the app classified."""

from __future__ import annotations

from pathlib import Path

FAILURE_TEXTS: list[str] = []


def scan(roots: list[Path], secret: str, texts: list[str]) -> list[str]:
    needle = secret.encode()
    leaks = []
    for root in roots:
        if not root.exists():
            continue
        for path in root.rglob("*"):
            try:
                if path.is_file() and path.stat().st_size < 50_000_000 and needle in path.read_bytes():
                    leaks.append(str(path))
            except OSError:
                continue
    leaks += [f"error message: {text[:80]}" for text in texts if secret in text]
    return leaks
