"""Confine file tools to allowed roots: no ``..`` escapes, no symlinks that leave."""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase
from pathlib import Path, PurePath

from .registry import ToolError

DEFAULT_DENY = (
    ".env", ".env.*", "*.env", ".envrc", "*.pem", "*.key", "*.p12", "*.pfx", "*.keystore", "*.jks",
    "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*", ".ssh", ".gnupg", ".aws", ".netrc", "_netrc",
    ".pgpass", ".npmrc", ".pypirc", ".git-credentials", "credentials", "credentials.*", "*credentials.json",
    "secrets.*", "*.secret", "*.secrets",
)
"""File and folder names read_file refuses (tools.deny): places that usually hold secrets."""


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


def denied_by(requested: str, real: Path, roots: list[Path], patterns: Sequence[str]) -> str | None:
    """The first deny pattern that the file's name, or a folder on its way from the root,
    matches (case-insensitively), for the path as asked for and as resolved; else None.
    A folder pattern such as ".ssh" so covers everything inside it, and a symlink named
    innocently that points at .env is refused as well."""
    names = [part for part in PurePath(requested).parts if part not in ("/", ".", "..")]
    for root in (r.resolve() for r in roots):
        if real == root or root in real.parents:
            names += real.relative_to(root).parts
            break
    names.append(real.name)
    for pattern in patterns:
        lowered = pattern.lower()
        if any(fnmatchcase(name.lower(), lowered) for name in names):
            return pattern
    return None
