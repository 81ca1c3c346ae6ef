"""One repository, one task: resolve the source (clone a URL), check whether its head moved, then
assess it with one library call; never raise, always return a result row."""

from __future__ import annotations

import dataclasses
import fnmatch
import hashlib
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pandas as pd

from assess.errors import AssessError
from assess.org.isolate import ChildFailed, TimedOut, call_with_timeout
from assess.org.options import OrgOptions, RepoSource, TeamPeople

MAX_ERROR_CHARS = 300


def one_line_error(exc: BaseException) -> str:
    """The error as one line the manifest and the report can show."""
    text = str(exc) if isinstance(exc, AssessError) else f"{type(exc).__name__}: {exc}"
    text = " ".join(text.split())
    return text[:MAX_ERROR_CHARS] or type(exc).__name__


def pseudonymous_id(email: str) -> str:
    """A stable id for a person across repositories, for teams files that must not list e-mails:
    ``p-`` + the first 12 hex digits of SHA-256 of the lower-cased, trimmed e-mail."""
    return "p-" + hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:12]


def assess_repository(path: str | Path, options: OrgOptions) -> dict[str, Any]:
    """Assess one repository with the one assessment pipeline, exactly as ``assess repo`` does
    (the same call, not a second judgement). Returns its mining and its evidence, with its
    placement under ``level`` as ``assess repo --json`` writes it."""
    from assess.pipeline import SourceOptions, run_assessment

    a = run_assessment(SourceOptions(repos=(str(path),), rev=options.rev, window_days=options.window_days,
                                     signatures=options.signatures, rubric=options.rubric,
                                     use_cache=options.use_cache, jobs=options.mining_jobs))
    evidence = a.evidences[0]
    evidence["level"] = a.team
    return {"mining": a.minings[0], "evidence": evidence}


def people_masks(commits: pd.DataFrame, people: tuple[TeamPeople, ...]) -> dict[str, pd.Series]:
    """For each team with people rules: which commits its people authored."""
    emails = commits["author_email"].str.strip().str.lower()
    ids = emails.map(pseudonymous_id) if any(rule.ids for rule in people) else None
    masks: dict[str, pd.Series] = {}
    for rule in people:
        mask = masks.get(rule.team, pd.Series(False, index=commits.index))
        for pattern in rule.emails:
            mask = mask | emails.map(lambda e, p=pattern.lower(): fnmatch.fnmatchcase(e, p))
        if ids is not None and rule.ids:
            mask = mask | ids.isin(set(rule.ids))
        masks[rule.team] = mask
    return {team: mask for team, mask in masks.items() if mask.any()}


def people_evidence(mining: Any, masks: dict[str, pd.Series], options: OrgOptions) -> dict[str, dict[str, Any]]:
    """Evidence restricted to each team's people (for repositories no team owns)."""
    from assess.mining import build_evidence
    from assess.pipeline import observational_step

    c = mining.commits
    out: dict[str, dict[str, Any]] = {}
    for team, mask in masks.items():
        shas = set(c.loc[mask, "sha"])
        lr = mining.line_records
        subset = dataclasses.replace(
            mining, commits=c[mask].reset_index(drop=True),
            files=mining.files[mining.files["sha"].isin(shas)].reset_index(drop=True),
            line_records=lr[lr["sha"].isin(shas)].reset_index(drop=True) if not lr.empty else lr)
        evidence = build_evidence(subset, window_days=options.window_days)
        evidence["observational_speedup"] = observational_step(subset)
        out[team] = evidence
    return out


def _tables(mining: Any, evidence: dict[str, Any], team_of_commit: pd.Series | None) -> dict[str, pd.DataFrame]:
    """The per-repository tables: commits (no names or e-mails), attribution, placement."""
    c = mining.commits
    commits = pd.DataFrame({
        "sha": c["sha"], "parents": c["parents"], "author_time": c["author_time"], "commit_time": c["commit_time"],
        "is_merge": c["is_merge"], "first_parent": c["first_parent"], "files": c["files"], "added": c["added"],
        "deleted": c["deleted"], "person": c["person"],
        "team": team_of_commit if team_of_commit is not None else pd.Series([None] * len(c), dtype="object"),
    })
    attribution = pd.DataFrame({
        "sha": c["sha"], "class": c["class"], "agent": c["agent"], "channel": c["channel"],
        "confidence": c["confidence"], "matched_by": c["matched_by"], "delegated": c["delegated"],
        "ai_lines": c["ai_lines"], "review_bot": c["review_bot"].astype("object").where(c["review_bot"].notna(), None),
    })
    return {"commits": commits, "attribution": attribution, "placement": placement_rows(evidence["level"])}


def placement_rows(level: dict[str, Any]) -> pd.DataFrame:
    """One row per dimension and one for the overall level."""
    rows = [{"dimension": name, "level": d["level"], "lo": d["range"][0], "hi": d["range"][1],
             "confidence": d["confidence"], "source": d["source"]} for name, d in level["dimensions"].items()]
    o = level["overall"]
    rows.append({"dimension": "overall", "level": o["level"], "lo": o["range"][0], "hi": o["range"][1],
                 "confidence": o["confidence"], "source": "placement"})
    frame = pd.DataFrame(rows)
    frame["level"] = frame["level"].astype("Int64")
    return frame


def _resolve(spec: RepoSource, options: OrgOptions) -> Path:
    if spec.kind == "url":
        from assess.org.clone import partial_clone

        return partial_clone(spec.source, spec.key, options.clone_dir, credential=spec.credential)
    return Path(spec.source)


def current_head(path: Path, rev: str) -> str | None:
    proc = subprocess.run(["git", "-C", str(path), "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                          capture_output=True, text=True, timeout=60)
    return proc.stdout.strip() or None if proc.returncode == 0 else None


def _work(spec: RepoSource, options: OrgOptions, people: tuple[TeamPeople, ...],
          known: dict[str, Any] | None) -> dict[str, Any]:
    for name, seconds, pid_file in options.test_delays:
        if name == spec.name:
            Path(pid_file).write_text(str(os.getpid()))
            time.sleep(seconds)
    path = _resolve(spec, options)
    fingerprint = options.fingerprint(people)
    if known and known.get("status") == "ok" and known.get("fingerprint") == fingerprint:
        head = current_head(path, options.rev)
        if head is not None and head == known.get("head"):
            return {"status": "skipped-unchanged", "head": head, "fingerprint": fingerprint}
    assessed = assess_repository(path, options)
    mining, evidence = assessed["mining"], assessed["evidence"]
    masks = people_masks(mining.commits, people) if people else {}
    by_team = people_evidence(mining, masks, options)
    team_of_commit = None
    if masks:  # a commit by people of several teams lists each team, comma-separated
        labels = [[] for _ in range(len(mining.commits))]
        for team, mask in masks.items():
            for i in mask.to_numpy().nonzero()[0]:
                labels[i].append(team)
        team_of_commit = pd.Series([",".join(t) or None for t in labels], dtype="object")
    return {"status": "ok", "head": mining.head, "fingerprint": fingerprint, "evidence": evidence,
            "team_evidence": by_team, "tables": _tables(mining, evidence, team_of_commit),
            "commits": int(len(mining.commits))}


_WARM = False


def warm_up() -> None:
    """Import once, in the long-lived process, what the first assessment would import lazily, so
    each forked child starts with it loaded instead of paying the imports again every time."""
    global _WARM
    if _WARM:
        return
    import pyarrow.parquet  # noqa: F401

    import assess.levels  # noqa: F401
    import assess.mining  # noqa: F401
    import assess.pipeline  # noqa: F401
    from assess.mining.catalogue import load_catalogue
    from assess.speedup import observational  # noqa: F401 - the observational step of each assessment

    load_catalogue(None)
    _WARM = True


def run_repository(spec: RepoSource, options: OrgOptions, people: tuple[TeamPeople, ...] = (),
                   known: dict[str, Any] | None = None) -> dict[str, Any]:
    """The task for one repository. Never raises: a failure or a timeout is a result row with its
    one-line error and the time it took, so one bad repository never sinks the run."""
    import socket

    start = time.perf_counter()
    row: dict[str, Any] = {"source": spec.source, "key": spec.key, "name": spec.name, "origin": spec.origin, "error": None,
                           "head": None, "worker": f"{socket.gethostname()}:{os.getpid()}"}
    try:
        from assess.frames import python_strings

        with python_strings():  # the team evidence built after the assessment too: see assess.frames
            if options.timeout_per_repo:
                warm_up()
                out = call_with_timeout(_work, (spec, options, people, known), options.timeout_per_repo)
            else:
                out = _work(spec, options, people, known)
        row.update(out)
    except TimedOut as exc:
        row.update(status="timeout", error=str(exc))
    except ChildFailed as exc:
        row.update(status="failed", error=str(exc))
    except Exception as exc:  # noqa: BLE001 - recorded, never raised: one repository never sinks the run
        row.update(status="failed", error=one_line_error(exc))
    row["seconds"] = round(time.perf_counter() - start, 3)
    return row
