"""The output folder of an organisation run: per-repository Parquet tables and evidence, a manifest
entry per repository (written last and atomically: the commit point of that repository), a lock so
two runs never write the same folder, and the DuckDB roll-up.

    DIR/repos/<key>/commits.parquet, attribution.parquet, placement.parquet, evidence.json,
                    people-<team>-<digest>.json (evidence of a team's people, for repositories no team owns),
                    entry.json
    DIR/manifest.json   every repository's entry and the run's options
    DIR/org.duckdb      tables commits, attribution, placement, repositories over all of them
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from assess.errors import AssessError
from assess.fileio import atomic_open, to_json_text, write_json, write_text
from assess.redact import private_evidence_paths

ENTRY_FORMAT = "assess-org-entry/1"
MANIFEST_FORMAT = "assess-org-manifest/1"
TABLES = ("commits", "attribution", "placement")
MAX_ENTRY_BYTES = 10 << 20  # an entry is a few hundred bytes; anything larger is not ours


def team_slug(team: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", team).strip(".-")[:60] or "team"


def people_file(team: str) -> str:
    """The file of one team's people's evidence in a repository. The slug alone is not unique ("team a"
    and "team-a", or two long names sharing their first 60 characters): the second team's file
    replaced the first's, and that team lost its commits. The name's digest keeps them apart."""
    digest = hashlib.sha256(team.encode("utf-8")).hexdigest()[:10]
    return f"people-{team_slug(team)}-{digest}.json"


def _interrupted(exc: BaseException) -> bool:
    """DuckDB turns a Ctrl-C during a query into its own error (``RuntimeError: Query interrupted``,
    or ``InterruptException``) and swallows the KeyboardInterrupt."""
    import duckdb

    return isinstance(exc, duckdb.InterruptException) or (
        isinstance(exc, RuntimeError) and str(exc).strip().lower() == "query interrupted")


class OrgStore:
    """Open with ``with OrgStore(path) as store``: creates the folder and holds its lock."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self._lock_fh: Any = None

    def __enter__(self) -> OrgStore:
        try:
            (self.root / "repos").mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise AssessError(f"{self.root}: cannot create the output folder: {exc.strerror or exc}") from None
        fh = open(self.root / ".lock", "a+")  # noqa: SIM115 - held for the whole run
        try:
            # released by the kernel when this process ends, even on a crash: no stale locks
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise AssessError(f"{self.root}: another `assess org` run is writing this folder",
                              hint="wait for it to finish, or choose another -o folder") from None
        self._lock_fh = fh
        return self

    def __exit__(self, *exc: object) -> None:
        if self._lock_fh is not None:
            fcntl.flock(self._lock_fh.fileno(), fcntl.LOCK_UN)
            self._lock_fh.close()
            self._lock_fh = None

    def repo_dir(self, key: str) -> Path:
        return self.root / "repos" / key

    def entries(self) -> dict[str, dict[str, Any]]:
        """Every finished repository's entry, by key (an unreadable entry counts as not finished)."""
        out: dict[str, dict[str, Any]] = {}
        for path in sorted((self.root / "repos").glob("*/entry.json")):
            try:
                if path.stat().st_size > MAX_ENTRY_BYTES:
                    continue
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(data, dict) and data.get("format") == ENTRY_FORMAT and isinstance(data.get("key"), str):
                out[data["key"]] = data
        return out

    def save(self, row: dict[str, Any]) -> dict[str, Any]:
        """Store one task's result; returns the entry now on disk. A skipped repository keeps its
        files and entry; a failed one records its error (its older tables stay, marked by status)."""
        d = self.repo_dir(row["key"])
        d.mkdir(parents=True, exist_ok=True)
        if row["status"] == "skipped-unchanged":
            entry = self.entries_one(row["key"])
            if entry is not None:
                return entry
        entry = {"format": ENTRY_FORMAT, "source": row["source"], "key": row["key"], "name": row["name"],
                 "origin": row.get("origin"),
                 "status": row["status"], "error": row.get("error"), "head": row.get("head"),
                 "fingerprint": row.get("fingerprint"), "seconds": row.get("seconds"), "worker": row.get("worker"),
                 "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                 "commits": row.get("commits"), "level": None, "people_teams": []}
        if row["status"] == "ok":
            for name in TABLES:
                frame = row["tables"][name].copy()
                frame.insert(0, "repository", row["key"])
                with atomic_open(d / f"{name}.parquet", "wb", encoding=None) as fh:
                    frame.to_parquet(fh, index=False, engine="pyarrow")
            # as `assess repo --json` writes it without --show-identities: the clone's folder, a local
            # origin (a home folder, a client's name) and catalogue files cut to their last name
            write_json(d / "evidence.json", private_evidence_paths(row["evidence"]))
            for old in d.glob("people-*.json"):
                old.unlink()
            for team, evidence in row["team_evidence"].items():
                write_json(d / people_file(team), {"team": team, "evidence": private_evidence_paths(evidence)})
            entry["level"] = row["evidence"]["level"]["overall"]
            entry["people_teams"] = sorted(row["team_evidence"])
        write_json(d / "entry.json", entry)  # last: the repository counts as finished from here on
        return entry

    def entries_one(self, key: str) -> dict[str, Any] | None:
        path = self.repo_dir(key) / "entry.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("format") == ENTRY_FORMAT else None

    def evidence(self, key: str) -> dict[str, Any]:
        return json.loads((self.repo_dir(key) / "evidence.json").read_text(encoding="utf-8"))

    def people_evidence(self, key: str) -> dict[str, dict[str, Any]]:
        out = {}
        for path in sorted(self.repo_dir(key).glob("people-*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            out[data["team"]] = data["evidence"]
        return out

    def write_manifest(self, run: dict[str, Any], rows: list[dict[str, Any]]) -> None:
        write_text(self.root / "manifest.json", to_json_text({"format": MANIFEST_FORMAT, "run": run,
                                                              "repositories": rows}))

    def rollup(self, keys: list[str]) -> Path:
        """``org.duckdb`` with one table per kind over the given repositories' Parquet files."""
        import duckdb

        target = self.root / "org.duckdb"
        tmp = self.root / f".org.duckdb.{os.getpid()}.tmp"
        if tmp.exists():
            tmp.unlink()
        con = duckdb.connect(str(tmp))
        try:
            for name in TABLES:
                files = [str(self.repo_dir(k) / f"{name}.parquet") for k in keys
                         if (self.repo_dir(k) / f"{name}.parquet").exists()]
                if files:
                    con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet(?, union_by_name = true)", [files])
            entries = self.entries()
            frame = pd.DataFrame([{k: e.get(k) for k in ("key", "source", "origin", "name", "status", "error", "head",
                                                          "seconds", "commits", "finished_at")}
                                  for key, e in entries.items() if key in set(keys)])
            if not frame.empty:
                con.register("repositories_frame", frame)
                con.execute("CREATE TABLE repositories AS SELECT * FROM repositories_frame")
                con.unregister("repositories_frame")
            con.close()
            os.replace(tmp, target)
        except BaseException as exc:
            con.close()
            if tmp.exists():
                tmp.unlink()
            if _interrupted(exc):  # Ctrl-C during a query: the run was interrupted, not an internal error
                raise KeyboardInterrupt from None
            raise
        return target
