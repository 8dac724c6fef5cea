"""Desktop notifications through the terminal: OSC 9, OSC 777 where the terminal is
known to take it, else a bell.

Only our own fixed texts are ever written: a notification names what happened, never
what the model said, so nothing the model sends can reach an escape sequence.
"""

from __future__ import annotations

from collections.abc import Mapping

TEXTS = {
    "reply": "tui-chat: the reply is ready",
    "confirm": "tui-chat: a tool waits for your confirmation",
    "background": "tui-chat: a reply in another tab is ready",
}
TAB_TEXTS = {
    "background": "tui-chat: the reply in tab {tab} is ready",
    "confirm": "tui-chat: a tool in tab {tab} waits for your confirmation",
}
"""With several tabs: which one, by its number (never its title, which is the user's text)."""
BEL = "\x07"

_OSC_777 = ("rxvt", "foot")
"""TERM prefixes of terminals that show OSC 777 notify (VTE terminals set VTE_VERSION)."""
_OSC_9_PROGRAMS = ("iTerm.app", "WezTerm", "ghostty", "vscode")
_OSC_9_TERMS = ("xterm-kitty", "xterm-ghostty", "wezterm")


def wanted(mode: str, focused: bool) -> bool:
    """``ui.notify``: "unfocused" (the default), "always" or "never"."""
    return mode == "always" or (mode == "unfocused" and not focused)


def sequence(kind: str, environ: Mapping[str, str], tab: int | None = None) -> str:
    """What to write to the terminal for ``kind`` (a key of TEXTS), naming tab number
    ``tab`` when there are several."""
    text = TAB_TEXTS[kind].format(tab=int(tab)) if tab is not None and kind in TAB_TEXTS else TEXTS[kind]
    term, program = environ.get("TERM", ""), environ.get("TERM_PROGRAM", "")
    if environ.get("VTE_VERSION") or term.startswith(_OSC_777):
        osc = f"\x1b]777;notify;tui-chat;{text}\x07"
    elif program in _OSC_9_PROGRAMS or term in _OSC_9_TERMS or environ.get("WT_SESSION"):
        osc = f"\x1b]9;{text}\x07"
    else:
        return BEL
    if environ.get("TMUX"):  # tmux passes an escape through only inside its DCS wrapper
        return "\x1bPtmux;" + osc.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return osc
