"""The environment a tool's program gets: tui-chat's own, minus anything that looks secret.

A model chooses what a tool runs and reads what it prints, so an API key in the
environment is one ``env`` call away from the model and whoever runs it. MCP
servers get a minimal environment from the mcp library; programs started by
run_command and [[tools.command]] get this one. A variable a tool's config names
in ``pass_env`` is kept even if it looks secret.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

_SECRET = re.compile(
    r"API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|SECRET|TOKEN|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|AUTH|COOKIE|SESSION",
    re.IGNORECASE,
)
_SECRET_NAMES = {"OPPER_API_KEY", "OPENAI_API_KEY", "TUI_CHAT_API_KEY", "PGPASSFILE", "NETRC"}


def looks_secret(name: str) -> bool:
    """Whether a variable name suggests a credential (or is tui-chat's own config)."""
    return name.upper() in _SECRET_NAMES or name.upper().startswith("TUI_CHAT_") or bool(_SECRET.search(name))


def tool_environment(pass_env: Iterable[str] = (), environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """A copy of ``environ`` (default: this process's) without secret-looking variables,
    except those named in ``pass_env``."""
    source = os.environ if environ is None else environ
    keep = set(pass_env)
    return {name: value for name, value in source.items() if name in keep or not looks_secret(name)}
