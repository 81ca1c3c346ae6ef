"""Signals for the level placement, computed from the mined frames (collection, not judgement).

Every signal is a count, a share with its numerator and denominator, or a maximum, and carries
references (commit ids, paths) so a report can show what it rests on. Counts pool across
repositories by summing, maxima by taking the largest.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from assess.resources import package_file
from assess.yamlfile import load_yaml

REF_LIMIT = 8
REVIEW_TRAILERS = re.compile(r"^(reviewed-by|approved-by|acked-by|tested-by|reviewed-on)$", re.IGNORECASE)
WEB_FLOW = re.compile(r"^noreply@github\.com$|^noreply@gitlab\.com$", re.IGNORECASE)
CLOUD_CHANNELS = {"author", "committer", "branch"}  # the agent committed itself, no person in the session
FOLLOW_UP_HOURS = 48
KINDS = ["code", "tests", "spec", "instructions", "docs", "config", "generated", "other"]


def load_path_rules(path: str | Path | None = None) -> list[tuple[str, re.Pattern[str]]]:
    doc = load_yaml(path or package_file("catalogue", "paths.yaml"))
    rules = []
    for i, r in enumerate(doc.data.get("rules", []) if isinstance(doc.data, dict) else []):
        if not isinstance(r, dict) or r.get("kind") not in KINDS or not isinstance(r.get("pattern"), str):
            raise doc.error(f"each rule needs kind (one of {KINDS}) and pattern", "rules", i)
        try:
            rules.append((r["kind"], re.compile(r["pattern"], re.IGNORECASE)))
        except re.error as exc:
            raise doc.error(f"invalid regular expression: {exc}", "rules", i, "pattern") from None
    return rules


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
    by_sha = commits.set_index("sha")
    parents = by_sha["parents"].to_dict()
    claimed: set[str] = set()
    rows = []
    merges = commits[commits["is_merge"] & commits["sha"].isin(chain)].sort_values("commit_time")
    for sha, merge_parents, merge_time, cls in zip(merges["sha"], merges["parents"], merges["commit_time"],
                                                   merges["class"]):
        stack = merge_parents.split()[1:]
        branch = []
        while stack:
            s = stack.pop()
            if s in chain or s in claimed or s not in parents:
                continue
            claimed.add(s)
            branch.append(s)
            stack.extend(parents[s].split())
        if not branch:
            continue
        sub = by_sha.loc[branch]
        work = sub[~sub["is_merge"]]
        ai = work[work["class"] == "ai"]
        rows.append({
            "sha": sha, "time": merge_time, "merged_by": cls,
            "branch_commits": len(work), "ai_commits": len(ai),
            "lines": int((work["added"] + work["deleted"]).sum()),
            "delay_hours": (merge_time - work["commit_time"].max()).total_seconds() / 3600 if len(work) else np.nan,
        })
    return pd.DataFrame(rows, columns=["sha", "time", "merged_by", "branch_commits", "ai_commits", "lines",
                                       "delay_hours"])


def usual_hours(commits: pd.DataFrame) -> set[int]:
    """The smallest set of local hours holding 90% of human commits: the team's own working day."""
    human = commits[(commits["class"] == "human") & ~commits["is_merge"]]
    if len(human) < 20:
        return set(range(24))
    local = (human["author_time"] + pd.to_timedelta(human["author_tz_minutes"], unit="m")).dt.hour
    counts = local.value_counts().sort_values(ascending=False)
    hours, total = set(), 0
    for hour, n in counts.items():
        hours.add(int(hour))
        total += n
        if total >= 0.9 * len(human):
            break
    return hours


def _refs(series: pd.Series) -> list[str]:
    return series.head(REF_LIMIT).tolist()


RUN_GAP_HOURS = 2.0  # a longer pause between two agent commits ends a run


def _chains(work: pd.DataFrame) -> dict[str, Any]:
    """Runs of AI commits under one identity (the agent's, or the person it works for) with no
    hand-written commit of that identity between and no pause over two hours: how long an agent
    works on its own."""
    best = {"len": 0, "span_hours": 0.0, "first": None, "last": None}
    long_runs = 0
    longest_span = 0.0
    longest_refs: list[str] = []
    for _, g in work.sort_values("author_time").groupby("author_email", sort=False):
        is_ai = ((g["class"] == "ai") & (g["confidence"] != "low")).to_numpy()
        if not is_ai.any():
            continue
        times = g["author_time"].to_numpy()
        shas = g["sha"].to_numpy()
        start = None
        for i in range(len(is_ai) + 1):
            gap_ok = start is not None and i < len(is_ai) and \
                (times[i] - times[i - 1]) / np.timedelta64(1, "h") <= RUN_GAP_HOURS
            if i < len(is_ai) and is_ai[i] and (start is None or gap_ok):
                if start is None:
                    start = i
                continue
            if start is not None:
                n = i - start
                span = float((times[i - 1] - times[start]) / np.timedelta64(1, "h"))
                if n >= 5:
                    long_runs += 1
                if span > longest_span:
                    longest_span, longest_refs = span, [shas[start], shas[i - 1]]
                if n > best["len"]:
                    best = {"len": n, "span_hours": round(span, 2), "first": shas[start], "last": shas[i - 1]}
                start = i if i < len(is_ai) and is_ai[i] else None
    return {"max_chain": best["len"], "max_chain_span_hours": best["span_hours"], "chains_ge5": long_runs,
            "longest_chain_span_hours": round(longest_span, 2),
            "max_chain_refs": [s for s in (best["first"], best["last"]) if s],
            "longest_chain_refs": [str(x) for x in longest_refs]}


def inferred_activity(commits: pd.DataFrame, chain: set[str]) -> list[dict[str, Any]]:
    """Human identities whose behaviour no person sustains: round-the-clock committing, dozens of
    commits a day straight to the main line, or commits at a fixed interval. Pseudonymous ids only."""
    human = commits[(commits["class"] == "human") & ~commits["is_merge"]].sort_values("author_time")
    out = []
    for person, g in human.groupby("person"):
        if len(g) < 20:
            continue
        local = g["author_time"] + pd.to_timedelta(g["author_tz_minutes"], unit="m")
        # round the clock: over the busiest 14 days, commits in 20+ of the 24 hours
        days = g["author_time"].dt.floor("D")
        busiest = days.value_counts().idxmax()
        span = g[(days >= busiest - pd.Timedelta(days=7)) & (days <= busiest + pd.Timedelta(days=7))]
        hours = (span["author_time"] + pd.to_timedelta(span["author_tz_minutes"], unit="m")).dt.hour.nunique()
        if hours >= 20 and len(span) >= 50:
            out.append({"person": person, "kind": "round-the-clock", "value": int(hours),
                        "text": f"{person} committed in {hours} different hours of the day within two weeks "
                                f"({len(span)} commits)", "commits": _refs(span["sha"])})
        main = g[g["sha"].isin(chain)]
        if len(main):
            per_day = main.groupby(main["author_time"].dt.floor("D")).size()
            if per_day.max() >= 40:
                day = per_day.idxmax()
                out.append({"person": person, "kind": "high-rate", "value": int(per_day.max()),
                            "text": f"{person} pushed {int(per_day.max())} commits straight to the main line on "
                                    f"{day.date()}", "commits": _refs(main[main["author_time"].dt.floor('D') == day]["sha"])})
        gaps = local.diff().dt.total_seconds().to_numpy()[1:]
        window = 20
        if len(gaps) >= window:
            ser = pd.Series(gaps)
            roll_mean = ser.rolling(window).mean()
            roll_std = ser.rolling(window).std()
            cv = (roll_std / roll_mean).where(roll_mean > 0)
            if cv.min() < 0.1:
                end = int(cv.idxmin()) + 1
                out.append({"person": person, "kind": "fixed-interval", "value": round(float(roll_mean[end - 1]) / 60, 1),
                            "text": f"{person} made {window} consecutive commits about every "
                                    f"{float(roll_mean[end - 1]) / 60:.0f} minutes (variation {float(cv.min()):.0%})",
                            "commits": _refs(g["sha"].iloc[max(0, end - window): end + 1])})
    return out


def period_signals(c: pd.DataFrame, kinds: pd.DataFrame, merges: pd.DataFrame, chain: set[str],
                   hours: set[int], files: pd.DataFrame) -> dict[str, Any]:
    """All placement signals for the commits ``c`` of one period (window or month)."""
    k = kinds.reindex(c["sha"]).fillna(0)
    k.index = c.index
    work_mask = (~c["is_merge"]) & (c["class"] != "automation")
    work = c[work_mask]
    kw = k[work_mask]
    code_mask = kw["code_files"] > 0
    code = work[code_mask]
    is_ai = code["class"] == "ai"
    strong = is_ai & (code["confidence"] != "low")
    ai_code = code[strong]
    human_code = code[code["class"] == "human"]
    human = work[work["class"] == "human"]
    kh = kw.loc[human.index]
    non_code = kh[["spec_files", "docs_files", "instructions_files"]].sum(axis=1)
    all_files = kh[[f"{x}_files" for x in KINDS]].sum(axis=1)
    spec_only = human[(all_files > 0) & (kh["code_files"] == 0) & (kh["tests_files"] == 0) & (non_code > 0)]
    ai_all = work[(work["class"] == "ai") & (work["confidence"] != "low")]
    # who integrates AI work
    m = merges[(merges["time"] >= c["commit_time"].min()) & (merges["time"] <= c["commit_time"].max())] \
        if len(c) else merges.iloc[0:0]
    ai_merges = m[m["ai_commits"] > 0]
    on_chain = ai_all[ai_all["sha"].isin(chain)]
    via_web = on_chain[on_chain["committer_email"].str.match(WEB_FLOW)]
    cloud = ai_all[ai_all["channel"].isin(CLOUD_CHANNELS)]
    session = ai_all[~ai_all["channel"].isin(CLOUD_CHANNELS)]
    trailer_reviewed = ai_all[ai_all["trailers"].map(lambda ts: any(REVIEW_TRAILERS.match(k) for k, _ in ts)).astype(bool)]
    followups = _follow_up_fixes(c, ai_code, files)
    local_hour = (ai_all["author_time"] + pd.to_timedelta(ai_all["author_tz_minutes"], unit="m")).dt.hour
    off_hours = ai_all[~local_hour.isin(hours)] if len(hours) < 24 else ai_all.iloc[0:0]
    chains = _chains(work)
    return {
        "commits": int(len(c)),
        "work_commits": int(len(work)),
        "code_commits": int(len(code)),
        "ai_code_commits": int(len(ai_code)),
        "ai_code_commits_low": int((is_ai & ~strong).sum()),
        "human_code_commits": int(len(human_code)),
        "code_lines": int(k.loc[code.index, "code_lines"].sum()),
        "ai_code_lines": int(k.loc[ai_code.index, "code_lines"].sum()),
        "ai_multi_file_commits": int((ai_code["files"] >= 3).sum()),
        "human_commits": int(len(human)),
        "human_spec_doc_only_commits": int(len(spec_only)),
        "human_spec_commits": int((kh["spec_files"] > 0).sum()),
        "spec_lines": int(kw["spec_lines"].sum()),
        "test_lines": int(kw["tests_lines"].sum()),
        "test_files": int(kw["tests_files"].sum()),
        "work_files": int(kw[[f"{x}_files" for x in KINDS if x != "generated"]].sum(axis=1).sum()),
        "work_lines": int(kw[[f"{x}_lines" for x in KINDS if x != "generated"]].sum(axis=1).sum()),
        "ai_commits": int(len(ai_all)),
        "ai_commits_with_tests": int((kw.loc[ai_all.index, "tests_lines"] > 0).sum()),
        "ai_cloud_commits": int(len(cloud)),
        "ai_session_commits": int(len(session)),
        "ai_merges": int(len(ai_merges)),
        "ai_merges_by_human": int((ai_merges["merged_by"] == "human").sum()),
        "ai_merges_by_machine": int((ai_merges["merged_by"] != "human").sum()),
        "ai_merge_delay_hours_median": _round(ai_merges["delay_hours"].median()),
        "ai_merge_lines_median": _round(ai_merges["lines"].median()),
        "ai_on_main_via_web": int(len(via_web)),
        "ai_on_main_direct": int(len(on_chain) - len(via_web)),
        "ai_review_trailers": int(len(trailer_reviewed)),
        "ai_followup_fixes": int(followups["n"]),
        "ai_off_hours_commits": int(len(off_hours)),
        **chains,
        "refs": {
            "ai_code_commits": _refs(ai_code.sort_values("author_time", ascending=False)["sha"]),
            "human_code_commits": _refs(human_code.sort_values("author_time", ascending=False)["sha"]),
            "human_spec_doc_only_commits": _refs(spec_only["sha"]),
            "ai_merges": _refs(ai_merges["sha"]),
            "ai_merges_by_human": _refs(ai_merges.loc[ai_merges["merged_by"] == "human", "sha"]),
            "ai_merges_by_machine": _refs(ai_merges.loc[ai_merges["merged_by"] != "human", "sha"]),
            "ai_cloud_commits": _refs(cloud["sha"]),
            "ai_review_trailers": _refs(trailer_reviewed["sha"]),
            "ai_followup_fixes": followups["refs"],
            "ai_off_hours_commits": _refs(off_hours["sha"]),
            "max_chain": chains["max_chain_refs"],
            "longest_chain": chains["longest_chain_refs"],
        },
    }


def _follow_up_fixes(c: pd.DataFrame, ai_code: pd.DataFrame, files: pd.DataFrame) -> dict[str, Any]:
    """Human commits that touch a file of an AI commit within 48 hours after it: line-level review."""
    if ai_code.empty or files.empty:
        return {"n": 0, "refs": []}
    human = c[(c["class"] == "human") & ~c["is_merge"]]
    f = files[files["sha"].isin(set(ai_code["sha"]) | set(human["sha"]))][["sha", "path"]]
    t = c.set_index("sha")["author_time"]
    f = f.assign(time=f["sha"].map(t), ai=f["sha"].isin(set(ai_code["sha"])))
    ai_f = f[f["ai"]]
    hu_f = f[~f["ai"]]
    joined = ai_f.merge(hu_f, on="path", suffixes=("_ai", "_h"))
    delta = (joined["time_h"] - joined["time_ai"]).dt.total_seconds() / 3600
    hits = joined[(delta > 0) & (delta <= FOLLOW_UP_HOURS)]
    fixed = hits["sha_ai"].unique()
    return {"n": int(len(fixed)), "refs": list(fixed[:REF_LIMIT])}


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
        if len(entry["paths"]) < REF_LIMIT:
            entry["paths"].append(a["path"])
    return out


def compute_signals(commits: pd.DataFrame, files: pd.DataFrame, artefacts: list[dict], head: str,
                    start: pd.Timestamp | None, end: pd.Timestamp | None,
                    path_rules: list[tuple[str, re.Pattern[str]]] | None = None) -> dict[str, Any]:
    """Signals for the window and for each month, plus inferred agent activity in the window."""
    if commits.empty:
        return {"window": None, "by_month": [], "inferred": [], "artefacts": artefact_flags(artefacts)}
    rules = path_rules or load_path_rules()
    kinds = per_commit_kinds(files, rules)
    merges = merge_table(commits, head)
    chain = first_parent_chain(commits, head)
    hours = usual_hours(commits)
    in_window = commits[(commits["author_time"] >= start) & (commits["author_time"] <= end)]
    window = period_signals(in_window, kinds, merges, chain, hours, files)
    month_key = commits["author_time"].dt.strftime("%Y-%m")
    by_month = []
    for month, group in commits.groupby(month_key, sort=True):
        s = period_signals(group, kinds, merges, chain, hours, files)
        s.pop("refs")
        month_end = pd.Timestamp(month + "-01", tz="UTC") + pd.offsets.MonthEnd(1) + pd.Timedelta(days=1)
        by_month.append({"month": month, **s, "artefacts": sorted(artefact_flags(artefacts, month_end))})
    return {
        "window": window,
        "by_month": by_month,
        "inferred": inferred_activity(in_window, chain),
        "artefacts": artefact_flags(artefacts),
        "usual_hours": sorted(hours),
    }
