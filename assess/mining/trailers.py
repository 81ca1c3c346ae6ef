"""Commit-message trailers, found by git's own rules (``git interpret-trailers``).

The trailer block is the last paragraph of the message, never the first (the subject). It counts
when every line is a trailer (``Key: value``) or a continuation line, or when at least 25% of its
lines are trailers and one of them is git-generated (``Signed-off-by``, ``(cherry picked from``).
"""

from __future__ import annotations

import re

_TRAILER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$")
_GIT_GENERATED = ("signed-off-by", "(cherry picked from commit ")


def _message_end(lines: list[str]) -> int:
    """Index past the last meaningful line: drops trailing comments and blank lines."""
    # unlike a patch e-mail, a commit message has no "---" divider (git log %(trailers) agrees):
    # PR bodies squashed into a message often hold a markdown "---" before the Co-authored-by lines
    end = len(lines)
    while end > 0 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
        end -= 1
    return end


def parse_trailers(message: str) -> list[tuple[str, str]]:
    """Return ``[(key, value), ...]`` in order; keys keep their spelling, values are unfolded."""
    if ":" not in message:
        return []
    lines = message.replace("\r\n", "\n").split("\n")
    end = _message_end(lines)
    start = end
    while start > 0 and lines[start - 1].strip():
        start -= 1
    if start == 0:  # only one paragraph: that is the subject, never trailers
        return []
    block = lines[start:end]
    trailers: list[list[str]] = []
    n_trailer = n_other = 0
    git_generated = False
    for line in block:
        if line.startswith("(cherry picked from commit "):
            git_generated = True
            n_trailer += 1
            continue
        if line[:1] in (" ", "\t") and trailers:
            trailers[-1][1] = (trailers[-1][1] + " " + line.strip()).strip()
            continue
        match = _TRAILER.match(line)
        if match:
            key, value = match.group(1), match.group(2).strip()
            if key.lower() in _GIT_GENERATED:
                git_generated = True
            trailers.append([key, value])
            n_trailer += 1
        else:
            n_other += 1
    if not trailers:
        return []
    if n_other and not (git_generated and n_trailer * 4 >= n_trailer + n_other):
        return []
    return [(k, v) for k, v in trailers]
