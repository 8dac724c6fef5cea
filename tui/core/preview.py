"""What the first frame needs, read without pydantic.

Validating the settings costs about 0.15 s of imports (pydantic, pydantic-settings)
before anything is on screen. The app paints its first frame from a ``Preview``
(endpoint, model, theme, sidebar) and validates the full settings right after;
if they differ, the screen follows the validated values, and a bad config still
ends the run with the same message and exit code 2.

The same precedence as the settings: CLI flags > ``TUI_CHAT_*`` env vars > TOML
file > defaults. Anything unreadable here falls back to the default, because the
full load reports it properly a moment later.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_BASE_URL = "https://api.opper.ai/v3/compat"
DEFAULT_MODEL = "openai/gpt-5-mini"
DEFAULT_THEME = "textual-dark"
DEFAULT_SIDEBAR = True
DEFAULT_SIDEBAR_MIN_WIDTH = 100
DEFAULT_INLINE_HEIGHT = 20
ENV_PREFIX = "TUI_CHAT_"


def host_of(base_url: str) -> str:
    """``https://api.opper.ai/v3/compat`` -> ``api.opper.ai``."""
    rest = base_url.split("://", 1)[-1]
    return rest.split("/", 1)[0]


def config_file(config_path: Path | str | None) -> tuple[Path, bool]:
    """The config file to read, and whether the user named it (then it must exist)."""
    explicit = config_path is not None or "TUI_CHAT_CONFIG" in os.environ
    named = config_path or os.environ.get("TUI_CHAT_CONFIG")
    if named:
        return Path(named).expanduser(), explicit
    from platformdirs import user_config_path

    return user_config_path("tui-chat") / "config.toml", explicit


@dataclass(frozen=True)
class Preview:
    """The settings the first frame shows."""

    base_url: str = DEFAULT_BASE_URL
    model: str = DEFAULT_MODEL
    theme: str = DEFAULT_THEME
    sidebar: bool = DEFAULT_SIDEBAR
    sidebar_min_width: int = DEFAULT_SIDEBAR_MIN_WIDTH
    inline: bool = False
    inline_height: int = DEFAULT_INLINE_HEIGHT

    @property
    def host(self) -> str:
        return host_of(self.base_url)

    @classmethod
    def of(cls, settings: Any) -> "Preview":
        """The preview that validated ``Settings`` would give (same values)."""
        ui = settings.ui
        return cls(settings.base_url, settings.model, settings.theme, ui.sidebar, ui.sidebar_min_width, ui.inline, ui.inline_height)


def preview(config_path: Path | str | None = None, **overrides: Any) -> Preview:
    """Best-effort first-frame settings; never raises."""
    try:
        path, _ = config_file(config_path)
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    env = {key.upper(): value for key, value in os.environ.items() if key.upper().startswith(ENV_PREFIX)}
    ui: dict[str, Any] = data["ui"] if isinstance(data.get("ui"), dict) else {}

    def pick(name: str, kind: type, default: Any, table: dict = data, env_name: str = "") -> Any:
        value = overrides.get(name)
        if value is None:
            value = env.get(ENV_PREFIX + (env_name or name).upper())
        if value is None:
            value = table.get(name)
        if kind is bool and isinstance(value, str):
            value = {"true": True, "1": True, "false": False, "0": False}.get(value.lower())
        elif kind is int and isinstance(value, str):
            value = int(value) if value.isdigit() else None
        return value if isinstance(value, kind) and not (kind is int and isinstance(value, bool)) else default

    base_url = pick("base_url", str, DEFAULT_BASE_URL).rstrip("/")
    return Preview(
        base_url=base_url if base_url.startswith(("http://", "https://")) else DEFAULT_BASE_URL,
        model=pick("model", str, DEFAULT_MODEL),
        theme=pick("theme", str, DEFAULT_THEME),
        sidebar=pick("sidebar", bool, DEFAULT_SIDEBAR, ui, "ui__sidebar"),
        sidebar_min_width=pick("sidebar_min_width", int, DEFAULT_SIDEBAR_MIN_WIDTH, ui, "ui__sidebar_min_width"),
        inline=pick("inline", bool, False, ui, "ui__inline"),
        inline_height=max(8, pick("inline_height", int, DEFAULT_INLINE_HEIGHT, ui, "ui__inline_height")),
    )
