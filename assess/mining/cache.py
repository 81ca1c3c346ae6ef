"""Incremental mining cache: parsed history rows keyed by repository and revision.

A cache entry is trusted only when it was written by this version of the parser, for the same
repository (git directory and root commits) and the cached head is an ancestor of the new head;
anything else is rebuilt from scratch, never patched.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass
from pathlib import Path

from assess.fileio import atomic_open
from assess.mining.history import ParsedHistory

CACHE_FORMAT = 5  # bump when the parsed row layout changes


def cache_dir() -> Path:
    env = os.environ.get("ASSESS_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "assess"


@dataclass
class CacheEntry:
    format: int
    common_dir: str
    rev: str
    roots: list[str]
    head: str
    history: ParsedHistory


def cache_path(common_dir: Path, rev: str) -> Path:
    key = hashlib.sha256(f"{common_dir}\0{rev}".encode()).hexdigest()[:24]
    return cache_dir() / f"history-{key}.pickle"


def load(common_dir: Path, rev: str) -> CacheEntry | None:
    path = cache_path(common_dir, rev)
    try:
        with open(path, "rb") as fh:
            entry = pickle.load(fh)
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a corrupt or foreign cache is rebuilt, never trusted
        return None
    if not isinstance(entry, CacheEntry) or entry.format != CACHE_FORMAT \
            or entry.common_dir != str(common_dir) or entry.rev != rev:
        return None
    return entry


def save(entry: CacheEntry) -> None:
    path = cache_path(Path(entry.common_dir), entry.rev)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_open(path, "wb", encoding=None) as fh:
            pickle.dump(entry, fh, protocol=pickle.HIGHEST_PROTOCOL)
    except OSError:
        pass  # a cache that cannot be written only costs time next run
