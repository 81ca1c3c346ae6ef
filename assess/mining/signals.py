"""Signals for the level placement, computed from the mined frames (collection, not judgement).

Which signals exist, and how each pools across repositories and months, is declared once in
:mod:`assess.signal_catalogue`; this module computes them. Every signal is a count, a maximum, a
median or a run frontier, and the window carries references (commit ids, paths) so a report can
show what it rests on. How signals are measured (run gaps, follow-up hours, the limits of inferred
activity) is set by the rubric's ``collection`` section, never hard-coded here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from assess.mining.share import line_weight
from assess.resources import package_file
from assess.signal_catalogue import COMMIT_COLUMNS, REF_SIGNALS, SIGNALS, frontier
from assess.yamlfile import LocatedYaml, load_built

REF_LIMIT = 8
REVIEW_TRAILERS = re.compile(r"^(reviewed-by|approved-by|acked-by|tested-by|reviewed-on)$", re.IGNORECASE)
WEB_FLOW = re.compile(r"^noreply@github\.com$|^noreply@gitlab\.com$", re.IGNORECASE)
CLOUD_CHANNELS = {"author", "committer", "branch"}  # the agent committed itself, no person in the session
KINDS = ["code", "tests", "spec", "instructions", "docs", "config", "generated", "other"]


def load_path_rules(path: str | Path | None = None) -> list[tuple[str, re.Pattern[str]]]:
    # parsed once per process while the file's text is unchanged
    return list(load_built(path or package_file("catalogue", "paths.yaml"), "path-rules", _path_rules))


def _path_rules(doc: LocatedYaml) -> tuple[tuple[str, re.Pattern[str]], ...]:
    rules = []
    for i, r in enumerate(doc.data.get("rules", []) if isinstance(doc.data, dict) else []):
        if not isinstance(r, dict) or r.get("kind") not in KINDS or not isinstance(r.get("pattern"), str):
            raise doc.error(f"each rule needs kind (one of {KINDS}) and pattern", "rules", i)
        try:
            rules.append((r["kind"], re.compile(r["pattern"], re.IGNORECASE)))
        except re.error as exc:
            raise doc.error(f"invalid regular expression: {exc}", "rules", i, "pattern") from None
    return tuple(rules)


def path_kinds(paths: pd.Series, rules: list[tuple[str, re.Pattern[str]]]) -> pd.Series:
    uniques = pd.unique(paths)
    mapping = {}
    for p in uniques:
        mapping[p] = next((k for k, rx in rules if rx.search(p)), "other")
    return paths.map(mapping)


def per_commit_kinds(files: pd.DataFrame, rules: list[tuple[str, re.Pattern[str]]]) -> pd.DataFrame:
    """Lines changed per commit and content kind: columns ``<kind>_lines`` and ``<kind>_files``."""
    if files.empty:
        return pd.DataFrame(columns=[f"{k}_{w}" for k in KINDS for w in ("lines", "files")])
    f = files[["sha", "path", "added", "deleted"]].copy()
    f["kind"] = path_kinds(f["path"], rules)
    f["lines"] = f["added"] + f["deleted"]
    lines = f.pivot_table(index="sha", columns="kind", values="lines", aggfunc="sum", fill_value=0)
    counts = f.pivot_table(index="sha", columns="kind", values="path", aggfunc="count", fill_value=0)
    out = pd.DataFrame(index=lines.index)
    for k in KINDS:
        out[f"{k}_lines"] = lines[k] if k in lines else 0
        out[f"{k}_files"] = counts[k] if k in counts else 0
    return out


def first_parent_chain(commits: pd.DataFrame, head: str) -> set[str]:
    if "first_parent" in commits:  # marked on the whole history before a --since/--until filter
        return set(commits.loc[commits["first_parent"], "sha"])
    parents = dict(zip(commits["sha"], commits["parents"]))
    chain = set()
    sha: str | None = head
    while sha and sha in parents and sha not in chain:
        chain.add(sha)
        ps = parents[sha].split()
        sha = ps[0] if ps else None
    return chain


def merge_table(commits: pd.DataFrame, head: str) -> pd.DataFrame:
    """One row per merge on the first-parent chain: what its branch brought in, who merged, how fast."""
    chain = first_parent_chain(commits, head)
    parents = dict(zip(commits["sha"], commits["parents"].str.split()))
    is_merge = dict(zip(commits["sha"], commits["is_merge"]))
    is_ai = dict(zip(commits["sha"], commits["class"] == "ai"))
    lines = dict(zip(commits["sha"], commits["added"] + commits["deleted"]))
    ctime = dict(zip(commits["sha"], commits["commit_time"]))
    claimed: set[str] = set()
    rows = []
    merges = commits[commits["is_merge"] & commits["sha"].isin(chain)].sort_values("commit_time")
    for sha, merge_time, cls in zip(merges["sha"], merges["commit_time"], merges["class"]):
        stack = list(parents[sha][1:])
        n_work = n_ai = n_lines = 0
        last = None
        while stack:
            x = stack.pop()
            if x in chain or x in claimed or x not in parents:
                continue
            claimed.add(x)
            stack.extend(parents[x])
            if is_merge[x]:
                continue
            n_work += 1
            n_ai += is_ai[x]
            n_lines += lines[x]
            last = ctime[x] if last is None or ctime[x] > last else last
        if n_work:
            rows.append((sha, merge_time, cls, n_work, n_ai, int(n_lines),
                         (merge_time - last).total_seconds() / 3600))
    return pd.DataFrame(rows, columns=["sha", "time", "merged_by", "branch_commits", "ai_commits", "lines",
                                       "delay_hours"])


def collection_parameters(rubric: dict[str, Any] | None = None) -> dict[str, Any]:
    """The rubric's ``collection`` section (the bundled rubric's when none is given)."""
    if rubric is None:
        from assess.levels.placement import load_rubric

        rubric = load_rubric()
    return dict(rubric["collection"])


def usual_hours(commits: pd.DataFrame, p: dict[str, Any]) -> set[int]:
    """The smallest set of local hours holding most human commits: the team's own working day."""
    human = commits[(commits["class"] == "human") & ~commits["is_merge"]]
    if len(human) < p["usual_hours_min_commits"]:
        return set(range(24))
    local = (human["author_time"] + pd.to_timedelta(human["author_tz_minutes"], unit="m")).dt.hour
    counts = local.value_counts().sort_values(ascending=False)
    hours, total = set(), 0
    for hour, n in counts.items():
        hours.add(int(hour))
        total += n
        if total >= p["usual_hours_share"] * len(human):
            break
    return hours


def _refs(series: pd.Series) -> list[str]:
    return series.head(REF_LIMIT).tolist()


def inferred_activity(commits: pd.DataFrame, chain: set[str], p: dict[str, Any]) -> list[dict[str, Any]]:
    """Human identities whose behaviour no person sustains: round-the-clock committing, dozens of
    commits a day straight to the main line, or commits at a fixed interval (limits: the rubric's
    ``collection`` section). Pseudonymous ids only."""
    # commits attributed from cadence alone (assess/mining/cadence.py) are still a person's identity here
    own = (commits["class"] == "human") | (commits["channel"] == "cadence") if "channel" in commits \
        else commits["class"] == "human"
    human = commits[own & ~commits["is_merge"]].sort_values("author_time")
    out = []
    half = pd.Timedelta(days=p["round_clock_days"] / 2)
    for person, g in human.groupby("person"):
        if len(g) < p["inferred_min_commits"]:
            continue
        # round the clock: around the busiest day, commits in most of the 24 hours
        days = g["author_time"].dt.floor("D")
        busiest = days.value_counts().idxmax()
        span = g[(days >= busiest - half) & (days <= busiest + half)]
        hours = (span["author_time"] + pd.to_timedelta(span["author_tz_minutes"], unit="m")).dt.hour.nunique()
        if hours >= p["round_clock_hours"] and len(span) >= p["round_clock_min_commits"]:
            out.append({"person": person, "kind": "round-the-clock", "value": int(hours),
                        "text": f"{person} committed in {hours} different hours of the day within "
                                f"{p['round_clock_days']:g} days ({len(span)} commits)", "commits": _refs(span["sha"])})
        main = g[g["sha"].isin(chain)]
        if len(main):
            per_day = main.groupby(main["author_time"].dt.floor("D")).size()
            if per_day.max() >= p["high_rate_commits_per_day"]:
                day = per_day.idxmax()
                out.append({"person": person, "kind": "high-rate", "value": int(per_day.max()),
                            "text": f"{person} pushed {int(per_day.max())} commits straight to the main line on "
                                    f"{day.date()}", "commits": _refs(main[main["author_time"].dt.floor('D') == day]["sha"])})
        gaps = g["author_time"].diff().dt.total_seconds().to_numpy()[1:]  # UTC: no DST or travel jumps
        window = int(p["fixed_interval_commits"])
        if len(gaps) >= window:
            ser = pd.Series(gaps)
            roll_mean = ser.rolling(window).mean()
            roll_std = ser.rolling(window).std()
            cv = (roll_std / roll_mean).where(roll_mean > 0)
            if cv.min() < p["fixed_interval_max_variation"]:
                end = int(cv.idxmin()) + 1
                out.append({"person": person, "kind": "fixed-interval", "value": round(float(roll_mean[end - 1]) / 60, 1),
                            "text": f"{person} made {window} consecutive commits about every "
                                    f"{float(roll_mean[end - 1]) / 60:.0f} minutes (variation {float(cv.min()):.0%})",
                            "commits": _refs(g["sha"].iloc[max(0, end - window): end + 1])})
    return out


def commit_features(c: pd.DataFrame, kinds: pd.DataFrame, chain: set[str], hours: set[int],
                    files: pd.DataFrame, p: dict[str, Any]) -> pd.DataFrame:
    """One row per commit with 0/1 flags and line counts, one column per ``origin="commit"`` signal
    of :mod:`assess.signal_catalogue`: every period's signals are their sums."""
    k = kinds.reindex(c["sha"]).fillna(0)
    k.index = c.index
    work = (~c["is_merge"]) & (c["class"] != "automation")
    is_ai = c["class"] == "ai"
    strong = is_ai & (c["confidence"] != "low")
    human = work & (c["class"] == "human")
    code = work & (k["code_files"] > 0)
    ai_all = work & strong
    non_code = k[["spec_files", "docs_files", "instructions_files"]].sum(axis=1)
    all_files = k[[f"{x}_files" for x in KINDS]].sum(axis=1)
    cloud = c["delegated"].astype(bool) if "delegated" in c else c["channel"].isin(CLOUD_CHANNELS)
    on_chain = c["sha"].isin(chain)
    via_web = c["committer_email"].str.match(WEB_FLOW).fillna(False).astype(bool)
    reviewed = c["trailers"].map(lambda ts: any(REVIEW_TRAILERS.match(key) for key, _ in ts)).astype(bool)
    # an agent committing on its own records +0000 (or its server's zone): judge it in the team's
    # most common zone; a commit in a person's session keeps that person's offset
    human_tz = c.loc[c["class"] == "human", "author_tz_minutes"]
    team_tz = int(human_tz.mode().iloc[0]) if len(human_tz) else 0
    tz = c["author_tz_minutes"].where(~cloud, team_tz)
    local_hour = (c["author_time"] + pd.to_timedelta(tz, unit="m")).dt.hour
    off = ~local_hour.isin(hours) if len(hours) < 24 else pd.Series(False, index=c.index)
    work_lines = k[[f"{x}_lines" for x in KINDS if x != "generated"]].sum(axis=1)
    work_files = k[[f"{x}_files" for x in KINDS if x != "generated"]].sum(axis=1)
    f = pd.DataFrame({
        "commits": 1, "work_commits": work, "code_commits": code,
        "ai_code_commits": code & strong, "ai_code_commits_low": code & is_ai & ~strong,
        "human_code_commits": code & (c["class"] == "human"),
        "code_lines": k["code_lines"].where(code, 0), "ai_code_lines": k["code_lines"].where(code & strong, 0),
        "ai_multi_file_commits": code & strong & (c["files"] >= p["multi_file_min_files"]),
        "human_commits": human,
        "human_spec_doc_only_commits": human & (all_files > 0) & (k["code_files"] == 0) & (k["tests_files"] == 0)
        & (non_code > 0),
        "human_spec_commits": human & (k["spec_files"] > 0),
        "spec_lines": k["spec_lines"].where(work, 0), "test_lines": k["tests_lines"].where(work, 0),
        "test_files": k["tests_files"].where(work, 0), "work_files": work_files.where(work, 0),
        "work_lines": work_lines.where(work, 0),
        "ai_commits": ai_all, "ai_commits_with_tests": ai_all & (k["tests_lines"] > 0),
        "ai_code_commits_with_tests": code & strong & (k["tests_lines"] > 0),
        "ai_cloud_commits": ai_all & cloud, "ai_session_commits": ai_all & ~cloud,
        "ai_on_main_via_web": ai_all & on_chain & via_web, "ai_on_main_direct": ai_all & on_chain & ~via_web,
        "ai_review_trailers": ai_all & reviewed,
        "ai_followup_fixes": code & strong & _followed_up(c, code & strong, files, p["followup_hours"]),
        "ai_off_hours_commits": ai_all & off,
    }, index=c.index)
    if tuple(f.columns) != COMMIT_COLUMNS:  # the declaration and the computation must agree
        raise AssertionError(f"commit features {sorted(set(f.columns) ^ set(COMMIT_COLUMNS))} are not declared "
                             "in assess.signal_catalogue (or declared but not computed)")
    f = f.astype("int64")
    # AI lines are weighted (in-session lines count at the rubric's weight): kept exact, rounded once when summed
    f["ai_code_lines"] = f["ai_code_lines"] * line_weight(c)
    return f


def _followed_up(c: pd.DataFrame, ai_code: pd.Series, files: pd.DataFrame, hours: float) -> pd.Series:
    """AI code commits whose files a person changed within ``hours`` after: line-level review."""
    out = pd.Series(False, index=c.index)
    if not ai_code.any() or files.empty:
        return out
    human = (c["class"] == "human") & ~c["is_merge"]
    times = dict(zip(c["sha"], c["author_time"]))
    ai_shas, human_shas = set(c.loc[ai_code, "sha"]), set(c.loc[human, "sha"])
    f = files.loc[files["sha"].isin(ai_shas | human_shas), ["sha", "path"]]
    f = f.assign(time=f["sha"].map(times))
    ai_f = f[f["sha"].isin(ai_shas)].sort_values("time")
    hu_f = f[f["sha"].isin(human_shas)].sort_values("time").rename(columns={"sha": "human_sha", "time": "human_time"})
    if ai_f.empty or hu_f.empty:
        return out
    hu_f["time"] = hu_f["human_time"]
    nxt = pd.merge_asof(ai_f, hu_f, on="time", by="path", direction="forward", allow_exact_matches=False)
    hit = nxt[(nxt["human_time"] - nxt["time"]).dt.total_seconds().le(hours * 3600)]
    return c["sha"].isin(set(hit["sha"]))


def _runs(work: pd.DataFrame, gap_hours: float) -> pd.DataFrame:
    """Every run of AI commits under one identity (see :func:`_chains`), once for all history."""
    rows = []
    with_ai = work.loc[(work["class"] == "ai") & (work["confidence"] != "low"), "author_email"].unique()
    for _, g in work[work["author_email"].isin(with_ai)].sort_values("author_time").groupby("author_email", sort=False):
        is_ai = ((g["class"] == "ai") & (g["confidence"] != "low")).to_numpy()
        times = g["author_time"].to_numpy()
        shas = g["sha"].to_numpy()
        start = None
        for i in range(len(is_ai) + 1):
            gap_ok = start is not None and i < len(is_ai) and \
                (times[i] - times[i - 1]) / np.timedelta64(1, "h") <= gap_hours
            if i < len(is_ai) and is_ai[i] and (start is None or gap_ok):
                if start is None:
                    start = i
                continue
            if start is not None:
                span = float((times[i - 1] - times[start]) / np.timedelta64(1, "h"))
                rows.append((pd.Timestamp(times[start]).tz_localize("UTC") if pd.Timestamp(times[start]).tzinfo is None
                             else pd.Timestamp(times[start]), i - start, span, shas[start], shas[i - 1]))
                start = i if i < len(is_ai) and is_ai[i] else None
    return pd.DataFrame(rows, columns=["start", "n", "span_hours", "first", "last"])


def _chain_stats(runs: pd.DataFrame) -> dict[str, Any]:
    """The run signals (origin ``runs``) plus the refs of the longest runs. The frontier keeps every
    run no other beats on both length and span, so the placement can ask for any rubric minimum."""
    if runs.empty:
        return {"max_chain": 0, "max_chain_span_hours": 0.0, "longest_chain_span_hours": 0.0, "run_frontier": [],
                "max_chain_refs": [], "longest_chain_refs": []}
    best = runs.loc[runs["n"].idxmax()]
    longest = runs.loc[runs["span_hours"].idxmax()]
    front = frontier([{"n": int(r.n), "span_hours": round(float(r.span_hours), 2), "first": str(r.first),
                       "last": str(r.last)} for r in runs.itertuples(index=False)])
    return {"max_chain": int(best["n"]), "max_chain_span_hours": round(float(best["span_hours"]), 2),
            "longest_chain_span_hours": round(float(longest["span_hours"]), 2), "run_frontier": front,
            "max_chain_refs": [str(best["first"]), str(best["last"])],
            "longest_chain_refs": [str(longest["first"]), str(longest["last"])]}


def _merge_stats(m: pd.DataFrame) -> dict[str, Any]:
    ai_merges = m[m["ai_commits"] > 0]
    return {"ai_merges": int(len(ai_merges)),
            "ai_merges_by_human": int((ai_merges["merged_by"] == "human").sum()),
            "ai_merges_by_machine": int((ai_merges["merged_by"] != "human").sum()),
            "ai_merge_delay_hours_median": _round(ai_merges["delay_hours"].median()),
            "ai_merge_lines_median": _round(ai_merges["lines"].median()),
            # bulk by count as well as size: 25 small agent commits merged at once is bulk too
            "ai_merge_commits_median": _round(ai_merges["branch_commits"].median())}


def _round(x: Any) -> float | None:
    return None if x is None or pd.isna(x) else round(float(x), 2)


def artefact_flags(artefacts: list[dict], as_of: pd.Timestamp | None = None) -> dict[str, Any]:
    """Which kinds of artefact exist (at HEAD, or first seen by ``as_of`` for the timeline).
    Artefacts in test fixtures or docs do not count: they are examples, not the team's setup."""
    out: dict[str, Any] = {}
    for a in artefacts:
        if a["location"] in ("fixture", "docs") and a["kind"] not in ("tests", "scenarios", "simulated-services"):
            continue
        if as_of is not None:
            if not a["first_seen"] or pd.Timestamp(a["first_seen"]) > as_of:
                continue
        elif not a["present_at_head"]:
            continue
        entry = out.setdefault(a["kind"], {"count": 0, "paths": []})
        entry["count"] += 1
        if len(entry["paths"]) < REF_LIMIT and not a.get("overflow"):
            entry["paths"].append(a["path"])
    return out


def _check_declared(values: dict[str, Any], extra: set[str]) -> None:
    declared = {s.name for s in SIGNALS}
    if set(values) - extra != declared:
        raise AssertionError(f"signals {sorted((set(values) - extra) ^ declared)} differ from assess.signal_catalogue")


def compute_signals(commits: pd.DataFrame, files: pd.DataFrame, artefacts: list[dict], head: str,
                    start: pd.Timestamp | None, end: pd.Timestamp | None,
                    path_rules: list[tuple[str, re.Pattern[str]]] | None = None,
                    collection: dict[str, Any] | None = None) -> dict[str, Any]:
    """Signals for the window and for each month, plus inferred agent activity in the window.
    ``collection``: the rubric's collection section (default: the bundled rubric's)."""
    p = collection if collection is not None else collection_parameters()
    if commits.empty:
        return {"window": None, "by_month": [], "inferred": [], "artefacts": artefact_flags(artefacts),
                "parameters": p}
    rules = path_rules or load_path_rules()
    kinds = per_commit_kinds(files, rules)
    merges = merge_table(commits, head)
    chain = first_parent_chain(commits, head)
    hours = usual_hours(commits, p)
    feats = commit_features(commits, kinds, chain, hours, files, p)
    work = commits[feats["work_commits"] == 1]
    runs = _runs(work, p["run_gap_hours"])
    in_window = (commits["author_time"] >= start) & (commits["author_time"] <= end)
    wf = feats[in_window]
    window: dict[str, Any] = {k: int(round(v)) for k, v in wf.sum().items()}
    window.update(_merge_stats(merges[(merges["time"] >= start) & (merges["time"] <= end)]))
    window.update(_chain_stats(runs[(runs["start"] >= start) & (runs["start"] <= end)] if len(runs) else runs))
    newest_first = commits[in_window].sort_values("author_time", ascending=False)
    refs = {col: _refs(newest_first.loc[wf.loc[newest_first.index, col] == 1, "sha"]) for col in REF_SIGNALS}
    wm = merges[(merges["time"] >= start) & (merges["time"] <= end) & (merges["ai_commits"] > 0)]
    refs["ai_merges"] = _refs(wm["sha"])
    refs["ai_merges_by_human"] = _refs(wm.loc[wm["merged_by"] == "human", "sha"])
    refs["ai_merges_by_machine"] = _refs(wm.loc[wm["merged_by"] != "human", "sha"])
    refs["max_chain"] = window.pop("max_chain_refs")
    refs["longest_chain"] = window.pop("longest_chain_refs")
    window["refs"] = refs
    _check_declared(window, {"refs"})

    month_of = commits["author_time"].dt.strftime("%Y-%m")
    sums = feats.groupby(month_of).sum()
    merge_month = merges["time"].dt.strftime("%Y-%m") if len(merges) else pd.Series(dtype=str)
    run_month = runs["start"].dt.strftime("%Y-%m") if len(runs) else pd.Series(dtype=str)
    by_month = []
    for month, row in sums.iterrows():
        entry: dict[str, Any] = {"month": month, **{k: int(round(v)) for k, v in row.items()}}
        entry.update(_merge_stats(merges[merge_month == month] if len(merges) else merges))
        stats = _chain_stats(runs[run_month == month] if len(runs) else runs)
        stats.pop("max_chain_refs")
        stats.pop("longest_chain_refs")
        entry.update(stats)
        month_end = pd.Timestamp(month + "-01", tz="UTC") + pd.offsets.MonthEnd(1) + pd.Timedelta(days=1)
        entry["artefacts"] = sorted(artefact_flags(artefacts, month_end))
        _check_declared(entry, {"month", "artefacts"})
        by_month.append(entry)
    return {
        "window": window,
        "by_month": by_month,
        "inferred": inferred_activity(commits[in_window], chain, p),
        "artefacts": artefact_flags(artefacts),
        "usual_hours": sorted(hours),
        "parameters": p,
    }
