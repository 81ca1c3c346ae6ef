"""`assess org` at scale: a serial loop against Dask (LocalCluster with 1 and 2 workers, and an
external `dask scheduler` + `dask worker` on this machine), on generated repositories of mixed sizes.

    python benchmarks/org_scale.py [--repos 200] [--workdir /tmp/org-scale] [--skip-external] [--repeat N]

For each engine it runs `run_org` (team reports off, mining cache off) into a fresh folder and reports
wall time, repositories/minute, the speedup over the serial loop, the scheduling overhead per task
(worker-seconds not spent inside tasks, divided by the tasks; it includes the idle tail) and the
peak memory (max RSS) of each worker process. A no-op round trip per task is measured too.
It then projects the time for 2,000 and 20,000 repositories with N workers from the measured
per-repository cost (the model is printed). Run by hand on a quiet machine; the load is printed,
and the CPU seconds the machine spent in each run (/proc/stat: every process, whoever reaps it).

The serial loop and the 2-worker cluster are run in alternating rounds (``--repeat N``), with a
third baseline in each round: the serial loop mining each repository with one git process, as
each Dask worker does. On the 2-core VM these figures come from, the same run varies by up to
20% from one minute to the next (a pure-Python loop takes 0.8-1.3 s), so the ratio is read within
each round and the median over rounds is the figure to quote; the table keeps each engine's best.

Figures: 200 repositories (94,468 commits), `--repos 200 --skip-external`; session 3 (commit
5290e89) against this version (`--repeat 4`, then `--repeat 3`, load 1.1-2.3 with the benchmark):

    2 workers vs the serial loop, round by round     session 3: 1.69x, 1.52x (best-of: 1.55x)
                                                     now: 1.72x, 1.63x, 1.68x, 2.00x; 1.63x, 1.77x, 1.86x
                                                     median of the 7 rounds: 1.72x (target 1.8x)
    best walls of the last run: serial loop 59.1 s, one git process per repository 50.4 s,
    LocalCluster 1 worker 53.1 s, 2 workers 31.8 s (377 repositories/minute)

What two workers pay that the loop does not, on the same two cores: each worker process starts
Python and imports distributed, pandas, pyarrow and assess (about 1.3 s of CPU each); the client's
Dask event loop spends about 2 s of CPU per 200 tasks (submitting, gathering the results); the
client writes every result's files beside the workers; and the cluster takes 1-2 s to start.
The serial loop keeps more than one core busy by itself (git diffs while Python parses).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from orgfixture import make_repo  # noqa: E402

from assess.org import OrgOptions, run_org  # noqa: E402


def make_repos(root: Path, n: int, seed: int = 0) -> list[int]:
    """Mixed sizes: most repositories small, some medium, a few large (like an organisation)."""
    rng = random.Random(seed)
    sizes = []
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        r = rng.random()
        size = rng.randint(20, 150) if r < 0.7 else rng.randint(300, 1200) if r < 0.95 else rng.randint(2500, 5000)
        make_repo(root / f"repo-{i:04d}", size, seed=i, ai_bias=(i % 5) / 5)
        sizes.append(size)
    return sizes


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children_maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """CPU time the whole machine spent (all cores, from /proc/stat): it counts this process, git,
    the workers and the processes they start, whoever reaps them; it also counts anything else
    running, so the load is printed beside it. Elsewhere: this process and its reaped children."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            ticks = [int(v) for v in fh.readline().split()[1:]]
        return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait
    except (OSError, ValueError, IndexError):
        s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def run_engine(label: str, src: Path, out: Path, *, mining_jobs: int | None = None, **kwargs) -> dict:
    if out.exists():
        shutil.rmtree(out)
    load = os.getloadavg()[0]
    cpu = _cpu_seconds()
    t = time.perf_counter()
    org = run_org([str(src)], out, options=OrgOptions(use_cache=False, mining_jobs=mining_jobs), team_reports=False,
                  **kwargs)
    wall = time.perf_counter() - t
    cpu = _cpu_seconds() - cpu
    task_seconds = sum(r["seconds"] or 0 for r in org["repositories"])
    # printed at once: a long run that is stopped half-way still leaves its figures
    print(f"  {label}: wall {wall:.1f} s, fan-out {org['run']['seconds']:.1f} s, task seconds {task_seconds:.1f}, "
          f"CPU {cpu:.1f} s, load {load:.2f} -> {os.getloadavg()[0]:.2f}", flush=True)
    return {"label": label, "wall": wall, "fanout": org["run"]["seconds"], "task_seconds": task_seconds,
            "workers": org["run"]["workers"], "n": len(org["repositories"]), "cpu": cpu,
            "load": max(load, os.getloadavg()[0]),
            "failed": sum(r["status"] != "ok" for r in org["repositories"])}


def worker_memory(address: str | None, cluster_workers: int | None) -> list[float]:
    """Run a short LocalCluster or connect to ``address`` and read each worker's max RSS."""
    from distributed import Client

    def rss() -> float:
        import resource as r

        return max(r.getrusage(r.RUSAGE_SELF).ru_maxrss, r.getrusage(r.RUSAGE_CHILDREN).ru_maxrss) / 1024

    with Client(address) as client:
        return sorted(client.run(rss).values())


def noop_roundtrip(address: str, n: int = 200) -> float:
    from distributed import Client

    with Client(address) as client:
        t = time.perf_counter()
        futures = [client.submit(int, i, pure=False) for i in range(n)]
        client.gather(futures)
        return (time.perf_counter() - t) / n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repos", type=int, default=200)
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--skip-external", action="store_true")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run the serial loop and the 2-worker cluster N times, alternating (N pairs), and the "
                         "1-worker cluster min(N, 2) times; the table keeps each engine's fastest run")
    args = ap.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="org-scale-"))
    src = work / "src"
    if not src.exists():
        t = time.perf_counter()
        sizes = make_repos(src, args.repos)
        print(f"generated {args.repos} repositories ({sum(sizes):,} commits, sizes {min(sizes)}-{max(sizes)}) "
              f"in {time.perf_counter() - t:.0f} s")
    os.environ["ASSESS_CACHE_DIR"] = str(work / "cache")
    print(f"load before: {os.getloadavg()[0]:.2f} (1 min), cores: {os.cpu_count()}")

    def best(label: str, out: Path, **kwargs) -> dict:
        # the fastest of --repeat runs: other work on a shared machine only ever slows a run down;
        # the serial loop and the 2-worker cluster alternate so both see the same spells of load
        return min((run_engine(label, src, out, **kwargs) for _ in range(min(args.repeat, 2))), key=lambda r: r["wall"])

    serial = single = two = None
    # each round runs the three one right after the other; the ratios are taken within a round
    pairs: list[float] = []  # serial loop wall / 2-worker wall
    pairs_single: list[float] = []  # serial loop with one git process per repository / 2-worker wall
    for _ in range(args.repeat):
        r = run_engine("serial loop", src, work / "out-serial", engine="serial")
        serial = r if serial is None or r["wall"] < serial["wall"] else serial
        # the same loop mining each repository in one process, as each Dask worker does: the serial
        # loop as shipped mines histories of 2,000+ commits with two git processes, so it is not one core
        r1 = run_engine("serial loop, 1 git process/repo", src, work / "out-serial1", engine="serial", mining_jobs=1)
        single = r1 if single is None or r1["wall"] < single["wall"] else single
        r2 = run_engine("LocalCluster 2 workers", src, work / "out-l2", engine="dask", workers=2)
        two = r2 if two is None or r2["wall"] < two["wall"] else two
        pairs.append(r["wall"] / r2["wall"])
        pairs_single.append(r1["wall"] / r2["wall"])
    print(f"  serial loops and 2 workers done, load {os.getloadavg()[0]:.2f}; parent max RSS {_maxrss_mb():.0f} MB")
    results = [serial, single, best("LocalCluster 1 worker", work / "out-l1", engine="dask", workers=1), two]
    print(f"  1 worker done, load {os.getloadavg()[0]:.2f}")
    memory: list[float] = []
    overhead_noop = None
    if not args.skip_external:
        from daskcluster import external_cluster

        with external_cluster(work, workers=2) as address:
            results.append(run_engine("external scheduler, 2 workers", src, work / "out-ext", scheduler=address))
            memory = worker_memory(address, None)
            overhead_noop = noop_roundtrip(address)
        print(f"  external done, load {os.getloadavg()[0]:.2f}")

    serial = results[0]
    print(f"\n{args.repos} repositories; load after: {os.getloadavg()[0]:.2f}")
    print(f"{'engine':32} {'wall s':>8} {'fan-out s':>9} {'repos/min':>9} {'vs serial':>9} {'overhead/task':>13} "
          f"{'CPU s':>7} {'max load':>8}")
    for r in results:
        over = (r["fanout"] * r["workers"] - r["task_seconds"]) / r["n"]
        cpu = f"{r['cpu']:7.1f}"
        print(f"{r['label']:32} {r['wall']:8.1f} {r['fanout']:9.1f} {60 * r['n'] / r['wall']:9.1f} "
              f"{serial['wall'] / r['wall']:8.2f}x {1000 * over:10.0f} ms {cpu} {r['load']:8.2f}   failed {r['failed']}")
    print("CPU s: CPU time the machine spent during the run (every process, from /proc/stat); on 2 cores "
          "the 2-worker wall time cannot go below half of it")
    # this VM's cores change speed by up to a quarter from one minute to the next (the same pure-Python
    # loop takes 0.8-1.3 s), so one round proves little; the median over rounds is the figure
    print(f"2 workers vs the serial loop, round by round: {', '.join(f'{x:.2f}x' for x in pairs)}; "
          f"median {statistics.median(pairs):.2f}x")
    print(f"2 workers vs the serial loop with 1 git process per repository: "
          f"{', '.join(f'{x:.2f}x' for x in pairs_single)}; median {statistics.median(pairs_single):.2f}x")
    if overhead_noop is not None:
        print(f"no-op task round trip on the external scheduler: {1000 * overhead_noop:.1f} ms per task")
    if memory:
        print(f"peak memory per worker (max RSS, worker or its mining children): "
              f"{', '.join(f'{m:.0f} MB' for m in memory)}")

    # model: T(N, W) = S + N * c / (W * e); c = serial seconds per repository (this size mix, this
    # machine's core), e = parallel efficiency measured with 2 workers, S = cluster start-up (the
    # difference between wall and fan-out time of the 2-worker run)
    two = next(r for r in results if r["label"] == "LocalCluster 2 workers")
    c = serial["fanout"] / serial["n"]
    e = min(1.0, (serial["fanout"] / two["fanout"]) / 2)
    s = two["wall"] - two["fanout"]
    print(f"\nprojection model: T = S + N * c / (W * e), c = {c:.2f} s per repository (serial loop, this mix), "
          f"e = {e:.2f} (2-worker efficiency measured here), S = {s:.0f} s (start-up and report); assumes "
          "workers on cores as fast as these, repositories of the same size mix, and storage that keeps up")
    for n in (2000, 20000):
        cells = []
        for w in (2, 8, 32, 128):
            t = s + n * c / (w * e)
            shown = f"{t / 3600:.1f} h" if t >= 3600 else f"{t / 60:.0f} min" if t >= 90 else f"{t:.0f} s"
            cells.append(f"W={w}: {shown}")
        print(f"  {n:>6,} repositories: " + ", ".join(cells))


if __name__ == "__main__":
    main()
