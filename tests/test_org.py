"""`assess org`: 30 generated repositories (one empty, one broken, one that outlives the time limit)
on a real LocalCluster and on a real `dask scheduler` + `dask worker`, against a serial run."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from daskcluster import external_cluster
from gitfixture import GitRepo
from orgfixture import make_org

from assess.org import OrgOptions, run_org
from assess.org.report import org_errors

SLOW = "repo-007"  # its task waits (test hook) far beyond the time limit: a stand-in for a huge history
LIMIT = 25.0
SLEEP = 120.0
ROOT = Path(__file__).resolve().parent.parent


def _options(tmp: Path) -> OrgOptions:
    return OrgOptions(timeout_per_repo=LIMIT, use_cache=False,
                      test_delays=((SLOW, SLEEP, str(tmp / f"slow-{os.getpid()}-{id(tmp)}.pid")),))


def rows(org: dict) -> list[tuple]:
    """What must match between engines: everything but the timing and the worker."""
    return [(r["source"], r["status"], r["error"], r["head"], json.dumps(r["level"], sort_keys=True))
            for r in org["repositories"]]


def tables(out: Path, org: dict) -> dict[str, pd.DataFrame]:
    frames = {}
    for r in org["repositories"]:
        for name in ("commits", "attribution", "placement"):
            f = out / "repos" / r["key"] / f"{name}.parquet"
            if f.exists():
                frames[f"{r['key']}/{name}"] = pd.read_parquet(f)
    return frames


@pytest.fixture(scope="module")
def org_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("org")
    make_org(root / "src", 30, sizes=(5, 9, 14))
    return root


@pytest.fixture(scope="module")
def serial(org_dir) -> tuple[Path, dict]:
    out = org_dir / "out-serial"
    return out, run_org([str(org_dir / "src")], out, options=_options(org_dir), engine="serial")


def test_serial_run_records_every_repository(serial, org_dir):
    out, org = serial
    assert org_errors(org) == []
    by_name = {r["name"]: r for r in org["repositories"]}
    assert len(by_name) == 30
    assert by_name["zz-empty"]["status"] == "failed" and "no commits" in by_name["zz-empty"]["error"]
    assert by_name["zz-broken"]["status"] == "failed" and "unable to read tree" in by_name["zz-broken"]["error"]
    slow = by_name[SLOW]
    assert slow["status"] == "timeout" and slow["error"] and LIMIT <= slow["seconds"] < LIMIT + 10
    pid = int(next(org_dir.glob("slow-*.pid")).read_text())
    with pytest.raises(ProcessLookupError):  # the task was stopped, not left running
        os.kill(pid, 0)
    ok = [r for r in org["repositories"] if r["status"] == "ok"]
    assert len(ok) == 27 and all(r["level"]["placeable"] and len(r["head"]) == 40 for r in ok)
    # the level is the overall placement `assess repo --json` gives
    first = ok[0]
    evidence = json.loads((out / "repos" / first["key"] / "evidence.json").read_text())
    assert first["level"] == evidence["level"]["overall"]
    assert {p.name for p in (out / "repos" / first["key"]).iterdir()} >= {
        "commits.parquet", "attribution.parquet", "placement.parquet", "entry.json", "evidence.json"}
    commits = pd.read_parquet(out / "repos" / first["key"] / "commits.parquet")
    assert len(commits) == first["commits"] and "author_email" not in commits and "author_name" not in commits
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["format"] == "assess-org-manifest/1" and len(manifest["repositories"]) == 30
    assert {m["status"] for m in manifest["repositories"]} == {"ok", "failed", "timeout"}
    import duckdb

    con = duckdb.connect(str(out / "org.duckdb"), read_only=True)
    n = con.execute("SELECT count(*) FROM commits").fetchone()[0]
    assert n == sum(r["commits"] for r in ok)
    assert con.execute("SELECT count(DISTINCT repository) FROM placement").fetchone()[0] == 27
    con.close()


def test_local_cluster_equals_serial_row_for_row(serial, org_dir):
    out_s, org_s = serial
    out = org_dir / "out-local"
    org = run_org([str(org_dir / "src")], out, options=_options(org_dir), engine="dask", workers=2)
    assert org["run"]["engine"] == "dask" and org["run"]["workers"] == 2
    assert rows(org) == rows(org_s)
    ts, td = tables(out_s, org_s), tables(out, org)
    assert ts.keys() == td.keys() and len(ts) == 27 * 3
    for k in ts:
        pd.testing.assert_frame_equal(ts[k], td[k])
    assert [t["level"] for t in org["teams"]] == [t["level"] for t in org_s["teams"]]


def test_external_scheduler_equals_serial(serial, org_dir, tmp_path):
    _, org_s = serial
    with external_cluster(tmp_path, workers=2) as address:
        org = run_org([str(org_dir / "src")], tmp_path / "out", options=_options(org_dir), scheduler=address)
    assert org["run"]["scheduler"] == address
    assert rows(org) == rows(org_s)
    workers = {json.loads((tmp_path / "out" / "repos" / r["key"] / "entry.json").read_text())["worker"]
               for r in org["repositories"] if r["status"] == "ok"}
    assert len(workers) == 2  # both worker processes took repositories


def test_rerun_skips_unchanged_and_remines_a_moved_head(tmp_path):
    make_org(tmp_path / "src", 5, empty=False, broken=False)
    out = tmp_path / "out"
    first = run_org([str(tmp_path / "src")], out, engine="serial", options=OrgOptions(use_cache=False))
    assert {r["status"] for r in first["repositories"]} == {"ok"}
    GitRepo(tmp_path / "src" / "repo-002", init=False).commit("one more", allow_empty=True)  # its head moves
    second = run_org([str(tmp_path / "src")], out, engine="serial", options=OrgOptions(use_cache=False))
    status = {r["name"]: r["status"] for r in second["repositories"]}
    assert status == {"repo-000": "skipped-unchanged", "repo-001": "skipped-unchanged", "repo-002": "ok",
                      "repo-003": "skipped-unchanged", "repo-004": "skipped-unchanged"}
    # unchanged repositories keep their level; the teams are placed from the stored evidence
    for a, b in zip(first["repositories"], second["repositories"]):
        if b["status"] == "skipped-unchanged":
            assert a["level"] == b["level"] and a["head"] == b["head"]
    assert [t["level"] for t in first["teams"] if t["name"] != "repo-002"] == \
           [t["level"] for t in second["teams"] if t["name"] != "repo-002"]
    # other options: every repository is mined again
    third = run_org([str(tmp_path / "src")], out, engine="serial",
                    options=OrgOptions(use_cache=False, window_days=30))
    assert {r["status"] for r in third["repositories"]} == {"ok"}


def test_interrupted_run_resumes(tmp_path):
    make_org(tmp_path / "src", 6, empty=False, broken=False)
    out = tmp_path / "out"
    seen = []

    def crash(p):
        seen.append(p.last["name"])
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_org([str(tmp_path / "src")], out, engine="serial", options=OrgOptions(use_cache=False), on_progress=crash)
    assert not (out / "org.json").exists()
    resumed = run_org([str(tmp_path / "src")], out, engine="serial", options=OrgOptions(use_cache=False))
    status = {r["name"]: r["status"] for r in resumed["repositories"]}
    assert [n for n, s in status.items() if s == "skipped-unchanged"] == seen
    assert sum(s == "ok" for s in status.values()) == 3
    fresh = run_org([str(tmp_path / "src")], tmp_path / "fresh", engine="serial", options=OrgOptions(use_cache=False))
    assert [r["level"] for r in resumed["repositories"]] == [r["level"] for r in fresh["repositories"]]
    assert [t["level"] for t in resumed["teams"]] == [t["level"] for t in fresh["teams"]]


def test_output_folder_is_locked(tmp_path):
    from assess.errors import AssessError
    from assess.org.store import OrgStore

    with OrgStore(tmp_path / "out"):
        with pytest.raises(AssessError, match="another `assess org` run"):
            with OrgStore(tmp_path / "out"):
                pass
    with OrgStore(tmp_path / "out"):  # released when the first run ends
        pass


def test_ctrl_c_during_the_rollup_is_an_interrupt_not_an_internal_error(tmp_path, monkeypatch):
    # DuckDB answers SIGINT in a query with RuntimeError("Query interrupted") (measured on duckdb 2.0:
    # `assess org` then exited 70 with "internal error"); the store turns it back into the interrupt
    import duckdb

    from assess.org.store import OrgStore

    real_connect = duckdb.connect

    class Interrupted:
        def __init__(self, path: str) -> None:
            self.con = real_connect(path)

        def execute(self, *args, **kwargs):
            raise RuntimeError("Query interrupted")

        def __getattr__(self, name):
            return getattr(self.con, name)

    make_org(tmp_path / "src", 2, empty=False, broken=False)
    run_org([str(tmp_path / "src")], tmp_path / "out", engine="serial", options=OrgOptions(use_cache=False),
            team_reports=False)
    monkeypatch.setattr(duckdb, "connect", Interrupted)
    with OrgStore(tmp_path / "out") as store, pytest.raises(KeyboardInterrupt):
        store.rollup(list(store.entries()))
    assert not list((tmp_path / "out").glob(".org.duckdb.*"))  # no half-written database left
    assert (tmp_path / "out" / "org.duckdb").exists()  # the previous run's roll-up is kept


def test_ctrl_c_while_a_worker_waits_prints_no_worker_traceback(tmp_path):
    # the tail of a run: one large repository keeps one worker busy, the other waits; a terminal's
    # Ctrl-C reaches the whole process group, and the waiting worker printed its KeyboardInterrupt and
    # CancelledError tracebacks over the terminal
    import signal
    import subprocess
    import sys

    from orgfixture import make_repo

    make_repo(tmp_path / "src" / "large", 15_000, seed=1)
    make_repo(tmp_path / "src" / "small", 10, seed=2)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.Popen([sys.executable, "-m", "assess", "org", str(tmp_path / "src"), "-o", str(tmp_path / "out"),
                             "--workers", "2", "--no-cache", "--no-team-reports"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        first = proc.stderr.readline()  # the small repository is done: one worker now waits
        assert first.startswith("[1/2]"), first
        os.killpg(proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
        rest = proc.stderr.read()
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, rest
    assert "Traceback" not in rest and "KeyboardInterrupt" not in rest, rest[-2000:]
    assert rest.strip().splitlines()[-1] == "assess: interrupted"


def test_stored_evidence_carries_no_local_paths(tmp_path):
    """A clone of a local folder: neither the clone's folder nor its origin (a home folder, a
    client's name) reaches the stored evidence, as `assess repo --json` leaves them out."""
    origin = tmp_path / "home-of-someone" / "client-acme"
    make_org(origin.parent, 1, empty=False, broken=False)
    (origin.parent / "repo-000").rename(origin)
    src = tmp_path / "clones"
    src.mkdir()
    subprocess.run(["git", "clone", "-q", str(origin), str(src / "acme")], check=True, capture_output=True)
    out = tmp_path / "out"
    org = run_org([str(src)], out, engine="serial", options=OrgOptions(use_cache=False))
    assert [r["status"] for r in org["repositories"]] == ["ok"]
    # (entry.json and org.json keep each source as the user gave it: that is the interface)
    stored = "".join(p.read_text() for p in (out / "repos").glob("*/*.json") if p.name != "entry.json")
    assert "home-of-someone" not in stored and str(tmp_path) not in stored
    evidence = json.loads(next((out / "repos").glob("*/evidence.json")).read_text())
    assert evidence["repository"]["remote"] == "client-acme"
