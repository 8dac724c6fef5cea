"""Config sources, precedence, key fallbacks and every bad-config case."""

import subprocess
import sys

import pytest

from tui.core.settings import DEFAULT_BASE_URL, DEFAULT_MODEL, ConfigError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("TUI_CHAT_API_KEY", "OPPER_API_KEY", "OPENAI_API_KEY", "TUI_CHAT_MODEL", "TUI_CHAT_BASE_URL", "TUI_CHAT_CONFIG"):
        monkeypatch.delenv(name, raising=False)


def write(tmp_path, text):
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_defaults_point_at_opper(tmp_path):
    s = load_settings(write(tmp_path, ""))
    assert s.base_url == DEFAULT_BASE_URL and s.model == DEFAULT_MODEL and s.read_timeout == 60
    assert s.api_key is None and s.key == ""


def test_precedence_cli_over_env_over_file(tmp_path, monkeypatch):
    path = write(tmp_path, 'model = "file"\nbase_url = "http://file/v1"\ntemperature = 0.5\n')
    assert load_settings(path).model == "file"
    monkeypatch.setenv("TUI_CHAT_MODEL", "env")
    s = load_settings(path)
    assert s.model == "env" and s.base_url == "http://file/v1" and s.temperature == 0.5
    assert load_settings(path, model="cli").model == "cli"


def test_nested_env_delimiter(tmp_path, monkeypatch):
    monkeypatch.setenv("TUI_CHAT_UI__SIDEBAR", "false")
    assert load_settings(write(tmp_path, "")).ui.sidebar is False


def test_key_fallbacks(tmp_path, monkeypatch):
    path = write(tmp_path, "")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    assert load_settings(path).key == "sk-openai"
    monkeypatch.setenv("OPPER_API_KEY", "op-opper")
    assert load_settings(path).key == "op-opper"
    monkeypatch.setenv("TUI_CHAT_API_KEY", "sk-tui")
    s = load_settings(path)
    assert s.key == "sk-tui"
    assert "sk-tui" not in repr(s) and "sk-tui" not in str(s.model_dump())


def test_keymap_table(tmp_path):
    s = load_settings(write(tmp_path, '[keymap]\n"app.focus_tools" = "ctrl+o"\n"app.history" = "f2"\n'))
    assert s.keymap == {"app.focus_tools": "ctrl+o", "app.history": "f2"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("model = = 1\n", "invalid TOML"),
        ('modle = "x"\n', "unknown setting 'modle'"),
        ('temperature = "hot"\n', "setting 'temperature'"),
        ("[ui]\nsidebar = 3\n", "setting 'ui.sidebar'"),
        ('base_url = "api.example.com/v1"\n', "must start with http:// or https://"),
    ],
)
def test_bad_config_messages(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert expected in message and str(path) in message and "Fix:" in message


def test_missing_explicit_config_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml")


def test_bad_config_exits_2_without_traceback(tmp_path):
    path = write(tmp_path, 'temperature = "hot"\n')
    result = subprocess.run([sys.executable, "-m", "tui", "--config", str(path)], capture_output=True, text=True)
    assert result.returncode == 2
    assert "temperature" in result.stderr and "Traceback" not in result.stderr


def test_example_config_loads_and_documents_every_setting():
    from pathlib import Path

    from pydantic import BaseModel

    from tui.core.settings import Settings

    path = Path(__file__).parent.parent / "config.example.toml"
    load_settings(path)
    text = path.read_text()

    def names(model, prefix=""):
        for name, field in model.model_fields.items():
            yield field.alias or name
            for kind in (field.annotation, *getattr(field.annotation, "__args__", ())):
                if isinstance(kind, type) and issubclass(kind, BaseModel):
                    yield from names(kind)

    missing = [n for n in names(Settings) if n not in text]
    assert missing == []


def test_environment_key_beats_the_file(tmp_path, monkeypatch):
    path = write(tmp_path, 'api_key = "from-file"\n')
    assert load_settings(path).key == "from-file"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    assert load_settings(path).key == "sk-openai"
    monkeypatch.setenv("OPPER_API_KEY", "op-opper")
    assert load_settings(path).key == "op-opper"
    monkeypatch.setenv("TUI_CHAT_API_KEY", "sk-tui")
    assert load_settings(path).key == "sk-tui"
