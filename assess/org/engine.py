"""The fan-out: one Dask task per repository, on a LocalCluster sized to this machine or on an
existing cluster (``tcp://HOST:PORT``); or a plain loop in this process (``serial``, the baseline
the benchmark compares against and what the tests check Dask's results against)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from typing import Any

from assess.errors import AssessError
from assess.org.options import OrgOptions, RepoSource, TeamPeople
from assess.org.task import one_line_error, run_repository

Task = tuple[RepoSource, tuple[TeamPeople, ...], dict[str, Any] | None]  # spec, people rules, stored entry
CONNECT_TIMEOUT = "30s"


def default_workers() -> int:
    """One single-threaded worker process per core: mining is CPU-bound Python plus git."""
    return max(1, os.cpu_count() or 1)


def run_serial(tasks: Sequence[Task], options: OrgOptions, on_result: Callable[[dict[str, Any]], None]) -> None:
    for spec, people, known in tasks:
        on_result(run_repository(spec, options, people, known))


def run_dask(tasks: Sequence[Task], options: OrgOptions, on_result: Callable[[dict[str, Any]], None], *,
             scheduler: str | None = None, workers: int | None = None) -> dict[str, Any]:
    """Run every task on Dask; ``on_result`` gets each row as it finishes (in finishing order).
    Returns what the run used (scheduler address, worker count)."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:  # pragma: no cover - a dependency; kept for a clear message
        raise AssessError("Dask distributed is not installed", hint='pip install "dask[distributed]"') from None
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
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0",
                                   silence_logs=logging.ERROR)
            client = Client(cluster)
    except AssessError:
        raise
    except Exception as exc:  # noqa: BLE001 - a cluster that cannot start is one line, not a traceback
        raise AssessError(f"cannot start Dask: {one_line_error(exc)}") from None
    used = {"engine": "dask", "scheduler": scheduler or "local",
            "workers": len(client.scheduler_info(n_workers=-1).get("workers", {}))}
    try:
        futures = {}
        for spec, people, known in tasks:
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
    finally:
        for fut, _ in list(futures.values()):
            fut.cancel()
        client.close()
        if cluster is not None:
            cluster.close()
    return used
