"""JSON from hostile files: bounded nesting, no huge-integer parsing cost, one-line errors.

Python's ``json`` raises RecursionError on deep nesting and spends quadratic time turning a
100,000-digit integer into an int (or refuses past 4,300 digits with a ValueError); orjson parses
in C, turns out-of-range integers into floats, but crashes the process on tens of millions of
nested brackets. So the nesting depth is measured first, in linear time, and refused beyond
:data:`MAX_DEPTH`.
"""

from __future__ import annotations

import os
import re
from typing import Any

import numpy as np
import orjson

# Reason: every JSON assess reads (responses, evidence, summaries, Agent Trace) nests under 20
# levels; 200 is generous and far from any stack limit.
MAX_DEPTH = 200
# A string runs to its closing quote or, unterminated, to the end of the text (a lone backslash
# included): every match attempt succeeds where it starts, so the scan is linear. Requiring the
# closing quote made an unterminated string of escaped quotes retry from each quote to the end.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)

JSONDecodeError = orjson.JSONDecodeError  # a subclass of json.JSONDecodeError: .msg, .lineno, .colno


class TooDeep(ValueError):
    def __init__(self, depth: int) -> None:
        super().__init__(f"nested more than {MAX_DEPTH} levels deep ({depth})")
        self.depth = depth


_CHUNK = 1 << 22


def nesting_depth(data: bytes, stop_above: int | None = None) -> int:
    """The deepest bracket nesting of JSON text, ignoring brackets inside strings (linear time,
    memory bounded by one chunk)."""
    structural = _STRING.sub(b"", data)
    deepest = level = 0
    for start in range(0, len(structural), _CHUNK):
        arr = np.frombuffer(structural, dtype=np.uint8, count=min(_CHUNK, len(structural) - start), offset=start)
        # "[" 0x5B and "{" 0x7B open, "]" 0x5D and "}" 0x7D close: bit 0x20 folds the pairs together
        folded = arr & 0xDF
        step = (folded == 0x5B).astype(np.int32) - (folded == 0x5D).astype(np.int32)
        running = np.cumsum(step, dtype=np.int64) + level
        if running.size:
            deepest = max(deepest, int(running.max()))
            level = int(running[-1])
        if stop_above is not None and deepest > stop_above:
            break  # already too deep: no need to read on
    return deepest


def loads(text: str | bytes) -> Any:
    """Parse JSON; raises :class:`JSONDecodeError` for invalid text and :class:`TooDeep` for nesting
    beyond :data:`MAX_DEPTH`."""
    data = text.encode("utf-8", errors="surrogatepass") if isinstance(text, str) else text
    depth = nesting_depth(data, stop_above=MAX_DEPTH)
    if depth > MAX_DEPTH:
        raise TooDeep(depth)
    return orjson.loads(data)


def read_file(path: str | os.PathLike[str], *, max_bytes: int | None = None, what: str = "JSON file",
              context: str = "") -> Any:
    """The JSON value of a user's file: a regular file of bounded size, UTF-8, nesting bounded; every
    problem is a one-line :class:`~assess.errors.InputError` naming the file (and line), with
    ``context`` (e.g. "(GITHUB_EVENT_PATH)") after the message."""
    from assess.errors import InputError
    from assess.safeio import MAX_INPUT_BYTES, read_bytes_bounded

    suffix = f" {context}" if context else ""
    try:
        raw = read_bytes_bounded(path, max_bytes=max_bytes or MAX_INPUT_BYTES, what=what)
    except InputError as exc:
        if not suffix:
            raise
        raise InputError(path, exc.detail + suffix, line=exc.line, field=exc.field, hint=exc.hint) from None
    try:
        raw.decode("utf-8")
        return loads(raw)
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text ({exc.reason}){suffix}") from None
    except JSONDecodeError as exc:
        raise InputError(path, f"not valid JSON: {exc.msg}{suffix}", line=exc.lineno) from None
    except TooDeep as exc:
        raise InputError(path, f"not valid input: {exc}{suffix}") from None
