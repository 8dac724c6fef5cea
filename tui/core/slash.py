"""Slash commands: ``/model NAME`` and friends typed at the start of the prompt.

The table is the one list of commands: F1 help, the completion list and the README
are made from it. Each command names the app action its key and palette entry run;
a command with an argument is handled by the app's ``slash_<name>(arg)``. Adding a
command is one entry here (plus that method when it takes an argument).

Nothing that starts with ``/`` ever reaches the model unless it starts with ``//``:
an unknown command is a hint, and ``//`` sends the rest with one literal slash.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    name: str
    action: str
    """The app action that the command's key and palette entry run."""
    summary: str
    arg: str = ""
    """How the argument is shown ("NAME"), or "" when the command takes none."""
    optional: bool = False
    """The argument may be left out (then the action runs as its key does)."""

    @property
    def usage(self) -> str:
        if not self.arg:
            return f"/{self.name}"
        return f"/{self.name} [{self.arg}]" if self.optional else f"/{self.name} {self.arg}"


COMMANDS: tuple[Command, ...] = (
    Command("model", "pick_model", "use model NAME from the next turn (alone: the model picker)", "NAME", optional=True),
    Command("system", "chat_settings", "set this chat's system prompt (alone: chat settings)", "TEXT", optional=True),
    Command("temp", "chat_settings", "set this chat's temperature, 0 to 2 ('default': the server's)", "N"),
    Command("max", "chat_settings", "set this chat's max tokens ('default': the server's)", "N"),
    Command("new", "new_chat", "start a new conversation"),
    Command("tab", "new_tab", "open a new tab (another conversation beside this one)"),
    Command("retry", "retry", "retry the failed turn"),
    Command("regenerate", "regenerate", "ask again for the last reply (the old one is kept as a version)"),
    Command("edit", "edit_last", "edit the last prompt and resend it"),
    Command("continue", "continue_reply", "continue a reply that was cut off"),
    Command("attach", "attach_file", "attach file PATH to the next prompt (alone: the file picker)", "PATH", optional=True),
    Command("compact", "compact", "summarise the earlier turns to free the context window"),
    Command("export", "export", "write this conversation to a file here: md or json", "md|json"),
    Command("theme", "change_theme", "switch to theme NAME (alone: the theme picker)", "NAME", optional=True),
    Command("help", "help", "show every key and command"),
    Command("quit", "quit", "quit tui-chat"),
)
BY_NAME = {command.name: command for command in COMMANDS}


class SlashError(ValueError):
    """A hint for the user; the prompt is kept, nothing is sent."""


@dataclass(frozen=True)
class Invocation:
    command: Command
    arg: str


def parse(text: str) -> Invocation | str:
    """An Invocation for a command, or the text to send (``//x`` sends ``/x``).
    Raises SlashError for an unknown command or a missing or extra argument."""
    stripped = text.strip()
    if not stripped.startswith("/"):
        return text
    if stripped.startswith("//"):
        return text.lstrip()[1:]
    name, _, arg = stripped[1:].partition(" ")
    name, arg = name.lower(), arg.strip()
    command = BY_NAME.get(name)
    if command is None:
        close = difflib.get_close_matches(name, BY_NAME, n=1)
        hint = f"did you mean /{close[0]}? " if close else ""
        raise SlashError(f"Unknown command /{name}: {hint}Type / to see the commands; // sends a literal slash.")
    if arg and not command.arg:
        raise SlashError(f"/{name} takes no argument. Usage: {command.usage}")
    if not arg and command.arg and not command.optional:
        raise SlashError(f"/{name} needs {command.arg}. Usage: {command.usage}")
    return Invocation(command, arg)


def completions(text: str) -> list[Command]:
    """The commands the typed word could start, while no argument is typed yet."""
    if not text.startswith("/") or text.startswith("//") or any(c.isspace() for c in text):
        return []
    word = text[1:].lower()
    return [command for command in COMMANDS if command.name.startswith(word)]
