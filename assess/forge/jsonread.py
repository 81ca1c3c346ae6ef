"""Bounded JSON reading for saved exports: size and nesting limits, and the line of each item."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from assess.errors import InputError
from assess.safeio import read_bytes_bounded

MAX_BYTES = 512 * 1024 * 1024
MAX_DEPTH = 64


def _depth(value: Any, limit: int) -> int:
    """Nesting depth, stopping once past ``limit`` (iterative: hostile input cannot overflow the stack)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, d = stack.pop()
        if d > deepest:
            deepest = d
            if deepest > limit:
                return deepest
        if isinstance(item, dict):
            stack.extend((v, d + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, d + 1) for v in item)
    return deepest


# "\ud800" alone decodes to a lone surrogate, which no UTF-8 file (the store) can hold
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _replace_lone_surrogates(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings (and keys) replaced by U+FFFD."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_replace_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_replace_lone_surrogates(k): _replace_lone_surrogates(v) for k, v in value.items()}
    return value


def read_documents(path: Path, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> list[tuple[int, Any]]:
    """Every top-level item as (line, value). A file holds one JSON value, several concatenated
    values (``gh api --paginate`` prints one array per page) or JSON Lines; arrays are flattened
    one level, so each pull request gets the line it starts on."""
    # a regular file only (never a FIFO or device that would hang the read), bounded in size
    data = read_bytes_bounded(path, max_bytes=max_bytes, what="saved export file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text (byte {exc.start})") from None
    decoder = json.JSONDecoder()
    has_surrogate_escape = _SURROGATE_ESCAPE.search(text) is not None
    out: list[tuple[int, Any]] = []
    pos, n = 0, len(text)

    counted = [0, 1]  # position and line reached so far: line numbers cost one pass over the text

    def line_at(p: int) -> int:
        if p < counted[0]:
            return text.count("\n", 0, p) + 1
        counted[1] += text.count("\n", counted[0], p)
        counted[0] = p
        return counted[1]

    def skip(p: int) -> int:
        while p < n and text[p] in " \t\r\n,":
            p += 1
        return p

    def decode(p: int) -> tuple[Any, int]:
        try:
            value, end = decoder.raw_decode(text, p)
        except json.JSONDecodeError as exc:
            raise InputError(path, f"not valid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno) from None
        except RecursionError:
            raise InputError(path, f"JSON nested deeper than {max_depth} levels", line=line_at(p)) from None
        except ValueError as exc:  # an integer of more than 4,300 digits
            raise InputError(path, f"not valid input: {str(exc).split(';')[0]}", line=line_at(p)) from None
        if _depth(value, max_depth) > max_depth:
            raise InputError(path, f"JSON nested deeper than {max_depth} levels", line=line_at(p))
        if has_surrogate_escape:
            value = _replace_lone_surrogates(value)
        return value, end

    pos = skip(pos)
    if pos >= n:
        raise InputError(path, "empty file", hint="save the export with `gh pr list --json …` or `gh api`")
    while pos < n:
        if text[pos] == "[":
            # walk the array item by item, so each item keeps its own line number
            p = skip(pos + 1)
            while p < n and text[p] != "]":
                start = p
                value, p = decode(p)
                out.append((line_at(start), value))
                p = skip(p)
            if p >= n:
                raise InputError(path, "not valid JSON: unterminated array", line=line_at(pos))
            pos = skip(p + 1)
        else:
            value, end = decode(pos)
            out.append((line_at(pos), value))
            pos = skip(end)
    return out
