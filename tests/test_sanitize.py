"""Untrusted text loses every control sequence before it reaches the terminal."""

from hypothesis import given, strategies as st

from tui.core.sanitize import clean


def test_plain_text_unchanged():
    assert clean("hello\tworld\n中文 👍🏽 e\u0301") == "hello\tworld\n中文 👍🏽 e\u0301"


def test_csi_osc_dcs_removed_whole():
    text = "a\x1b[31mred\x1b[0m b\x1b]52;c;aGVsbG8=\x07 c\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ d\x1bP1$qm\x1b\\ e"
    assert clean(text) == "ared b clink d e"


def test_c0_c1_bel_backspace_and_bidi_removed():
    assert clean("x\x07\x08\x00\x85\x9b2Jy\u202egnp.exe") == "xygnp.exe"


def test_carriage_returns_become_newlines():
    assert clean("a\r\nb\rc") == "a\nb\nc"


def test_lone_surrogates_removed():
    assert clean("a\ud800b") == "ab"


def test_truncated_escape_at_end_removed():
    assert clean("text\x1b]52;c;aGk") == "text"
    assert clean("text\x1b[3") == "text"


@given(st.text())
def test_output_never_contains_controls(text):
    out = clean(text)
    assert not any((ord(ch) < 32 and ch not in "\n\t") or 0x7F <= ord(ch) <= 0x9F for ch in out)
