"""The files the ``@`` picker offers: under the roots, with ``.gitignore`` respected.

Inside a git work tree, git itself says which files are not ignored (tracked and
untracked alike); elsewhere the tree is walked, skipping hidden folders and the
usual build and cache folders. The list is capped so that a huge tree stays quick.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

LIMIT = 5000
SKIP = {"node_modules", "__pycache__", ".git", ".venv", "venv", "dist", "build", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def files_under(root: Path, limit: int = LIMIT) -> list[str]:
    """Paths relative to ``root``, sorted."""
    found = _git_files(root)
    if found is None:
        found = _walk(root, limit)
    return sorted(found)[:limit]


def _git_files(root: Path) -> list[str] | None:
    try:
        done = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=root, capture_output=True, timeout=5, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    names = [name for name in done.stdout.decode("utf-8", "replace").split("\0") if name]
    return [name for name in names if (root / name).is_file()]


def _walk(root: Path, limit: int) -> list[str]:
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP and not d.startswith("."))
        for name in files:
            found.append((Path(folder) / name).relative_to(root).as_posix())
            if len(found) >= limit:
                return found
    return found


def pasted_path(text: str, roots: list[Path]) -> str | None:
    """A paste that is the path of an existing image file (a dropped file), else None."""
    from .attachments import IMAGE_SUFFIXES

    candidate = text.strip().strip("'\"")
    if "\n" in candidate or not candidate.lower().endswith(IMAGE_SUFFIXES):
        return None
    candidate = candidate.replace("\\ ", " ")
    if candidate.startswith("file://"):
        candidate = candidate[len("file://"):]
    path = Path(candidate).expanduser()
    if not path.is_absolute():
        path = roots[0] / path
    return candidate if path.is_file() else None
