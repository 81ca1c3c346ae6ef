"""Run a few functions side by side in forked child processes and collect their results, so CPU-
bound parsing uses every core (threads would share one, under the GIL).

Each child starts as a copy of this process (modules loaded, no start-up cost), sends progress
counts and finally its result over its own pipe, length-prefixed, and leaves with ``os._exit``.
Results must be built-in values (lists, tuples, strings, numbers): they travel with ``marshal``,
several times cheaper to write than pickle for parsed rows, and only between this process and its
own children (never through a file). A child that fails sends its exception, re-raised here; one
that dies is an error. Where ``fork`` is unavailable the functions run in threads instead.
"""

from __future__ import annotations

import marshal
import os
import pickle
import select
import signal
import struct
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

_HEADER = struct.Struct("!cQ")  # kind (b"p" progress, b"r" result, b"e" error), payload length


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform.startswith("linux")


def run_side_by_side(fns: Sequence[Callable[[Callable[[int], None]], Any]],
                     on_progress: Callable[[int], None] | None = None) -> list[Any]:
    """``fn(progress)`` for each ``fn``, each in its own process; results in the order given.
    ``progress(n)`` in a child reports its count; ``on_progress`` gets the sum over children."""
    if not can_fork():
        return _threads(fns, on_progress)
    with started(fns) as results:
        return results(on_progress)


@contextmanager
def started(fns: Sequence[Callable[[Callable[[int], None]], Any]]
            ) -> Iterator[Callable[[Callable[[int], None] | None], list[Any]]]:
    """Start ``fn(progress)`` for each ``fn`` in its own process now; the block gets a function
    that waits for the results (in the order given), so this process can work meanwhile. Leaving
    the block stops children whose results were not collected. Where ``fork`` is unavailable the
    functions run when the results are asked for."""
    if not can_fork():
        yield lambda on_progress=None: _threads(fns, on_progress)
        return
    children: list[tuple[int, int]] = []
    try:
        for fn in fns:
            read_fd, write_fd = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(read_fd)
                _child(fn, write_fd)  # never returns
            os.close(write_fd)
            children.append((pid, read_fd))
        yield lambda on_progress=None: _collect(children, on_progress)
    finally:
        for pid, fd in children:
            try:
                os.close(fd)
            except OSError:
                pass
            _reap(pid)


def _child(fn: Callable[[Callable[[int], None]], Any], fd: int) -> None:
    code = 0
    try:
        out = os.fdopen(fd, "wb", buffering=0)

        def send(kind: bytes, payload: bytes) -> None:
            out.write(_HEADER.pack(kind, len(payload)) + payload)

        try:
            result = fn(lambda n: send(b"p", struct.pack("!Q", n)))
            send(b"r", marshal.dumps(result, 4))
        except BaseException as exc:  # noqa: BLE001 - handed to the parent
            try:
                send(b"e", pickle.dumps(exc, protocol=pickle.HIGHEST_PROTOCOL))
            except Exception:  # noqa: BLE001 - an exception that cannot be pickled
                send(b"e", pickle.dumps(RuntimeError(f"{type(exc).__name__}: {exc}")))
        out.close()
    except BaseException:  # noqa: BLE001 - nothing may escape a forked child
        code = 1
    finally:
        os._exit(code)


def _collect(children: list[tuple[int, int]], on_progress: Callable[[int], None] | None) -> list[Any]:
    buffers = {fd: bytearray() for _, fd in children}
    results: dict[int, Any] = {}
    errors: list[BaseException] = []
    counts = {fd: 0 for _, fd in children}
    open_fds = set(buffers)
    while open_fds:
        ready, _, _ = select.select(list(open_fds), [], [])
        for fd in ready:
            chunk = os.read(fd, 1 << 22)
            if not chunk:
                open_fds.discard(fd)
                continue
            buf = buffers[fd]
            buf += chunk
            while len(buf) >= _HEADER.size:
                kind, size = _HEADER.unpack_from(buf)
                if len(buf) < _HEADER.size + size:
                    break
                payload = bytes(buf[_HEADER.size:_HEADER.size + size])
                del buf[:_HEADER.size + size]
                if kind == b"p":
                    counts[fd] = struct.unpack("!Q", payload)[0]
                    if on_progress is not None:
                        on_progress(sum(counts.values()))
                elif kind == b"r":
                    results[fd] = marshal.loads(payload)  # our own forked child, over a pipe
                else:
                    errors.append(pickle.loads(payload))  # noqa: S301 - idem
    if errors:
        raise errors[0]
    missing = [fd for _, fd in children if fd not in results]
    if missing:
        raise RuntimeError("a parsing process died before it finished")
    return [results[fd] for _, fd in children]


def _reap(pid: int) -> None:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if not done:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    except (ChildProcessError, ProcessLookupError):
        pass


def _threads(fns: Sequence[Callable[[Callable[[int], None]], Any]],
             on_progress: Callable[[int], None] | None) -> list[Any]:
    results: list[Any] = [None] * len(fns)
    counts = [0] * len(fns)

    def work(i: int) -> None:
        def progress(n: int) -> None:
            counts[i] = n
            if on_progress is not None:
                on_progress(sum(counts))

        try:
            results[i] = ("ok", fns[i](progress))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
            results[i] = ("error", exc)

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(len(fns))]
    for t in threads:
        t.start()
    for t in threads:
        while t.is_alive():  # a timed join lets Ctrl-C reach this thread at once
            t.join(0.2)
    for kind, value in results:
        if kind == "error":
            raise value
    return [value for _, value in results]
