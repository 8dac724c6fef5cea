"""Slash commands in the prompt box (core/slash.py is the table): the completion list,
and running a command -- through the same action as its key and palette entry."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual.widgets import TextArea

from .widgets.prompt_input import PromptInput
from .widgets.slash_list import SlashCompletions

if TYPE_CHECKING:
    from .core import slash


class SlashCommands:
    """Runs what the prompt box's ``/`` commands ask for: a command alone runs the app
    action of its key; with an argument, the ``slash_NAME`` method here."""

    def __init__(self, app) -> None:
        self.app = app

    def slash_or_text(self, text: str) -> str | None:
        """Enter: run a command (None), refuse a bad one (None, the prompt kept), or the text to send."""
        from .core import slash

        try:
            parsed = slash.parse(text)
        except slash.SlashError as error:
            self.slash_refused(error)
            return None
        if isinstance(parsed, str):
            return parsed
        prompt = self.app.query_one("#prompt", PromptInput)
        if self.run_slash(parsed):
            prompt.remember(text)
            prompt.consume(text)
            self.app.hint("")
        return None

    def run_slash(self, invocation: slash.Invocation) -> bool:
        """False when the argument was refused (the hint says why; the prompt is kept)."""
        handler = getattr(self, f"slash_{invocation.command.name}", None)
        if invocation.arg and handler is not None:
            return handler(invocation.arg) is not False
        self.app.call_next(self.app.run_action, invocation.command.action)
        return True

    def slash_refused(self, error: slash.SlashError) -> None:
        self.app.hint(str(error))
        self.app.notify(str(error), severity="warning", timeout=4, markup=False)

    def complete(self) -> str | None:
        """Tab on ``/mo``: the first matching command, ready for its argument."""
        from .core import slash

        prompt = self.app.query_one("#prompt", TextArea)
        matches = slash.completions(prompt.text)
        if not matches:
            return None
        command = matches[0]
        return f"/{command.name}" + (" " if command.arg else "")

    def text_changed(self, event: TextArea.Changed) -> None:
        """The completion list follows what is typed in the prompt box."""
        from .core import slash

        if event.text_area.id == "prompt":
            self.app.query_one(SlashCompletions).show(slash.completions(event.text_area.text))

    # -- commands with an argument ---------------------------------------------------
    def slash_model(self, name: str) -> None:
        if name != self.app.session.model:
            self.app.session.set_model(name)
        self.app.notify(f"Model: {name} (from the next turn)", timeout=3, markup=False)

    def slash_system(self, text: str) -> None:
        self._set_option("system prompt", system_prompt=text)

    def slash_temp(self, text: str) -> bool | None:
        from .core.chat_options import parse_temperature

        return self._number_option(text, parse_temperature, "temperature", "temperature")

    def slash_max(self, text: str) -> bool | None:
        from .core.chat_options import parse_max_tokens

        return self._number_option(text, parse_max_tokens, "max tokens", "max_tokens")

    def _number_option(self, text: str, parse, what: str, field: str) -> bool | None:
        """``/temp N`` and ``/max N``: a refused number keeps the command in the box; "default" clears it."""
        from .core import slash

        try:
            value = None if text.lower() == "default" else parse(text)
        except ValueError as exc:
            self.slash_refused(slash.SlashError(_sentence(str(exc))))
            return False
        self._set_option(what, **{field: value})
        return None

    def slash_attach(self, path: str) -> bool:
        return self.app.attach.attach_path(path)

    def slash_export(self, fmt: str) -> bool | None:
        from .core import slash

        if fmt.lower() not in ("md", "json"):
            self.slash_refused(slash.SlashError(f"/export takes md or json, not '{fmt}'."))
            return False
        self.app.action_export(fmt.lower())

    def slash_theme(self, name: str) -> bool | None:
        from .core import slash

        if name not in self.app.available_themes:
            self.slash_refused(slash.SlashError(f"Unknown theme '{name}'. Available: {', '.join(sorted(self.app.available_themes))}."))
            return False
        self.app.theme = name

    def _set_option(self, what: str, **change) -> None:
        self.app.session.set_options(replace(self.app.session.options, **change))
        self.app.hint("")
        self.app.notify(f"Chat settings saved ({what}): they apply from the next request.", timeout=3)


def _sentence(message: str) -> str:
    """As the F9 screen shows a validation message."""
    return message[:1].upper() + message[1:]
