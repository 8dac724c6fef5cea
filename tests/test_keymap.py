"""[keymap]: unknown binding ids and keys taken from another binding are configuration
errors; the table of binding ids in tui.core.keys matches the app's real BINDINGS."""

import importlib
import subprocess
import sys

import pytest
from textual.binding import Binding

from tui.core.keys import BINDINGS, DEFAULT_KEYS, keymap_problems
from tui.core.settings import ConfigError, load_settings


def config(tmp_path, keymap: str):
    path = tmp_path / "config.toml"
    path.write_text("[keymap]\n" + keymap)
    return path


def test_the_readme_example_alone_is_a_clash_that_names_both(tmp_path):
    path = config(tmp_path, '"app.focus_tools" = "ctrl+o"\n')
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert str(path) in message and "'app.focus_tools'" in message and "ctrl+o" in message
    assert "'app.history'" in message and "Fix:" in message


def test_a_misspelled_binding_id_is_an_error_with_a_suggestion(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_settings(config(tmp_path, '"app.focus_tool" = "ctrl+y"\n'))
    assert "unknown binding id 'app.focus_tool'" in str(info.value)
    assert "did you mean 'app.focus_tools'?" in str(info.value)


@pytest.mark.parametrize("keymap, words", [
    ('"app.quit" = "y"\n', ["'app.quit'", "'confirm.run'"]),         # the app's priority key, on every screen
    ('"confirm.run" = "h"\n', ["'confirm.run'", "a fixed key"]),     # h moves the focus there
    ('"history.rename" = "ctrl+d"\n', ["'history.delete'"]),
    ('"app.stop" = ""\n', ["'app.stop' has no keys"]),
])
def test_other_clashes_and_empty_keys(tmp_path, keymap, words):
    with pytest.raises(ConfigError) as info:
        load_settings(config(tmp_path, keymap))
    assert all(word in str(info.value) for word in words), str(info.value)


@pytest.mark.parametrize("keymap", [
    '"app.focus_tools" = "ctrl+o"\n"app.history" = "f2"\n',
    '"app.focus_tools" = "ctrl+b"\n"app.toggle_sidebar" = "ctrl+t"\n',  # a swap
    '"app.stop" = "escape,ctrl+c"\n"log.copy" = "c"\n',
    '"app.retry" = "ctrl+r"\n',  # its own default
])
def test_keymaps_without_a_clash_load(tmp_path, keymap):
    assert load_settings(config(tmp_path, keymap)).keymap


def test_every_default_key_is_free_of_clashes():
    assert keymap_problems({}) == []
    assert keymap_problems(dict(DEFAULT_KEYS)) == []


def test_a_bad_keymap_stops_the_cli_with_exit_2(tmp_path):
    path = config(tmp_path, '"app.focus_tools" = "ctrl+o"\n')
    result = subprocess.run([sys.executable, "-m", "tui", "--config", str(path)], capture_output=True,
                            text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "app.focus_tools" in result.stderr and "app.history" in result.stderr and "Traceback" not in result.stderr


def _declared(scope: str) -> list[tuple[str | None, str]]:
    module, _, name = scope.partition(":")
    cls = getattr(importlib.import_module(module), name)
    return [(b.id, b.key) for b in cls.__dict__["BINDINGS"] if isinstance(b, Binding)]


@pytest.mark.parametrize("scope", sorted(BINDINGS))
def test_the_table_matches_the_bindings_the_app_declares(scope):
    assert _declared(scope) == list(BINDINGS[scope])


def test_every_binding_with_an_id_is_in_the_table():
    import inspect
    import pkgutil

    import tui
    from textual.dom import DOMNode

    missing = []
    for info in pkgutil.walk_packages(tui.__path__, "tui."):
        if info.name.startswith("tui.core") or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, DOMNode) and cls.__module__ == module.__name__ and "BINDINGS" in cls.__dict__:
                if f"{module.__name__}:{name}" not in BINDINGS:
                    missing.append(f"{module.__name__}:{name}")
    assert missing == []
