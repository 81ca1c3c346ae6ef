"""Incremental mining cache: parsed history rows keyed by repository and revision.

The cache holds data only: columnar JSON (never pickle, so a planted cache file cannot run code).
A file is trusted only when it is a regular file owned by the current user, reached without
following a symlink, no larger than :data:`MAX_CACHE_BYTES`, and passes :func:`validate` (format,
version, column names, types and lengths); anything else is rebuilt from scratch, never patched.
It is written owner-only (respecting a stricter umask), atomically, under a lock. A cache that
cannot be written only costs time next run: a warning, never an abort.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson  # parses only data, rejects integers beyond 64 bits; several times faster than json

from assess.errors import AssessWarning
from assess.locking import lock_file
from assess.mining.history import COMMIT_COLUMNS, FILE_COLUMNS, ParsedHistory

CACHE_FORMAT = 6  # bump when the parsed row layout changes
CACHE_KIND = "assess-history-cache"
# Reason: the cache of a 1M-commit repository is a few hundred MB; a bigger file is not ours.
MAX_CACHE_BYTES = 2 * 1024 * 1024 * 1024

_S, _I, _B = "str", "int", "bool"
COMMIT_TYPES = {
    "sha": _S, "parents": _S, "is_merge": _B,
    "author_name": _S, "author_email": _S, "author_name_raw": _S, "author_email_raw": _S,
    "committer_name": _S, "committer_email": _S, "committer_name_raw": _S, "committer_email_raw": _S,
    "author_time": _I, "author_tz_minutes": _I, "commit_time": _I, "commit_tz_minutes": _I,
    "subject": _S, "body": _S, "trailers": "trailers", "files": _I, "added": _I, "deleted": _I,
    "binary_files": _I,
}
FILE_TYPES = {"sha": _S, "path": _S, "added": _I, "deleted": _I, "binary": _B, "renamed_from": "str?"}
assert list(COMMIT_TYPES) == COMMIT_COLUMNS and list(FILE_TYPES) == FILE_COLUMNS
_SHA = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


class CacheInvalid(ValueError):
    """A cache file that is not exactly what this version writes."""


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
    # the user id is part of the key: on a shared cache folder each user has their own files
    uid = os.getuid() if hasattr(os, "getuid") else 0
    key = hashlib.sha256(f"{uid}\0{common_dir}\0{rev}".encode()).hexdigest()[:24]
    return cache_dir() / f"history-{key}.json"


def _warn(message: str) -> None:
    warnings.warn(message, AssessWarning, stacklevel=3)


# ---------------------------------------------------------------- reading


def _read_trusted(path: Path) -> bytes | None:
    """The file's bytes if it is a regular file we own, reached without a symlink; else None."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None  # missing, a symlink (ELOOP), unreadable: rebuilt
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_CACHE_BYTES:
            return None
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            return None  # planted by another user of a shared cache folder
        if st.st_mode & 0o022:
            return None  # others could have changed it
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(MAX_CACHE_BYTES + 1)
        return data if len(data) <= MAX_CACHE_BYTES else None
    finally:
        os.close(fd)


def _check_column(name: str, values: Any, kind: str, n: int) -> None:
    if not isinstance(values, list) or len(values) != n:
        raise CacheInvalid(f"column {name}: not a list of {n} values")
    if kind == _S:
        ok = all(type(v) is str for v in values)
    elif kind == "str?":
        ok = all(v is None or type(v) is str for v in values)
    elif kind == _I:
        ok = all(type(v) is int for v in values)
    elif kind == _B:
        ok = all(type(v) is bool for v in values)
    else:  # trailers: lists of [key, value] string pairs
        ok = all(type(v) is list and all(type(p) is list and len(p) == 2 and type(p[0]) is str
                                         and type(p[1]) is str for p in v) for v in values)
    if not ok:
        raise CacheInvalid(f"column {name}: values of the wrong type")


def _table(doc: dict, key: str, types: dict[str, str]) -> list[tuple]:
    table = doc.get(key)
    if not isinstance(table, dict) or set(table) != set(types):
        raise CacheInvalid(f"{key}: wrong columns")
    n = len(table["sha"]) if isinstance(table["sha"], list) else -1
    for name, kind in types.items():
        _check_column(name, table[name], kind, n)
    if not all(_SHA.fullmatch(s) for s in table["sha"]):
        raise CacheInvalid(f"{key}: a sha is not a hex object id")
    columns = [table[name] for name in types]
    if key == "commits":
        t = list(types).index("trailers")
        columns[t] = [tuple((k, v) for k, v in pairs) for pairs in columns[t]]
    return list(zip(*columns)) if n else []


def validate(doc: Any, common_dir: str, rev: str) -> CacheEntry:
    """A :class:`CacheEntry` from a parsed cache document, or :class:`CacheInvalid`."""
    if not isinstance(doc, dict) or doc.get("kind") != CACHE_KIND or doc.get("format") != CACHE_FORMAT:
        raise CacheInvalid("not a cache of this format")
    if doc.get("common_dir") != common_dir or doc.get("rev") != rev:
        raise CacheInvalid("another repository or revision")
    roots, head = doc.get("roots"), doc.get("head")
    if not isinstance(roots, list) or not all(type(r) is str for r in roots) or type(head) is not str \
            or not _SHA.fullmatch(head):
        raise CacheInvalid("roots/head")
    lines_available, missing = doc.get("lines_available"), doc.get("missing_paths")
    if type(lines_available) is not bool or type(missing) is not int or missing < 0:
        raise CacheInvalid("flags")
    commits = _table(doc, "commits", COMMIT_TYPES)
    files = _table(doc, "files", FILE_TYPES)
    return CacheEntry(CACHE_FORMAT, common_dir, rev, roots, head,
                      ParsedHistory(commits, files, lines_available, missing))


def load(common_dir: Path, rev: str) -> CacheEntry | None:
    data = _read_trusted(cache_path(common_dir, rev))
    if data is None:
        return None
    try:
        return validate(orjson.loads(data), str(common_dir), rev)
    except (orjson.JSONDecodeError, CacheInvalid, RecursionError):
        return None  # a corrupt or foreign cache is rebuilt, never trusted


# ---------------------------------------------------------------- writing


def _document(entry: CacheEntry) -> dict[str, Any]:
    h = entry.history
    commits = {name: list(col) for name, col in zip(COMMIT_COLUMNS, zip(*h.commits))} if h.commits \
        else {name: [] for name in COMMIT_COLUMNS}
    files = {name: list(col) for name, col in zip(FILE_COLUMNS, zip(*h.files))} if h.files \
        else {name: [] for name in FILE_COLUMNS}
    return {"kind": CACHE_KIND, "format": entry.format, "common_dir": entry.common_dir, "rev": entry.rev,
            "roots": list(entry.roots), "head": entry.head, "lines_available": bool(h.lines_available),
            "missing_paths": int(h.missing_paths), "commits": commits, "files": files}


def _make_private_dir(directory: Path) -> None:
    # 0700 before the umask: the cache holds names, e-mails and commit messages
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)


def save(entry: CacheEntry) -> bool:
    """Write the entry; False (with a warning) when the cache folder cannot be written."""
    path = cache_path(Path(entry.common_dir), entry.rev)
    try:
        _make_private_dir(path.parent)
        data = orjson.dumps(_document(entry))
        with lock_file(path.with_suffix(".lock")):
            # mkstemp creates the file 0600 with O_EXCL: never through a planted symlink
            fd, tmp = tempfile.mkstemp(prefix=".history-", suffix=".tmp", dir=path.parent)
            try:
                umask = os.umask(0)
                os.umask(umask)
                os.fchmod(fd, 0o600 & ~umask)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                # rename replaces a symlink at ``path`` itself; it never writes through it
                os.replace(tmp, path)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
    except OSError as exc:
        _warn(f"the mining cache in {path.parent} cannot be written ({exc.strerror or exc}); "
              "the next run mines from scratch (set ASSESS_CACHE_DIR to a writable folder, or pass --no-cache)")
        return False
    except Exception as exc:  # noqa: BLE001 - the lock's own AssessError (a stuck process) costs time only
        _warn(f"the mining cache was not written: {exc}")
        return False
    return True
