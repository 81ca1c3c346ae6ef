"""Run one function in a forked child with a hard time limit, so a repository that takes too long
is really stopped (its git processes too), not merely abandoned while it keeps a core busy.

The child is forked from the calling process (a Dask worker, or the serial loop), so it starts with
every module already imported: the cost is a fork, not a Python start-up. It leads its own process
group; on timeout the whole group (the child and the git processes it started) is killed.
``os.fork`` is used directly because Dask runs its workers as daemonic processes, which
``multiprocessing`` forbids from having children. The result comes back over a pipe from our own
child (never from disk).
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from collections.abc import Callable
from typing import Any


class TimedOut(Exception):
    """The function ran past its limit and was killed."""


class ChildFailed(Exception):
    """The function raised in the child (the message is its one-line error) or the child died."""


def call_with_timeout(fn: Callable[..., Any], args: tuple[Any, ...], timeout: float) -> Any:
    """``fn(*args)`` in a forked child; raises :class:`TimedOut` after ``timeout`` seconds (the
    child and its process group are killed) or :class:`ChildFailed` when it raised or died."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, send, leave without running the parent's exit handlers
        code = 0
        try:
            os.close(read_fd)
            os.setpgrp()  # own process group: a kill on timeout reaches the git processes too
            try:
                payload = pickle.dumps(("ok", fn(*args)), protocol=pickle.HIGHEST_PROTOCOL)
            except BaseException as exc:  # noqa: BLE001 - reported to the parent as one line
                from assess.org.task import one_line_error

                payload = pickle.dumps(("error", one_line_error(exc)))
            with os.fdopen(write_fd, "wb") as fh:
                fh.write(payload)
        except BaseException:  # noqa: BLE001 - nothing may escape a forked child
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    finished = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimedOut(f"stopped after {timeout:g} s (the per-repository time limit)")
            ready, _, _ = select.select([read_fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:  # the child closed its end: done (or died)
                finished = True
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        if not finished:
            _kill_group(pid)
        _reap(pid, finished)
    if not chunks:
        raise ChildFailed("the mining process died without a result")
    try:
        message = pickle.loads(b"".join(chunks))  # noqa: S301 - our own forked child, over a pipe
    except Exception:  # noqa: BLE001
        raise ChildFailed("the mining process died mid-result") from None
    if message[0] == "error":
        raise ChildFailed(message[1])
    return message[1]


def _reap(pid: int, finished: bool) -> None:
    for _ in range(100 if finished else 20):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return
        if done:
            return
        time.sleep(0.05)
    _kill_group(pid)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _kill_group(pid: int) -> None:
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
