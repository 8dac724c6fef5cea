"""Hand the prompt to the user's editor ($VISUAL, else $EDITOR, else vi) and read it back.

The editor runs with the same environment a tool gets (tools/env.py): an API key in
tui-chat's environment has no business in an editor's plugins or shell escapes.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .tools.env import tool_environment


@dataclass
class Edited:
    text: str | None
    """The new prompt, or None to leave the input as it was."""
    error: str = ""


def editor_command(environ: Mapping[str, str]) -> tuple[list[str], str]:
    """The command, and the variable it came from (for messages)."""
    for name in ("VISUAL", "EDITOR"):
        value = environ.get(name, "").strip()
        if value:
            return shlex.split(value), f"${name}"
    return ["vi"], "the default (vi)"


def edit(text: str, *, environ: Mapping[str, str] | None = None,
         run: Callable[..., subprocess.CompletedProcess] = subprocess.run) -> Edited:
    """Blocks until the editor exits: call it with the app suspended."""
    source = os.environ if environ is None else environ
    command, origin = editor_command(source)
    handle, name = tempfile.mkstemp(prefix="tui-chat-prompt-", suffix=".md")
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        try:
            result = run([*command, str(path)], env=tool_environment(environ=source), check=False)
        except FileNotFoundError:
            return Edited(None, f"The editor '{command[0]}' (from {origin}) was not found. "
                                "Set $VISUAL or $EDITOR to an editor that is installed.")
        except OSError as exc:
            return Edited(None, f"The editor '{command[0]}' (from {origin}) could not start: {exc.strerror}.")
        if result.returncode != 0:
            return Edited(None, f"The editor exited with status {result.returncode}; the prompt is unchanged.")
        edited = path.read_text(encoding="utf-8", errors="replace")
    finally:
        path.unlink(missing_ok=True)
    if not edited.strip():
        return Edited(None, "The file was empty; the prompt is unchanged.")
    return Edited(edited.removesuffix("\n") if not text.endswith("\n") else edited)
