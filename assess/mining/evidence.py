"""Turn mined frames into the evidence document (JSON-able dict) that later stages consume."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from assess import __version__, defaults
from assess.csvcells import neutralise_frame
from assess.mining.history import MAX_MESSAGE_BYTES, TRUNCATED_MARK
from assess.mining.miner import RepoMining
from assess.mining.share import line_weight
from assess.mining.signals import compute_signals
from assess.redact import sanitize_remote, scrub_identities
from assess.signal_catalogue import EVIDENCE_SCHEMA_VERSION

SCHEMA_VERSION = EVIDENCE_SCHEMA_VERSION
TRUNCATED_TEXT = TRUNCATED_MARK.decode()
DEFAULT_WINDOW_DAYS = defaults.WINDOW_DAYS
EXAMPLES_PER_AGENT = 5


def forge_commit_url(remote: str | None) -> str | None:
    """A commit-link template (``{sha}`` placeholder) for remotes on known forges."""
    remote = sanitize_remote(remote)
    if not remote:
        return None
    m = re.match(r"^(?:https?://|ssh://git@|git@)(github\.com|gitlab\.com|codeberg\.org|bitbucket\.org)"
                 r"[:/]([^\s?#]+?)(?:\.git)?/?$", remote.strip(), re.IGNORECASE)
    if not m:
        return None
    host, slug = m.group(1).lower(), m.group(2)
    if host == "gitlab.com":
        return f"https://{host}/{slug}/-/commit/{{sha}}"
    if host == "bitbucket.org":
        return f"https://{host}/{slug}/commits/{{sha}}"
    return f"https://{host}/{slug}/commit/{{sha}}"


def repository_name(path: Any) -> str:
    """A readable name: the folder, without ``.git``; a bare snapshot folder called ``repo`` or
    ``.git`` takes its parent's name."""
    from pathlib import Path

    p = Path(path)
    name = p.name.removesuffix(".git")
    if name in ("", "repo", "git") and p.parent.name:
        name = p.parent.name.removesuffix(".git")
    return name


def _top(repo: Any) -> Any:
    """The repository's own folder (its work tree, else its git directory), whichever folder inside it
    was given: a sub-folder's name would label the whole repository's history."""
    return repo.work_tree if repo.work_tree is not None else repo.git_dir


def _iso(ts: Any) -> str | None:
    return None if ts is None or pd.isna(ts) else pd.Timestamp(ts).isoformat()


def _share(part: float, whole: float) -> float | None:
    return None if not whole else round(float(part) / float(whole), 4)


def work_commits(commits: pd.DataFrame) -> pd.DataFrame:
    """Commits that change content and are authored by a person or an agent (no merges, no bots)."""
    return commits[(~commits["is_merge"]) & (commits["class"] != "automation")]


def share_block(commits: pd.DataFrame) -> dict[str, Any]:
    work = work_commits(commits)
    ai = work[work["class"] == "ai"]
    lines = work["added"] + work["deleted"]
    ai_lines = lines * line_weight(work)  # one definition of AI lines: assess/mining/share.py
    return {
        "commits": int(len(work)),
        "ai_commits": int(len(ai)),
        "ai_commits_low_confidence": int((ai["confidence"] == "low").sum()),
        "ai_share_commits": _share(len(ai), len(work)),
        "lines": int(lines.sum()),
        "ai_lines": int(round(ai_lines.sum())),
        "ai_share_lines": _share(round(ai_lines.sum()), lines.sum()),  # from the reported (whole) line count
    }


def window_bounds(commits: pd.DataFrame, days: int = DEFAULT_WINDOW_DAYS) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The ``days`` up to the newest commit, so an archived repository is judged on its last activity."""
    # the start is anchored on the newest change, not on a later merge or bot commit that only
    # records it (which would leave the window empty); the end keeps those trailing merges
    work = commits[(~commits["is_merge"]) & (commits["class"] != "automation")] if "class" in commits else commits
    # a commit dated in the future (a wrong clock) must not drag the window past today
    latest = pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=1)
    times = (work if len(work) else commits)["author_time"]
    newest_change = times[times <= latest].max() if (times <= latest).any() else times.min()
    end = min(commits["author_time"].max(), latest)
    return newest_change - pd.Timedelta(days=days), max(end, newest_change)


def monthly(commits: pd.DataFrame) -> list[dict[str, Any]]:
    """Per month: commits by class and the AI shares (same definitions as :func:`share_block`)."""
    if commits.empty:
        return []
    work = (~commits["is_merge"]) & (commits["class"] != "automation")
    ai = work & (commits["class"] == "ai")
    lines = commits["added"] + commits["deleted"]
    f = pd.DataFrame({
        "human": commits["class"] == "human", "ai": commits["class"] == "ai",
        "automation": commits["class"] == "automation", "commits": work, "ai_commits": ai,
        "ai_commits_low_confidence": ai & (commits["confidence"] == "low"),
        "lines": lines.where(work, 0), "ai_lines": 0,
    }).astype("int64")
    f["ai_lines"] = (lines * line_weight(commits)).where(ai, 0)  # weighted: rounded once, per month
    month = commits["author_time"].dt.strftime("%Y-%m")
    sums = f.groupby(month).sum()
    agents = commits[ai].groupby([month[ai], commits.loc[ai, "agent"]]).size()
    rows = []
    for m, r in sums.iterrows():
        by_agent = {str(a): int(n) for (mm, a), n in agents.items() if mm == m} if len(agents) else {}
        rows.append({"month": m, **{k: int(round(v)) for k, v in r.items()},
                     "ai_share_commits": _share(r["ai_commits"], r["commits"]),
                     "ai_share_lines": _share(round(r["ai_lines"]), r["lines"]), "by_agent": by_agent})
    return rows


def build_evidence(mining: RepoMining, *, window_days: int = DEFAULT_WINDOW_DAYS,
                   show_identities: bool = False, collection: dict[str, Any] | None = None) -> dict[str, Any]:
    """The repository evidence document (validated by ``assess/schemas/evidence.schema.json``).
    ``collection``: how signals are measured (the rubric's ``collection`` section; default bundled)."""
    c = mining.commits
    cat = mining.catalogue
    start, end = window_bounds(c, window_days) if not c.empty else (None, None)
    in_window = c[(c["author_time"] >= start) & (c["author_time"] <= end)] if start is not None else c
    now = pd.Timestamp.now(tz="UTC")
    remote = sanitize_remote(mining.remote_url)

    agents = []
    ai = c[c["class"] == "ai"]
    for agent_id, group in ai.groupby("agent", sort=False):
        entry = cat.entries.get(agent_id)
        agents.append({
            "id": str(agent_id), "name": entry.name if entry else str(agent_id),
            "commits": int(len(group)),
            "first_seen": _iso(group["author_time"].min()), "last_seen": _iso(group["author_time"].max()),
            "channels": {str(k): int(v) for k, v in group["channel"].value_counts().items()},
            "confidence": {str(k): int(v) for k, v in group["confidence"].value_counts().items()},
            "example_commits": group.sort_values("author_time", ascending=False)["sha"].head(EXAMPLES_PER_AGENT).tolist(),
            "example_matches": group["matched_by"].drop_duplicates().head(3).tolist(),
        })
    agents.sort(key=lambda a: -a["commits"])
    automation = [
        {"id": str(k), "name": cat.entries[k].name if k in cat.entries else str(k), "commits": int(v)}
        for k, v in c.loc[c["class"] == "automation", "agent"].value_counts().items()
    ]
    lr = mining.line_records
    humans = c[c["class"] == "human"]
    identities: dict[str, Any] = {"humans": int(humans["person"].nunique()), "shown": show_identities}
    if show_identities:
        people = humans.groupby("person").agg(name=("author_name", "first"), email=("author_email", "first"),
                                              commits=("sha", "size")).reset_index()
        identities["people"] = [{"id": r.person, "name": r.name, "email": r.email, "commits": int(r.commits)}
                                for r in people.itertuples(index=False)]

    caveats = []
    if mining.lines_available and mining.missing_paths:
        caveats.append(f"The contents of {mining.missing_paths} path(s) are missing from this repository (e.g. a "
                       "snapshot without its large files): their changed lines are not counted; every other line is.")
    if not mining.lines_available:
        caveats.append("Some file contents are missing from this repository (e.g. a snapshot without its large "
                       "files): changes were read as paths only, so line counts and line shares are unavailable.")
    if mining.shallow:
        caveats.append("Shallow clone: only part of the history is present; counts, first-seen dates and the "
                       "timeline cover the fetched commits only (run `git fetch --unshallow` for all of it).")
    if lr.empty:
        caveats.append("No line-level attribution records (git-ai notes, Agent Trace): AI attribution rests on "
                       "commit metadata, which tools can switch off, so the AI share is a lower bound.")
    if end is not None and (now - end).days > 30:
        caveats.append(f"The newest commit is {(now - end).days} days old: the {window_days}-day window covers the "
                       f"repository's last active stretch ({start.date()} to {end.date()}), not today.")
    future = int(c["time_clamped"].sum()) if "time_clamped" in c else 0
    if future:
        caveats.append(f"{future} commit(s) are dated in the future or before 1684 (a wrong clock or a forged "
                       "date); their dates were clamped to the committer date, or to the newest plausible date "
                       "in the history, so they neither stretch the window nor hide the repository's age.")
    truncated = int(c["body"].str.contains(TRUNCATED_TEXT, regex=False).sum()) if len(c) else 0
    if truncated:
        caveats.append(f"{truncated} commit message(s) longer than {MAX_MESSAGE_BYTES // 1024} KB were cut in "
                       "the middle before reading; markers in the cut part are not seen.")
    if mining.repo.work_tree is not None and mining.repo.path != mining.repo.work_tree:
        caveats.append("The folder given is inside the repository: the whole repository's history was mined, "
                       "not only that folder's.")
    if mining.since or mining.until:
        caveats.append(f"History restricted to commits authored from {mining.since or 'the start'} "
                       f"to {mining.until or 'the end'}.")
    if (c["channel"] == "branch").any():
        caveats.append("Some commits are attributed only because they arrived on an agent-named branch "
                       "(medium confidence): a person may have pushed to that branch too.")
    refs = _refs_mined(mining)
    if refs is not None:
        caveats.append(f"Mined every branch, tag and remote ref ({refs['refs']} refs, {refs['side_refs']} pointing "
                       f"outside {mining.rev}'s history): {refs['side_only_commits']} commits "
                       f"({refs['side_only_ai_commits']} AI-attributed) are reachable only from side refs, work "
                       "that may never have been merged.")
    low = int(((c["class"] == "ai") & (c["confidence"] == "low")).sum())
    if low:
        caveats.append(f"{low} commit{' carries' if low == 1 else 's carry'} only an 'assisted' marker that a tool "
                       "adds by itself (low confidence; e.g. VS Code and Copilot CLI add a Copilot co-author trailer, "
                       "reported on hand-written commits too): counted in the AI share of commits, not in the "
                       "placement.")
    if "channel" in c and (c["channel"] == "cadence").any():
        inferred = c[c["channel"] == "cadence"]
        caveats.append(f"{len(inferred)} commits under people's identities are attributed to agents from machine "
                       f"cadence alone (per identity: long runs with minute-scale gaps, hundreds a day, through the "
                       f"night, fixed intervals; {int((inferred['confidence'] == 'high').sum())} at high confidence, "
                       "the rest medium). Limits: the rubric's cadence section.")
    if "unattended" in c and "channel" in c and (c["unattended"] & (c["channel"] != "cadence")).any():
        n = int((c["unattended"] & (c["channel"] != "cadence")).sum())
        caveats.append(f"{n} agent commits made under people's identities at machine cadence count as unattended runs, "
                       "not pairing.")
    if "ai_line_weight" in c and ((c["ai_line_weight"] > 0) & (c["ai_line_weight"] < 1)).any():
        w = float(c.loc[(c["ai_line_weight"] > 0) & (c["ai_line_weight"] < 1), "ai_line_weight"].iloc[0])
        caveats.append(f"AI share of lines counts in-session co-authored commits at {w:g} of their lines (pairing: "
                       "person and agent both wrote); agent-authored, delegated and unattended work counts whole.")

    signals = compute_signals(c, mining.files, mining.artefacts, mining.head, start, end, collection=collection)
    if not show_identities:
        # a pseudonym beside the commits it made is re-identified by looking the commits up: the
        # commits stay (they are the evidence), the pseudonym goes
        for item in signals.get("inferred", []):
            person = str(item.get("person", ""))
            item["text"] = str(item.get("text", "")).replace(person, "one human identity", 1)
            item["person"] = "withheld"
    for agent in agents:
        agent["example_matches"] = [scrub_identities(m) for m in agent["example_matches"]]

    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "assess", "version": __version__},
        "repository": {
            "path": str(mining.repo.path), "name": repository_name(_top(mining.repo)), "head": mining.head, "rev": mining.rev,
            "commits": int(len(c)), "first": _iso(c["author_time"].min()) if len(c) else None,
            "last": _iso(c["author_time"].max()) if len(c) else None, "shallow": mining.shallow,
            "bare": mining.repo.bare, "lines_available": mining.lines_available, "remote": remote, "commit_url": forge_commit_url(remote),
        },
        "mining": {"parsed_commits": mining.stats.parsed_commits, "cached_commits": mining.stats.cached_commits,
                   "cache": mining.stats.cache, "since": mining.since, "until": mining.until,
                   "all_refs": refs is not None, **({"refs_mined": refs} if refs is not None else {})},
        "window": {"days": window_days, "start": _iso(start), "end": _iso(end),
                   "newest_commit_age_days": int((now - end).days) if end is not None else None},
        "attribution": {
            "by_class": {k: int((c["class"] == k).sum()) for k in ("human", "ai", "automation")},
            "by_agent": {str(k): int(v) for k, v in ai["agent"].value_counts().items()},
            "by_confidence": {k: int((ai["confidence"] == k).sum()) for k in ("high", "medium", "low")},
            "agents": agents,
            "automation": automation,
            "review_bots": {str(k): int(v) for k, v in c["review_bot"].dropna().value_counts().items()},
            "window": {"start": _iso(start), "end": _iso(end), **share_block(in_window)},
            "all_time": share_block(c),
            "by_month": monthly(c),
            "definitions": {
                "ai_share_commits": "AI-attributed / all non-merge commits by people or agents (automation excluded)",
                "ai_share_lines": "lines added+deleted by AI-attributed commits / all such lines, same commits",
            },
            "line_records": {
                "sources": sorted(lr["source"].unique().tolist()) if not lr.empty else [],
                "commits_covered": int(lr["sha"].nunique()) if not lr.empty else 0,
                # which commits the records covered (newest first, at most 200)
                "covered_commits": (c.loc[c["sha"].isin(set(lr["sha"])), "sha"].head(200).tolist()
                                    if not lr.empty else []),
                "ai_lines": int(lr["ai_lines"].sum()) if not lr.empty else 0,
            },
            "catalogue": {"files": list(cat.files), "entries": len(cat.entries)},
        },
        "artefacts": mining.artefacts,
        "signals": signals,
        "identities": identities,
        "caveats": caveats,
    }


def _refs_mined(mining: RepoMining) -> dict[str, Any] | None:
    """The --all-refs block with the side-only counts of the commits kept (after --since/--until)."""
    if mining.refs is None:
        return None
    c = mining.commits
    side = c["side_only"] if "side_only" in c else pd.Series(False, index=c.index)
    work = side & ~c["is_merge"]
    return {**mining.refs, "side_only_commits": int(side.sum()),
            "side_only_ai_commits": int((work & (c["class"] == "ai")).sum())}


def commit_rows(mining: RepoMining, *, show_identities: bool = False) -> pd.DataFrame:
    """One row per commit for CSV export; names and e-mails only when asked for."""
    c = mining.commits
    out = pd.DataFrame({
        "sha": c["sha"],
        "author_time": c["author_time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "class": c["class"], "agent": c["agent"],
        "matched_by": c["matched_by"] if show_identities else c["matched_by"].map(scrub_identities),
        "files": c["files"], "added": c["added"], "deleted": c["deleted"],
        "is_merge": c["is_merge"], "person": c["person"],
    })
    if show_identities:
        out["author_name"] = c["author_name"]
        out["author_email"] = c["author_email"]
    return neutralise_frame(out)  # a name or match text starting with "=" is not a formula
