"""Reading user files as text: BOMs, encodings and empty files, each reported clearly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

UTF8_BOM = b"\xef\xbb\xbf"


@dataclass
class Decoded:
    text: str
    notes: list[str]
    bad_bytes: bool  # text holds surrogate escapes where bytes were not UTF-8


class UnreadableFile(Exception):
    """The file cannot be used at all (missing, empty, undecodable); the message says why."""


def read_user_text(path: Path, *, lenient: bool = False) -> Decoded:
    """Decode a user file as UTF-8, removing a byte-order mark (noted). UTF-16 with a BOM is accepted.

    With ``lenient`` undecodable bytes are kept as surrogate escapes (so a CSV reader can reject only
    the rows that hold them); otherwise they make the file unreadable."""
    from assess.errors import InputError
    from assess.safeio import read_bytes_bounded

    if not path.exists() and not path.is_symlink():
        raise UnreadableFile("no such file")
    try:
        raw = read_bytes_bounded(path, what="response file")  # regular files only, bounded in size
    except InputError as exc:
        raise UnreadableFile(exc.detail) from None
    if not raw.strip():
        raise UnreadableFile("the file is empty")
    notes: list[str] = []
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        notes.append("file is UTF-16 (byte-order mark found); decoded as UTF-16")
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"invalid UTF-16 text at byte {exc.start}") from None
        return Decoded(text.lstrip("\ufeff"), notes, False)
    if raw.startswith(UTF8_BOM):
        raw = raw[len(UTF8_BOM):]
        notes.append("UTF-8 byte-order mark (BOM) at the start of the file was removed")
        if not raw.strip():
            raise UnreadableFile("the file is empty (only a byte-order mark)")
    try:
        return Decoded(raw.decode("utf-8"), notes, False)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        message = (f"line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}; probably Windows-1252 or "
                   "Latin-1): re-export or save the file as UTF-8")
        if not lenient:
            raise UnreadableFile(message) from None
        notes.append(message)
        return Decoded(raw.decode("utf-8", errors="surrogateescape"), notes, True)


def has_bad_bytes(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def show(text: str) -> str:
    """Text safe to print, with undecodable bytes shown as U+FFFD."""
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")
