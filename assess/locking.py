"""Advisory locks around read-modify-write of a user's files (study folder, response folder, cache).

Two `assess` processes updating the same folder would otherwise each read the old file and the last
rename would win, silently dropping the other's change. ``flock`` on the folder itself (or on a lock
file beside a file) serialises them; the lock is released when the process exits, even on a crash,
so a stale lock can never block a later run.
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assess.errors import AssessError

try:  # POSIX; on other systems the lock is a no-op (documented in SECURITY.md)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_TIMEOUT_SECONDS = 120.0  # a concurrent `assess` finishes its write in well under this


@contextmanager
def _flock(fd: int, what: Path, timeout: float) -> Iterator[None]:
    if fcntl is None:  # pragma: no cover
        yield
        return
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise AssessError(f"{what}: cannot lock: {exc.strerror}") from None
            if time.monotonic() > deadline:
                raise AssessError(f"{what}: another assess process has held its lock for over "
                                  f"{int(timeout)} s", hint="wait for it to finish, then run again") from None
            time.sleep(0.02)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextmanager
def lock_directory(directory: str | os.PathLike[str], *, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[None]:
    """Hold an exclusive lock on ``directory`` (every writer of files in it takes the same lock)."""
    path = Path(directory)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise AssessError(f"{path}: cannot open the folder to lock it: {exc.strerror}") from None
    try:
        with _flock(fd, path, timeout):
            yield
    finally:
        os.close(fd)


@contextmanager
def lock_file(lock_path: str | os.PathLike[str], *, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[None]:
    """Hold an exclusive lock on a dedicated lock file (created owner-only, never through a symlink)."""
    path = Path(lock_path)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0), 0o600)
    try:
        with _flock(fd, path, timeout):
            yield
    finally:
        os.close(fd)
