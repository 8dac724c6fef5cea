"""Confine file tools to allowed roots: no ``..`` escapes, no symlinks that leave."""

from __future__ import annotations

from pathlib import Path

from .registry import ToolError


def resolve_inside(path: str, roots: list[Path]) -> Path:
    """The real path of ``path`` if it lies inside one of ``roots``; else ToolError.

    Relative paths are taken from the first root. The check is on the fully
    resolved path, so a symlink inside a root that points outside is refused.
    """
    if "\x00" in path:
        raise ToolError("invalid path")
    real_roots = [root.resolve() for root in roots]
    candidate = Path(path).expanduser()
    if not candidate.is_absolute():
        candidate = real_roots[0] / candidate
    try:
        real = candidate.resolve()
    except (OSError, RuntimeError) as exc:
        raise ToolError(f"cannot resolve {path}: {exc}") from None
    if not any(real == root or root in real.parents for root in real_roots):
        allowed = ", ".join(str(r) for r in real_roots)
        raise ToolError(f"access denied: {path} is outside the allowed folders ({allowed})")
    if not real.exists():
        raise ToolError(f"no such file or directory: {path}")
    return real
