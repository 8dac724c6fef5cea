"""The model picker and the chat settings screen, each on a tiny host app."""

from __future__ import annotations

import asyncio

import pytest
from textual.app import App
from textual.widgets import Input, OptionList, Static, TextArea

from tui.core.chat_options import ChatOptions, parse_max_tokens, parse_temperature
from tui.core.models import ModelsUnavailable
from tui.screens.chat_settings import ChatSettingsScreen
from tui.screens.model_picker import ModelPicker, matches

SIZE = (100, 30)
MODELS = ["gpt-b", "gpt-a", "claude"]
UNSET = object()


class Host(App):
    """Pushes one screen and keeps what it was dismissed with."""

    def __init__(self, screen) -> None:
        super().__init__()
        self.modal = screen
        self.result = UNSET

    def on_mount(self) -> None:
        self.push_screen(self.modal, self._done)

    def _done(self, result) -> None:
        self.result = result


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def loader(models=MODELS):
    async def load() -> list[str]:
        return list(models)

    return load


def failing(message="this endpoint has no model list (404)"):
    async def load() -> list[str]:
        raise ModelsUnavailable(message)

    return load


def shown(app) -> list[str]:
    options = app.screen.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def status(app) -> str:
    return str(app.screen.query_one("#status", Static).render())


# -- model picker


async def test_picker_lists_models_and_marks_current():
    app = Host(ModelPicker("gpt-b", loader()))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert shown(app) == ["  claude", "  gpt-a", "● gpt-b"]
        assert app.screen.query_one(OptionList).highlighted == 2
        assert status(app) == "3 models"
        assert isinstance(app.focused, Input)
        assert "● gpt-b" in screen_text(app)
        assert "Model — type to filter, Enter to choose, Esc to cancel" in screen_text(app)


async def test_picker_enter_keeps_highlighted_current():
    app = Host(ModelPicker("gpt-a", loader()))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()
    assert app.result == "gpt-a"


async def test_picker_filters_by_all_words():
    app = Host(ModelPicker("gpt-b", loader(["openai/gpt-4o", "openai/gpt-4o-mini", "anthropic/claude-sonnet", "GPT-OSS"])))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"gpt")
        await pilot.pause()
        assert [s.strip() for s in shown(app)] == ["GPT-OSS", "openai/gpt-4o", "openai/gpt-4o-mini"]
        assert status(app) == "3 of 4 models"
        await pilot.press(*" MINI")
        await pilot.pause()
        assert [s.strip() for s in shown(app)] == ["openai/gpt-4o-mini"]
        await pilot.press("enter")
        await pilot.pause()
    assert app.result == "openai/gpt-4o-mini"


async def test_picker_up_down_from_the_input_then_enter():
    app = Host(ModelPicker("claude", loader()))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query_one(OptionList).highlighted == 0
        await pilot.press("down", "down", "up")
        await pilot.pause()
        assert isinstance(app.focused, Input)
        assert app.screen.query_one(OptionList).highlighted == 1
        await pilot.press("enter")
        await pilot.pause()
    assert app.result == "gpt-a"


async def test_picker_no_match_uses_typed_text():
    app = Host(ModelPicker("gpt-a", loader()))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"my/custom")
        await pilot.pause()
        assert shown(app) == []
        assert "Enter uses “my/custom”" in status(app)
        await pilot.press("enter")
        await pilot.pause()
    assert app.result == "my/custom"


async def test_picker_failure_is_free_text():
    app = Host(ModelPicker("gpt-a", failing()))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert status(app) == "Could not list models: this endpoint has no model list (404). Type a model id and press Enter."
        assert app.screen.query_one("#status").has_class("-error")
        assert not app.screen.query_one(OptionList).display
        await pilot.press("enter")  # nothing typed: stays open
        await pilot.pause()
        assert isinstance(app.screen, ModelPicker) and app.result is UNSET
        await pilot.press(*"  vendor/model-x  ")
        await pilot.press("enter")
        await pilot.pause()
    assert app.result == "vendor/model-x"


async def test_picker_broken_loader_does_not_crash():
    async def load() -> list[str]:
        raise RuntimeError("boom")

    app = Host(ModelPicker("gpt-a", load))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Could not list models: unexpected error (RuntimeError)" in status(app)
        await pilot.press("escape")
        await pilot.pause()
    assert app.result is None


async def test_picker_escape_returns_none():
    app = Host(ModelPicker("gpt-a", loader()))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*"claude", "escape")
        await pilot.pause()
    assert app.result is None


async def test_picker_escape_while_loading():
    never = asyncio.Event()

    async def load() -> list[str]:
        await never.wait()
        return []

    app = Host(ModelPicker("gpt-a", load))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert status(app) == "loading models…"
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ModelPicker)
    assert app.result is None


async def test_picker_shows_markup_and_controls_literally():
    ids = ["[bold]x[/]", "[red]y", "evil\x1b[31mred\x07"]
    app = Host(ModelPicker("none", loader(ids)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "[bold]x[/]" in text and "[red]y" in text
        assert "evilred" in text and "\x1b" not in text
        await pilot.press(*"bold", "enter")
        await pilot.pause()
    assert app.result == "[bold]x[/]"


async def test_picker_click_selects():
    app = Host(ModelPicker("gpt-a", loader()))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        await pilot.click(options, offset=(4, 3))  # border row, then claude, gpt-a, gpt-b
        await pilot.pause()
    assert app.result == "gpt-b"


def test_matches():
    assert matches("openai/GPT-4o-mini", "gpt mini")
    assert matches("anything", "   ")
    assert not matches("openai/gpt-4o", "gpt mini")


# -- chat settings


def field(app, name: str) -> Input:
    return app.screen.query_one(f"#{name}", Input)


def error_text(app) -> str:
    return str(app.screen.query_one("#error", Static).render())


async def replace(pilot, name: str, text: str) -> None:
    field(pilot.app, name).focus()
    await pilot.press("home", "ctrl+k", *text)


async def test_settings_prefilled():
    app = Host(ChatSettingsScreen(ChatOptions("Be brief.\nUse metric.", 0.7, 256), persistent=True))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.query_one(TextArea).text == "Be brief.\nUse metric."
        assert field(app, "temperature").value == "0.7"
        assert field(app, "max-tokens").value == "256"
        assert "Saved with this conversation." in screen_text(app)
        assert "Save (ctrl+s)" in screen_text(app) and "Cancel (Esc)" in screen_text(app)


async def test_settings_hint_when_history_is_off():
    app = Host(ChatSettingsScreen(ChatOptions(), persistent=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "History is off: kept for this session only." in screen_text(app)
        assert field(app, "temperature").value == "" and field(app, "max-tokens").value == ""


async def test_settings_save_valid_values():
    app = Host(ChatSettingsScreen(ChatOptions("Old.", 0.7, 256), persistent=True))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+a", "ctrl+k", *"You are terse.")
        await replace(pilot, "temperature", "1.25")
        await replace(pilot, "max-tokens", "")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.result == ChatOptions("You are terse.", 1.25, None)


async def test_settings_save_button():
    app = Host(ChatSettingsScreen(ChatOptions("Keep me.", None, 100), persistent=True))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.click("#save")
        await pilot.pause()
    assert app.result == ChatOptions("Keep me.", None, 100)


async def test_settings_reject_bad_temperature_then_bad_max_tokens():
    app = Host(ChatSettingsScreen(ChatOptions(), persistent=True))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await replace(pilot, "temperature", "3")
        await replace(pilot, "max-tokens", "abc")
        app.screen.query_one(TextArea).focus()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ChatSettingsScreen) and app.result is UNSET
        assert error_text(app).lower() == "temperature must be a number from 0 to 2 (blank = server default)"
        assert app.focused is field(app, "temperature")
        await replace(pilot, "temperature", "0")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ChatSettingsScreen) and app.result is UNSET
        assert "max tokens must be a whole number" in error_text(app).lower()
        assert app.focused is field(app, "max-tokens")
        await replace(pilot, "max-tokens", "512")
        await pilot.press("enter")  # Enter in a number field saves too
        await pilot.pause()
    assert app.result == ChatOptions("", 0.0, 512)


async def test_settings_escape_returns_none():
    app = Host(ChatSettingsScreen(ChatOptions("Stay.", 1.0, 10), persistent=True))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"typing", "escape")
        await pilot.pause()
    assert app.result is None


async def test_settings_cancel_button():
    app = Host(ChatSettingsScreen(ChatOptions(), persistent=False))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.click("#cancel")
        await pilot.pause()
    assert app.result is None


# -- parsing


@pytest.mark.parametrize("text, value", [("", None), ("   ", None), ("0", 0.0), ("2", 2.0), (" 0.7 ", 0.7), ("1e-1", 0.1)])
def test_parse_temperature_ok(text, value):
    assert parse_temperature(text) == value


@pytest.mark.parametrize("text", ["3", "-0.1", "2.01", "abc", "nan", "inf", "0,7"])
def test_parse_temperature_rejects(text):
    with pytest.raises(ValueError, match=r"^temperature must be a number from 0 to 2 \(blank = server default\)$"):
        parse_temperature(text)


@pytest.mark.parametrize("text, value", [("", None), (" ", None), ("1", 1), (" 4096 ", 4096), ("1_000", 1000)])
def test_parse_max_tokens_ok(text, value):
    assert parse_max_tokens(text) == value


@pytest.mark.parametrize("text", ["0", "-5", "abc", "1.5", "1e3", "١٢", "_1", "+5"])
def test_parse_max_tokens_rejects(text):
    with pytest.raises(ValueError, match="max tokens must be a whole number of at least 1"):
        parse_max_tokens(text)
