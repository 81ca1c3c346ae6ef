"""Text from files, repositories and forges made safe for a terminal.

A path, tool name or error message read from a hostile input can hold escape sequences (ESC [ ...,
OSC 8 links, BEL, backspace) that retitle the terminal, fake output or hide text; every string
printed by the CLI goes through :func:`clean`, which shows control characters instead of sending
them.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and the C1 range (0x80-0x9f, e.g. the 8-bit CSI 0x9b);
# bidirectional overrides, which reorder what the reader sees (the "Trojan Source" trick)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return "^[" if code == 0x1B else f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str) -> str:
    """``text`` with control characters shown as ``^[`` / ``\\xNN`` (one-line messages stay one line
    because newlines inside them come from the tool, not the input)."""
    return _CONTROL.sub(_visible, text)


def clean_line(text: str) -> str:
    """Like :func:`clean`, and newlines too: for a value that must stay on one line."""
    return clean(text).replace("\n", "\\n").replace("\t", " ")
