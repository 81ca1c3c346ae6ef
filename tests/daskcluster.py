"""A real Dask cluster for the tests: `dask scheduler` and `dask worker` started as processes on
127.0.0.1 (ports chosen by the operating system), stopped and reaped afterwards."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def external_cluster(tmp: Path, workers: int = 2, timeout: float = 60) -> Iterator[str]:
    """Yields the scheduler address once ``workers`` workers have joined."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])}
    info = tmp / "scheduler.json"
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    procs: list[subprocess.Popen] = []
    log = open(tmp / "dask.log", "wb")  # noqa: SIM115 - closed below
    try:
        procs.append(subprocess.Popen([*dask, "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                       "--scheduler-file", str(info)], env=env, stdout=log, stderr=log,
                                      start_new_session=True))
        deadline = time.monotonic() + timeout
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address,
                                       "--nworkers", str(workers), "--nthreads", "1", "--no-dashboard",
                                       "--host", "127.0.0.1", "--local-directory", str(tmp / "dask-worker")],
                                      env=env, stdout=log, stderr=log, start_new_session=True))
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(workers, timeout=timeout)
        yield address
    finally:
        for p in reversed(procs):
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for p in reversed(procs):
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        log.close()
