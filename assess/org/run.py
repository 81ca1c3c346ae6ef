"""An organisation run from Python: sources -> one task per repository (Dask or a serial loop) ->
stored results -> team placements -> org.json / org.html / org.md."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from assess.org.engine import Task, run_dask, run_serial
from assess.org.forgesource import ForgeAccess, Listing
from assess.org.options import OrgOptions, RepoSource
from assess.org.sources import expand_sources
from assess.org.store import OrgStore
from assess.org.summary import DEFAULT_MIN_GROUP, build_org
from assess.org.teams import Teams, load_teams, one_team_per_repository


@dataclass
class Progress:
    """What a progress display needs after each repository."""

    total: int
    done: int = 0
    failed: int = 0  # failed or timed out
    skipped: int = 0
    started: float = field(default_factory=time.monotonic)
    last: dict[str, Any] | None = None

    @property
    def finished(self) -> int:
        return self.done + self.failed + self.skipped

    def seconds_left(self) -> float | None:
        worked = self.done + self.failed
        if not worked:
            return None
        rate = (time.monotonic() - self.started) / self.finished
        return rate * (self.total - self.finished)


def plan(specs: list[RepoSource], teams: Teams, entries: dict[str, dict[str, Any]]) -> list[Task]:
    """One task per repository: its people rules when no team owns it, its stored entry (to skip it
    when its head and the options are unchanged)."""
    people = teams.people()
    return [(spec, () if teams.owners(spec) else people, entries.get(spec.key)) for spec in specs]


def run_org(sources: list[str], out_dir: str | Path, *, teams_file: str | Path | None = None,
            options: OrgOptions | None = None, engine: str = "dask", scheduler: str | None = None,
            workers: int | None = None, min_group: int = DEFAULT_MIN_GROUP, team_reports: bool = True,
            on_progress: Callable[[Progress], None] | None = None,
            forge: ForgeAccess | None = None) -> dict[str, Any]:
    """Assess every repository named by ``sources`` into ``out_dir``; returns the org document.

    ``engine``: "dask" (a LocalCluster of ``workers`` processes, or the cluster at ``scheduler``) or
    "serial" (a loop in this process). Repositories whose head and options did not change since the
    last run into the same folder are skipped; an interrupted run resumes where it stopped.

    ``forge``: how forge organisation sources (``github:ORG``, ``gitlab:GROUP``) are listed; they
    reach the network only when ``forge.allowed`` is set (else they are an error)."""
    from assess.levels import load_rubric
    from assess.mining.catalogue import load_catalogue

    options = options or OrgOptions()
    if engine == "dask" and options.mining_jobs is None:
        # Dask already runs one task per core: a task that also splits its own mining over every
        # core makes two tasks fight for the same cores (measured: 1.18x serial on 2 cores)
        options = replace(options, mining_jobs=1)
    if options.rubric:
        load_rubric(options.rubric)  # a malformed file fails before any repository is mined
    load_catalogue(options.signatures)
    listings: list[Listing] = []
    specs = expand_sources(sources, forge, listings)
    teams = load_teams(teams_file) if teams_file else one_team_per_repository(specs)
    out = Path(out_dir)
    with OrgStore(out) as store:
        tasks = plan(specs, teams, store.entries())
        progress = Progress(total=len(tasks))
        rows: dict[str, dict[str, Any]] = {}

        def on_result(row: dict[str, Any]) -> None:
            entry = store.save(row)  # each finished repository is on disk before the next is counted
            for bulky in ("tables", "evidence", "team_evidence"):  # read back from disk when needed
                row.pop(bulky, None)
            row["level"] = entry["level"] if row["status"] in ("ok", "skipped-unchanged") else None
            rows[row["key"]] = row
            if row["status"] == "ok":
                progress.done += 1
            elif row["status"] == "skipped-unchanged":
                progress.skipped += 1
            else:
                progress.failed += 1
            progress.last = row
            if on_progress is not None:
                on_progress(progress)

        started = time.time()
        result: dict[str, Any] = {}

        def finish(used: dict[str, Any]) -> None:
            """Roll up, place the teams and write the reports (on Dask, while the cluster closes)."""
            run = {**used, "sources": list(sources), "seconds": round(time.time() - started, 2),
                   "timeout_per_repo": options.timeout_per_repo, "rev": options.rev, "window_days": options.window_days}
            if listings:  # which forge organisation each listed repository came from, and what was left out
                run["forge_organisations"] = [listing.as_dict() for listing in listings]
            store.rollup([s.key for s in specs if rows.get(s.key, {}).get("status") in ("ok", "skipped-unchanged")])

            from assess.org.report import team_report_writer, write_org

            writer = team_reports and team_report_writer(out)
            org = build_org(specs=specs, rows=rows, store=store, teams=teams, options=options, min_group=min_group,
                            run=run, on_team=writer or None)
            store.write_manifest(run, [{k: v for k, v in r.items() if k != "level"} for r in org["repositories"]])
            write_org(org, out)
            result["org"] = org

        if engine == "serial":
            run_serial(tasks, options, on_result)
            finish({"engine": "serial", "scheduler": None, "workers": 1})
        else:
            run_dask(tasks, options, on_result, scheduler=scheduler, workers=workers, while_closing=finish)
        org = result["org"]
    return org
