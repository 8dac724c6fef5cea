"""Make untrusted model and tool text safe to put on a terminal.

Escape sequences (CSI, OSC, DCS, ...) are removed whole, so that a half-stripped
sequence cannot leave its payload behind (e.g. an OSC 52 clipboard write).
"""

from __future__ import annotations

import re

# ESC-introduced sequences: CSI, OSC/DCS/SOS/PM/APC strings, and two-byte escapes.
_ESCAPES = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]?            # CSI ... final byte (may be cut off)
  | \x1b[\]PX^_].*?(?:\x07|\x1b\\|\x9c|$)  # OSC / DCS / SOS / PM / APC ... terminator
  | \x9b[0-?]*[ -/]*[@-~]?              # 8-bit CSI
  | [\x90\x9d\x98\x9e\x9f].*?(?:\x07|\x1b\\|\x9c|$)  # 8-bit string introducers
  | \x1b[ -/]*[0-~]?                    # other escapes (ESC c, ESC ( B, lone ESC)
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 except tab/newline, DEL, C1, bidi overrides/isolates, and lone surrogates.
_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def clean(text: str) -> str:
    """Return ``text`` with terminal control sequences and characters removed.

    Carriage returns become newlines so ``\\r\\n`` text keeps its lines.
    """
    if not text:
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _needs_escape_pass(text):
        text = _ESCAPES.sub("", text)
    return _CONTROLS.sub("", text)


def _needs_escape_pass(text: str) -> bool:
    return "\x1b" in text or any("\x90" <= ch <= "\x9f" for ch in text)


_SURROGATES = re.compile("[\ud800-\udfff]")


def no_surrogates(text: str) -> str:
    """Lone surrogates (from JSON ``"\\ud800"``) cannot be encoded, stored or sent:
    they become U+FFFD wherever outside text enters the app."""
    return _SURROGATES.sub("\ufffd", text) if _SURROGATES.search(text) else text
