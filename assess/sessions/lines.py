"""Bounded, streamed reading of hostile log files and a safe walk of log folders.

A line longer than `max_line_bytes` is never held in memory: it is skipped in chunks and reported as
a skipped line. Folder walks never follow directory symlinks (so a symlink loop cannot recurse), stop
at `max_depth`, and ignore files larger than `max_file_bytes`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

MAX_LINE_BYTES = 64 * 1024 * 1024      # one JSONL entry; real ones with pasted images reach a few MB
MAX_FILE_BYTES = 8 * 1024 ** 3         # a single transcript larger than this is not a transcript
MAX_DEPTH = 12                         # ~/.claude/projects/<slug>/<session>/subagents/workflows/<wf>/...
MAX_FILES = 200_000
_SKIP_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Line:
    number: int          # 1-based
    data: bytes | None   # None: the line was too long and was skipped
    complete: bool       # False for a last line without a newline (possibly truncated mid-write)


def iter_lines(stream: BinaryIO, max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[Line]:
    """Yield the lines of a binary stream, each at most `max_line_bytes` long (longer ones as `data=None`)."""
    number = 0
    readline = stream.readline
    while True:
        chunk = readline(max_line_bytes + 1)
        if not chunk:
            return
        number += 1
        if len(chunk) > max_line_bytes and not chunk.endswith(b"\n"):
            # too long: drop the rest of this line without keeping it
            while True:
                rest = readline(_SKIP_CHUNK)
                if not rest or rest.endswith(b"\n"):
                    break
            yield Line(number, None, True)
            continue
        if chunk.endswith(b"\n"):
            yield Line(number, chunk, True)
        else:
            yield Line(number, chunk, False)


def walk_files(root: Path, *, max_depth: int = MAX_DEPTH, max_files: int = MAX_FILES,
               max_file_bytes: int = MAX_FILE_BYTES,
               skip_dirs: frozenset[str] = frozenset({".git", "node_modules", "__pycache__", ".venv"}),
               ) -> Iterator[Path]:
    """Regular files under `root`, sorted per folder, never through a directory symlink.

    File symlinks are followed only when they point at a regular file; each real file is yielded once.
    """
    seen_files: set[tuple[int, int]] = set()
    seen_dirs: set[tuple[int, int]] = set()
    count = 0
    stack: list[tuple[Path, int]] = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            st = folder.stat()
        except OSError:
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            continue
        seen_dirs.add(key)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        subdirs = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in skip_dirs and depth < max_depth:
                        subdirs.append(Path(entry.path))
                    continue
                if entry.is_symlink():
                    target = os.stat(entry.path)  # raises on dangling links and loops
                    if not stat.S_ISREG(target.st_mode):
                        continue
                    est = target
                elif entry.is_file(follow_symlinks=False):
                    est = entry.stat(follow_symlinks=False)
                else:
                    continue
            except OSError:
                continue
            fkey = (est.st_dev, est.st_ino)
            if fkey in seen_files or est.st_size > max_file_bytes:
                continue
            seen_files.add(fkey)
            count += 1
            if count > max_files:
                return
            yield Path(entry.path)
        for sub in reversed(subdirs):
            stack.append((sub, depth + 1))
