"""Opening files that may be hostile: regular files only, bounded in size, never hanging on a FIFO.

A path given by a user (or shipped inside a repository or study folder) can be a named pipe, a
symlink to ``/dev/zero`` or a multi-gigabyte file. Reading one would hang or exhaust memory, so
every reader of user files goes through :func:`read_bytes_bounded` / :func:`read_text_bounded`.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from assess.errors import InputError

# Reason: the largest legitimate inputs (a survey export of thousands of rows, a big study) are a
# few MB; 64 MB leaves a wide margin while keeping memory bounded.
MAX_INPUT_BYTES = 64 * 1024 * 1024


def _human(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def open_regular(path: str | os.PathLike[str], *, follow_symlinks: bool = True,
                 max_bytes: int | None = MAX_INPUT_BYTES, what: str = "file") -> int:
    """Open ``path`` read-only and return the descriptor, refusing anything but a regular file.

    The descriptor is checked with ``fstat`` after opening (no race between check and use);
    ``O_NONBLOCK`` keeps a FIFO from blocking the open itself."""
    p = Path(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(p, flags)
    except FileNotFoundError:
        raise InputError(p, "file not found") from None
    except IsADirectoryError:
        raise InputError(p, f"is a directory, expected a {what}") from None
    except OSError as exc:
        if not follow_symlinks and os.path.islink(p):
            raise InputError(p, "is a symbolic link; refused") from None
        raise InputError(p, f"cannot read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputError(p, f"is a directory, expected a {what}")
        if not stat.S_ISREG(st.st_mode):
            raise InputError(p, "is not a regular file (a pipe, device or socket); refused",
                             hint=f"give a {what} saved on disk")
        if max_bytes is not None and st.st_size > max_bytes:
            raise InputError(p, f"is {_human(st.st_size)}, more than the {_human(max_bytes)} assess reads",
                             hint="is this the right file?")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_bytes_bounded(path: str | os.PathLike[str], *, max_bytes: int = MAX_INPUT_BYTES,
                       what: str = "file", follow_symlinks: bool = True) -> bytes:
    """The bytes of a regular file of at most ``max_bytes`` (a file growing while read is cut off)."""
    fd = open_regular(path, max_bytes=max_bytes, what=what, follow_symlinks=follow_symlinks)
    with os.fdopen(fd, "rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(path, f"is more than the {_human(max_bytes)} assess reads")
    return data


def read_text_bounded(path: str | os.PathLike[str], *, max_bytes: int = MAX_INPUT_BYTES,
                      what: str = "file", encoding: str = "utf-8-sig") -> str:
    """UTF-8 text of a bounded regular file; a decoding problem is a one-line error naming the byte."""
    data = read_bytes_bounded(path, max_bytes=max_bytes, what=what)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text (byte {exc.start})", hint="save the file as UTF-8") from None
