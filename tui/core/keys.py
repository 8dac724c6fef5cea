"""Every key binding of the app, by scope, with its default keys; and the keymap check.

This table is the one list of binding ids a ``[keymap]`` may name. The Textual classes
keep their own ``BINDINGS`` (with descriptions and tooltips); tests/test_keymap.py
checks that they agree with this table, id for id and key for key, so neither can
drift. Bindings without an id cannot be remapped, but their keys count for clashes.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Mapping

# scope ("module:Class" of the widget, screen or app that declares the bindings) ->
# ((binding id or None, default keys), ...)
BINDINGS: dict[str, tuple[tuple[str | None, str], ...]] = {
    "tui.app:ChatApp": (
        ("app.stop", "escape"), ("app.retry", "ctrl+r"), ("app.focus_tools", "ctrl+t"),
        ("app.toggle_sidebar", "ctrl+b"), ("app.new_chat", "ctrl+n"), ("app.history", "ctrl+o,f2"),
        ("app.tools_screen", "f3"), ("app.regenerate", "f5,ctrl+g"), ("app.edit_last", "f8,alt+e"),
        ("app.prev_version", "alt+left"), ("app.next_version", "alt+right"), ("app.focus_log", "ctrl+up"),
        ("app.copy_code", "alt+c"), ("app.pick_model", "f4,ctrl+l"), ("app.continue_reply", "f10"), ("app.follow", "end"),
        ("app.chat_settings", "f9"),
        ("app.compact", "alt+k"), ("app.undo_compaction", "alt+u"),
        ("app.next_tab", "ctrl+pagedown"), ("app.prev_tab", "ctrl+pageup"), ("app.close_tab", "ctrl+w"),
        *((f"app.tab_{n}", f"alt+{n}") for n in range(1, 10)),
        ("app.help", "f1"), ("app.quit", "ctrl+q"),
    ),
    "tui.screens.close_tab:CloseTabScreen": (("close_tab.yes", "y"), ("close_tab.no", "n,escape")),
    "tui.screens.chat_settings:ChatSettingsScreen": (("settings.save", "ctrl+s"), ("settings.cancel", "escape")),
    "tui.screens.confirm:ConfirmScreen": (
        ("confirm.run", "y"), ("confirm.always", "a"), ("confirm.deny", "n,escape"), (None, "left,h"), (None, "right,l"),
    ),
    "tui.screens.help:HelpScreen": (("help.close", "escape,f1,q"),),
    "tui.screens.history:HistoryScreen": (
        ("history.close", "escape"), (None, "down"), ("history.rename", "f2"), ("history.delete", "ctrl+d"),
    ),
    "tui.screens.history:TextPrompt": (("prompt.cancel", "escape"),),
    "tui.screens.history:YesNo": (("yesno.yes", "y"), ("yesno.no", "n,escape")),
    "tui.screens.mcp:MCPScreen": (("mcp.close", "escape,f3,q"), ("mcp.restart", "r"), ("mcp.toggle", "space")),
    "tui.screens.mcp:ToolTree": ((None, "space"),),
    "tui.screens.model_picker:ModelPicker": (
        ("model.choose", "enter"), ("model.cancel", "escape"), ("model.next", "down"), ("model.previous", "up"),
        ("model.page_down", "pagedown"), ("model.page_up", "pageup"),
    ),
    "tui.screens.tool_detail:ToolDetailScreen": (("detail.back", "escape,q"), ("detail.copy", "c")),
    "tui.widgets.error_banner:ErrorBanner": (("banner.retry", "r"), ("banner.dismiss", "x,escape")),
    "tui.widgets.context_banner:ContextBanner": (
        ("context.compact", "c"), ("context.drop", "d"), ("context.send", "s"), ("context.dismiss", "x,escape"),
    ),
    "tui.widgets.attachment_bar:Chip": (("chip.remove", "delete,backspace"), ("chip.open", "enter"), (None, "left"), (None, "right")),
    "tui.screens.file_picker:FilePicker": (("files.cancel", "escape"),),
    "tui.widgets.message_log:MessageLog": (
        ("log.previous", "up,k"), ("log.next", "down,j"), ("log.previous_code", "left_square_bracket"),
        ("log.next_code", "right_square_bracket"), ("log.copy", "c,y"),
    ),
    "tui.widgets.prompt_input:PromptInput": (
        ("prompt.newline", "ctrl+j,shift+enter"), ("prompt.editor", "ctrl+e"), ("prompt.close_tab", "ctrl+w"),
    ),
    "tui.widgets.tool_sidebar:ToolSidebar": (
        ("tools.next", "down,j"), ("tools.previous", "up,k"), ("tools.open", "enter"), ("tools.copy", "c"),
    ),
}
GLOBAL_SCOPE = "tui.app:ChatApp"
GLOBAL_PRIORITY = {"app.quit"}
"""App bindings that fire on every screen, before any widget sees the key."""

DEFAULT_KEYS: dict[str, str] = {
    binding_id: keys for rows in BINDINGS.values() for binding_id, keys in rows if binding_id is not None
}


def normalize(keys: str) -> list[str]:
    """Key names as Textual compares them: "?" and "question_mark" are the same key."""
    return [_name(key.strip()) for key in keys.split(",") if key.strip()]


def _name(key: str) -> str:
    if len(key) == 1 and not key.isalnum():
        try:
            return unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
        except ValueError:
            return key
    return key


SHOWN = {"left": "←", "right": "→", "up": "↑", "down": "↓", "escape": "Esc", "pageup": "PgUp", "pagedown": "PgDn"}


def shown(binding_id: str, keymap: Mapping[str, str]) -> str:
    """The first key of a binding as the user has it, for a hint or a note:
    "alt+left" -> "Alt+←", "escape" -> "Esc", "f5" -> "F5", "ctrl+w" -> "Ctrl+W"."""
    first = normalize(keymap.get(binding_id, DEFAULT_KEYS[binding_id]))[0]
    parts = first.split("+")
    return "+".join(SHOWN.get(part, part.upper() if len(part) == 1 or part[1:].isdigit() else part.capitalize())
                    for part in parts)


def keymap_problems(keymap: Mapping[str, str]) -> list[str]:
    """What is wrong with a keymap: unknown ids, empty keys, and keys that two bindings
    of one scope would share (Textual would silently take the key from one of them)."""
    problems = []
    for binding_id, keys in keymap.items():
        if binding_id not in DEFAULT_KEYS:
            close = difflib.get_close_matches(binding_id, DEFAULT_KEYS, n=1)
            prefix = binding_id.split(".")[0] + "."
            known = sorted(i for i in DEFAULT_KEYS if i.startswith(prefix)) or sorted(DEFAULT_KEYS)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(f"unknown binding id '{binding_id}'. Fix: {hint}The ids are: {', '.join(known)}.")
        elif not isinstance(keys, str) or not normalize(keys):
            problems.append(f"'{binding_id}' has no keys. Fix: give one or more comma-separated key names.")
    if problems:
        return problems
    effective: dict[str, list[tuple[str | None, list[str]]]] = {
        scope: [(binding_id, normalize(keymap.get(binding_id, default) if binding_id else default))
                for binding_id, default in rows]
        for scope, rows in BINDINGS.items()
    }
    for rows in effective.values():
        for index, (this_id, names) in enumerate(rows):
            for other_id, other_keys in rows[index + 1:]:
                shared = [key for key in names if key in other_keys]
                if shared and (this_id in keymap or other_id in keymap):
                    problems.append(_clash(keymap, this_id, other_id, shared[0]))
    priority_keys = [(this_id, key) for this_id, names in effective[GLOBAL_SCOPE] if this_id in GLOBAL_PRIORITY for key in names]
    for scope, rows in effective.items():
        if scope == GLOBAL_SCOPE:
            continue
        for other_id, other_keys in rows:
            for this_id, key in priority_keys:
                if key in other_keys and (this_id in keymap or other_id in keymap):
                    problems.append(_clash(keymap, this_id, other_id, key))
    return problems


def _clash(keymap: Mapping[str, str], first: str | None, second: str | None, key: str) -> str:
    mapped, other = (first, second) if first in keymap else (second, first)
    other_text = f"'{other}' ({keymap.get(other, DEFAULT_KEYS[other])})" if other else "a fixed key of the same screen"
    fix = f"choose another key, or move '{other}' too" if other else "choose another key"
    return f"'{mapped}' = \"{keymap[mapped or '']}\" takes {key}, which {other_text} already uses. Fix: {fix}."
