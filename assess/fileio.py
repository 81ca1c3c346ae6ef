"""Atomic output: write to a temporary file beside the target, then rename, so a failure never
leaves a half-written file and never destroys the previous version."""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from assess.errors import AssessError


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def new_file_mode(private: bool = False) -> int:
    """Mode of a newly created output: 0666 (or 0600 when it holds names or messages) minus the umask."""
    return (0o600 if private else 0o666) & ~current_umask()


def _copy_backup(target: Path, directory: Path) -> None:
    """``target`` to ``target.bak`` through a temporary file and a rename: a ``.bak`` that is a
    symlink (e.g. shipped in a study folder kept in git) is replaced, never written through."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.bak.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out, open(target, "rb") as src:
            shutil.copyfileobj(src, out)
            out.flush()
            os.fsync(out.fileno())
        shutil.copymode(target, tmp)
        os.replace(tmp, str(target) + ".bak")
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


@contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w", *, encoding: str | None = "utf-8",
                newline: str | None = None, backup: bool = False, private: bool = False,
                allow_device: bool = True) -> Iterator[IO[Any]]:
    """Open a temporary file for writing that replaces ``path`` only when the block succeeds.

    With ``backup=True`` an existing file is first copied to ``path + '.bak'`` (never through a
    symlink). A new file gets 0666 minus the umask, or 0600 minus the umask with ``private=True``
    (files holding names, e-mails or messages); an existing file keeps its mode. ``allow_device``
    lets a user-named output be a pipe or device (``/dev/stdout``); files of a folder that is
    rewritten in place pass False, so a planted symlink to a device is refused.
    """
    target = Path(path)
    if target.exists() and not target.is_file() and not target.is_dir():
        if not allow_device:
            raise AssessError(f"{target}: is not a regular file (a pipe, device or a link to one); refused",
                              hint="replace it with a regular file")
        # a device or pipe (/dev/null, /dev/stdout, a FIFO): write straight to it; renaming over it
        # would replace the device with a regular file
        binary = "b" in mode
        try:
            with open(target, mode, **({} if binary else {"encoding": encoding, "newline": newline})) as fh:
                yield fh
        except OSError as exc:
            raise AssessError(f"{target}: cannot write: {exc.strerror or exc}") from None
        return
    if target.is_dir():
        raise AssessError(f"{target}: is a directory", hint="give a file name for the output")
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.exists():
        raise AssessError(f"{target}: directory {directory} does not exist", hint="create it first")
    if not directory.is_dir():
        raise AssessError(f"{target}: {directory} is not a directory", hint="choose another output path")
    binary = "b" in mode
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise AssessError(f"{target}: cannot write here: {exc.strerror or exc}",
                          hint="choose a writable output path") from None
    try:
        with os.fdopen(fd, mode, **({} if binary else {"encoding": encoding, "newline": newline})) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if backup and target.is_file():
            _copy_backup(target, directory)
        if target.is_file() and not target.is_symlink():
            # keep the permissions the user gave the file
            shutil.copymode(target, tmp_name)
        else:
            os.chmod(tmp_name, new_file_mode(private))
        try:
            os.replace(tmp_name, target)
        except OSError as exc:
            raise AssessError(f"{target}: cannot write: {exc.strerror or exc}",
                              hint="choose a writable output path") from None
    except BaseException as exc:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError) and not isinstance(exc, AssessError):
            raise AssessError(f"{target}: cannot write: {exc.strerror or exc}") from None
        raise


def write_text(path: str | os.PathLike[str], text: str, *, backup: bool = False, private: bool = False,
               allow_device: bool = True) -> None:
    with atomic_open(path, "w", backup=backup, private=private, allow_device=allow_device) as fh:
        fh.write(text)


def write_bytes(path: str | os.PathLike[str], data: bytes, *, private: bool = False) -> None:
    with atomic_open(path, "wb", encoding=None, private=private) as fh:
        fh.write(data)


def to_json_text(data: Any) -> str:
    """JSON text; NaN and infinities (invalid JSON) become null."""
    return json.dumps(_finite(data), indent=2, ensure_ascii=False, default=_json_default, allow_nan=False) + "\n"


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if type(value).__module__ == "numpy":  # numpy scalars and arrays
        return _finite(value.tolist())
    return value


def write_json(path: str | os.PathLike[str], data: Any, *, private: bool = False) -> None:
    """Write JSON atomically; ``-`` writes to stdout."""
    text = to_json_text(data)
    if str(path) == "-":
        import sys

        sys.stdout.write(text)
        return
    write_text(path, text, private=private)


def _json_default(value: Any) -> Any:
    import datetime as _dt

    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, set):
        return sorted(value)
    if hasattr(value, "item"):  # numpy / pandas scalars
        return value.item()
    if hasattr(value, "tolist"):  # numpy arrays
        return value.tolist()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serialisable")
