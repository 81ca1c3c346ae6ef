"""Markdown reports (report.md, org.md) show control characters from hostile names instead of
writing them: `cat org.md` in a terminal must not run an escape sequence."""

from __future__ import annotations

import pytest

from assess.report.escape import md_text


@pytest.mark.parametrize("raw", ["nl\nline\x1b[31mred", "bell\x07", "csi\x9b2J", "Zo\u00eb \u202egnp.exe", "del\x7f"])
def test_md_text_writes_no_control_character(raw):
    text = md_text(raw)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or 0x202A <= ord(c) <= 0x202E for c in text), repr(text)
    assert "\n" not in text


def test_md_text_keeps_ordinary_text_and_its_escapes():
    assert md_text("repo-000") == "repo-000"
    assert md_text("Zoë | x") == "Zoë \\| x"
    assert md_text("a\x1bb") == "a^\\[b"  # ESC shown as ^[ (and the bracket escaped for Markdown)
