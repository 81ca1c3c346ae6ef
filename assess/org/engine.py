"""The fan-out: one Dask task per repository, on a LocalCluster sized to this machine or on an
existing cluster (``tcp://HOST:PORT``); or a plain loop in this process (``serial``, the baseline
the benchmark compares against and what the tests check Dask's results against)."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assess.errors import AssessError
from assess.org.options import OrgOptions, RepoSource, TeamPeople
from assess.org.task import one_line_error, run_repository

Task = tuple[RepoSource, tuple[TeamPeople, ...], dict[str, Any] | None]  # spec, people rules, stored entry
CONNECT_TIMEOUT = "30s"

# Dask's housekeeping, slowed for the cluster this process starts (and for this client). Each task
# is one repository (a second or more of CPU-bound Python), so sub-second monitoring buys nothing, and
# on a machine with as many workers as cores every housekeeping cycle is taken from a task.
# Measured idle on 2 cores: 2.7 s of CPU per 20 s (client + 2 workers) with the defaults, 0.3 s with these.
LOCAL_CLUSTER_CONFIG = {
    # the statistical profiler samples the running task's stack every 10 ms, taking the GIL from it
    "distributed.worker.profile.enabled": False,
    # event-loop health checks (default 20 ms): only warn about a blocked loop, later
    "distributed.admin.tick.interval": "500ms",
    # CPU/memory/network samples for the dashboard (default 500 ms)
    "distributed.admin.system-monitor.interval": "2s",
    # spill/pause/terminate checks (default 100 ms); a task's result is one repository's tables
    "distributed.worker.memory.monitor-interval": "1s",
}


def default_workers() -> int:
    """One single-threaded worker process per core: mining is CPU-bound Python plus git."""
    return max(1, os.cpu_count() or 1)


def estimated_size(spec: RepoSource) -> int:
    """Bytes of the repository's packed objects on this machine (0 when unknown: a URL, a linked
    worktree): a cheap stand-in for how long mining it takes, to start the big ones first."""
    if spec.kind != "path":
        return 0
    root = Path(spec.source)
    for objects in (root / ".git" / "objects", root / "objects"):
        try:
            with os.scandir(objects / "pack") as entries:
                return sum(e.stat().st_size for e in entries if e.name.endswith(".pack"))
        except OSError:
            continue
    return 0


def run_serial(tasks: Sequence[Task], options: OrgOptions, on_result: Callable[[dict[str, Any]], None]) -> None:
    for spec, people, known in tasks:
        on_result(run_repository(spec, options, people, known))


def run_dask(tasks: Sequence[Task], options: OrgOptions, on_result: Callable[[dict[str, Any]], None], *,
             scheduler: str | None = None, workers: int | None = None,
             while_closing: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Run every task on Dask; ``on_result`` gets each row as it finishes (in finishing order).
    Returns what the run used (scheduler address, worker count).

    ``while_closing(used)`` runs once every result is in, while the LocalCluster shuts down in
    another thread (half a second of waiting for its workers to exit); the call returns when both
    are done, and an error from ``while_closing`` is raised after the cluster is closed."""
    try:
        import dask
        from distributed import Client, LocalCluster, as_completed  # noqa: F401 - checked here, used below
    except ImportError:  # pragma: no cover - a dependency; kept for a clear message
        raise AssessError("Dask distributed is not installed", hint='pip install "dask[distributed]"') from None
    # the settings reach the workers a LocalCluster spawns (a nanny hands its config over) and this
    # client; an existing cluster (--scheduler) keeps its own
    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        return _run_dask(tasks, options, on_result, scheduler=scheduler, workers=workers,
                         while_closing=while_closing)


def _run_dask(tasks: Sequence[Task], options: OrgOptions, on_result: Callable[[dict[str, Any]], None], *,
              scheduler: str | None, workers: int | None,
              while_closing: Callable[[dict[str, Any]], None] | None) -> dict[str, Any]:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    try:
        if scheduler:
            try:
                client = Client(scheduler, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError) as exc:
                raise AssessError(f"{scheduler}: cannot reach the Dask scheduler: {one_line_error(exc)}",
                                  hint="check the address, or leave --scheduler out to use this machine") from None
        else:
            n = workers or default_workers()
            # the dashboard on a free port of this machine only (None still tries :8787 on every interface)
            # Dask's own logs stay quiet: a failed or lost task is a result row with its one-line error,
            # and a worker's heartbeat that races the shutdown printed a traceback at the end of a good run
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0",
                                   silence_logs=logging.CRITICAL)
            client = Client(cluster)
            from assess.org.workersignals import IgnoreInterrupt

            client.register_plugin(IgnoreInterrupt())  # Ctrl-C stops this process, which closes the cluster
    except AssessError:
        raise
    except Exception as exc:  # noqa: BLE001 - a cluster that cannot start is one line, not a traceback
        raise AssessError(f"cannot start Dask: {one_line_error(exc)}") from None
    used = {"engine": "dask", "scheduler": scheduler or "local",
            "workers": len(client.scheduler_info(n_workers=-1).get("workers", {}))}
    closing = None
    try:
        futures = {}
        # largest first (Dask runs what was submitted first first): a big repository started last
        # would leave every other worker idle while it finishes
        for spec, people, known in sorted(tasks, key=lambda t: -estimated_size(t[0])):
            # one task per repository; pure=False: the same repository is re-read on every run
            fut = client.submit(run_repository, spec, options, people, known, pure=False,
                                key=f"assess-org-{spec.key}-{os.getpid()}")
            futures[fut.key] = (fut, spec)
        for fut in as_completed([f for f, _ in futures.values()]):
            _, spec = futures.pop(fut.key)
            try:
                row = fut.result()
            except Exception as exc:  # noqa: BLE001 - the worker died (memory, a crash): record it
                row = {"source": spec.source, "key": spec.key, "name": spec.name, "status": "failed",
                       "error": f"the worker running it was lost: {one_line_error(exc)}", "head": None,
                       "seconds": None}
            fut.release()
            on_result(row)
        client.close()
        if cluster is not None:
            closing = threading.Thread(target=_close_quietly, args=(cluster,), name="assess-dask-close")
            closing.start()
        if while_closing is not None:
            while_closing(used)
    finally:
        for fut, _ in list(futures.values()):
            fut.cancel()
        client.close()
        if closing is not None:
            closing.join()
        elif cluster is not None:
            cluster.close()
    return used


def _close_quietly(cluster: Any) -> None:
    try:
        cluster.close()
    except Exception:  # noqa: BLE001 - every result is already stored; a slow shutdown loses nothing
        logging.getLogger(__name__).debug("closing the LocalCluster failed", exc_info=True)
