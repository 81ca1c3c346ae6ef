"""Place a repository or a team: dimensions, staged overall level, timeline and perception gaps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assess import signal_catalogue as catalogue
from assess.findings import Finding
from assess.levels.gaps import ATTRIBUTION_SUMS, perception_gaps, window_shares
from assess.levels.observed import combine_findings
from assess.levels.placement import (
    CONF_ORDER,
    DIMENSIONS,
    GIT_BLIND_RANGE,
    Dim,
    _next_step,
    apply_survey,
    authorship,
    autonomy,
    load_rubric,
    organisation_from_survey,
    review,
    specification,
    staged,
    validation,
)

LEVEL_SCHEMA_VERSION = "2.0"  # 2.0: shares, level_changes, gaps computed once (the report shows them)


def pool_signals(evidences: list[dict[str, Any]]) -> dict[str, Any]:
    """Team signals from several repositories, each pooled by the aggregation declared for it in
    :mod:`assess.signal_catalogue` (counts add up, maxima take the largest, medians the median of
    the repositories' medians, run frontiers merge)."""
    windows = [(e["repository"]["name"], e["signals"]["window"]) for e in evidences if e["signals"]["window"]]
    if not windows:
        return {"window": None, "artefacts": {}, "inferred": [], "by_month": []}
    pooled: dict[str, Any] = catalogue.pool([w for _, w in windows])
    pooled["refs"] = {}
    commit_repository: dict[str, str] = {}
    for name, w in windows:
        for rkey, shas in w.get("refs", {}).items():
            pooled["refs"].setdefault(rkey, []).extend(shas[:4])
            commit_repository.update({sha: name for sha in shas[:4]})
        for run in w["run_frontier"]:
            commit_repository.update({run["first"]: name, run["last"]: name})
    artefacts: dict[str, Any] = {}
    for e in evidences:
        for kind, entry in e["signals"]["artefacts"].items():
            tgt = artefacts.setdefault(kind, {"count": 0, "paths": []})
            tgt["count"] += entry["count"]
            tgt["paths"].extend(f"{e['repository']['name']}:{p}" if len(evidences) > 1 else p for p in entry["paths"])
    inferred = [dict(i, person=f"{e['repository']['name']}:{i['person']}" if len(evidences) > 1 else i["person"])
                for e in evidences for i in e["signals"]["inferred"]]
    parts: dict[str, list[dict[str, Any]]] = {}
    for e in evidences:
        for m in e["signals"]["by_month"]:
            parts.setdefault(m["month"], []).append(m)
    by_month = [{"month": month, **catalogue.pool(ms),
                 "artefacts": sorted({a for m in ms for a in m.get("artefacts", [])})}
                for month, ms in sorted(parts.items())]
    return {"window": pooled, "artefacts": artefacts, "inferred": inferred, "by_month": by_month,
            "commit_repository": commit_repository}


def _dimensions(s: dict[str, Any], artefacts: dict[str, Any], inferred: list[dict[str, Any]], rubric: dict[str, Any],
                line_records: bool) -> dict[str, Dim]:
    dims = {
        "authorship": authorship(s, artefacts, rubric, line_records),
        "review": review(s, artefacts, rubric),
        "specification": specification(s, artefacts, rubric),
        "validation": validation(s, artefacts, rubric),
        "autonomy": autonomy(s, artefacts, rubric, inferred),
    }
    return open_unseen(dims, rubric)


def open_unseen(dims: dict[str, Dim], rubric: dict[str, Any]) -> dict[str, Dim]:
    """Absence is not evidence: where agents author the code, how people review it, how long agents
    ran between commits, and specs or scenarios kept outside the repository are invisible to git, so
    those ranges stay open to 5. A dimension git saw capped (line review: review trailers, people
    fixing agent code) keeps its cap: that is evidence, not absence."""
    u = rubric["unseen"]
    if (dims["authorship"].level or 0) < u["strong_authorship"]:
        return dims
    for name in u.get("open_with_agent_code", []):
        d = dims.get(name)
        if d is None or d.level is None or d.hi >= 5:
            continue
        if any(e.get("supports") == "against" and e.get("level") is not None for e in d.evidence):
            continue  # git saw line-by-line review: the cap is evidence
        d.hi = 5
        d.summary += (" Agents author the code; what git cannot see (reviews on the forge, how long agents ran, "
                      "specs or scenarios kept outside) leaves the range open to Level 5.")
    return dims


def _overall(dims: dict[str, Dim], rubric: dict[str, Any], placeable: bool, not_placeable_why: str,
             has_git: bool = True) -> dict[str, Any]:
    gates = {int(k): v for k, v in rubric["gates"].items()}
    if not placeable:
        return {"level": None, "range": [0, 5], "confidence": "none", "failed_gate": None, "placeable": False,
                "summary": not_placeable_why}
    level, lo, hi, fail, unseen = stage(dims, rubric)
    # confidence: the weakest of the dimensions the reached gates rest on, lowered by a wide range
    named = {d for lvl in range(1, (level or 0) + 2) for d in gates.get(lvl, {})} or {"authorship"}
    conf = min((dims[d].confidence for d in named if d in dims), key=CONF_ORDER.index, default="low")
    if hi - lo >= 2:
        conf = "low"
    elif hi - lo == 1 and conf == "high":
        conf = "medium"
    failed = None
    if fail is not None:
        dim_name, req = fail["failing"][0]
        d = dims[dim_name]
        have = "has not enough evidence" if d.level is None else f"is at Level {d.level}"
        failed = {"level": fail["level"], "dimension": dim_name,
                  "reason": f"{dim_name} {have}; Level {fail['level']} needs {dim_name} at {req} or more",
                  "needed": _next_step(dim_name, req, rubric),
                  "all_failing": [{"dimension": n, "required": r, "level": dims[n].level} for n, r in fail["failing"]]}
    if level is None and not has_git:
        summary = (f"No repository was given, so no evidence places the team: it could be anywhere in Levels "
                   f"{lo}-{hi}. The claimed level is the team's own view.")
    elif level is None:
        summary = (f"No agent-written code in the assessment window, so git alone places the team somewhere in "
                   f"Levels {lo}-{hi}; the questionnaire can narrow it.")
    else:
        summary = f"Level {level}" + (f" (range {lo}-{hi})" if lo != hi else "") + ": " + dims["authorship"].summary
        from_survey = [k for k, d in dims.items() if "survey" in d.source.split("+")
                       and d.summary.startswith("Level ") and " claimed in the questionnaire" in d.summary]
        if from_survey:
            summary += (f" The questionnaire set {', '.join(from_survey)} inside the range git allows, so this level "
                        "partly rests on the team's own answers.")
        if failed:
            summary += f" Not Level {failed['level']}: {failed['reason']}."
        if unseen:
            summary += (f" {' and '.join(unseen)} rest on what git cannot see (specs in a tracker, tests kept outside "
                        "the repository): the level rests on the visible evidence and the range stays open.")
    return {"level": level, "range": [lo, hi], "confidence": conf, "failed_gate": failed, "placeable": True,
            "summary": summary}


def _attribution_months(evidences: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Work commits and lines per month over all repositories, with AI commits by agent."""
    months: dict[str, dict[str, Any]] = {}
    for e in evidences:
        for row in e["attribution"]["by_month"]:
            m = months.setdefault(row["month"], {"commits": 0, "ai_commits": 0, "lines": 0, "ai_lines": 0,
                                                 "by_agent": {}})
            for k in ATTRIBUTION_SUMS:
                m[k] += row[k]
            for agent, n in row["by_agent"].items():
                m["by_agent"][agent] = m["by_agent"].get(agent, 0) + n
    return months


def stage(dims: dict[str, Dim], rubric: dict[str, Any]) -> tuple[int | None, int, int, dict | None, list[str]]:
    """(level, lo, hi, first failing gate, unseen dimensions): the overall level staged from the
    dimensions, the same for the whole window and for each month of the timeline."""
    gates = {int(k): v for k, v in rubric["gates"].items()}
    lo, _ = staged({k: d.lo for k, d in dims.items()}, gates)
    hi, _ = staged({k: d.hi for k, d in dims.items()}, gates)
    unseen = _unseen(dims, rubric)
    # absence is not evidence: with strong visible evidence, what git cannot see does not cap the point
    point, fail = staged({k: (d.hi if k in unseen else d.level if d.level is not None else d.lo)
                          for k, d in dims.items()}, gates)
    level: int | None = max(min(point, hi), lo)
    if dims["authorship"].level is None and lo != hi:
        level = None  # nothing observed on authorship (a survey's claim included): a range, never a confident 0
    return level, lo, hi, fail, unseen


def _unseen(dims: dict[str, Dim], rubric: dict[str, Any]) -> list[str]:
    """Dimensions whose open range reflects what git cannot see, when the visible evidence is strong
    enough (agent-authored code with machine merges or unattended runs) to set the point level."""
    u = rubric["unseen"]
    a = dims["authorship"].level or 0
    operation = max(dims["review"].level or 0, dims["autonomy"].level or 0)
    if a < u["strong_authorship"] or operation < u["strong_operation"]:
        return []
    # git sees nothing at Level 4 or above there, yet the range is open to 5
    return [k for k in u["dimensions"] if k in dims and dims[k].hi == 5 and (dims[k].level or 0) < 4]


def before_agents(month: str | None, rubric: dict[str, Any]) -> bool:
    """True when ``month`` (YYYY-MM) is before coding agents existed (the rubric's history section)."""
    return bool(month) and str(month)[:7] < rubric["history"]["agents_available_from"]


def level_changes(timeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Months where the level judged on that month's evidence differs from the previous placed month.
    A month git leaves as a narrowed range (no single level, e.g. 0-2) counts as placed at that range,
    so a change out of a range (0-2 -> 1) or into one is listed too; a month with no evidence (0-5) is skipped."""
    def state(row: dict[str, Any]) -> int | tuple[int, int]:
        return row["level"] if row.get("level") is not None else tuple(row.get("range") or (0, 5))

    def shown(value: int | tuple[int, int]) -> str:
        return f"{value}" if isinstance(value, int) else f"{value[0]}\u2013{value[1]}"

    out, prev = [], None
    for row in timeline:
        now = state(row)
        if now == (0, 5):
            continue
        if prev is not None and now != state(prev):
            before = state(prev)
            change = {"month": row["month"], "from": prev.get("level"), "to": row.get("level"), "since": prev["month"],
                      "text": f"{row['month']}: Level{'s' if isinstance(before, tuple) else ''} {shown(before)} "
                              f"\u2192 {shown(now)}"}
            if isinstance(before, tuple):
                change["from_range"] = list(before)
            if isinstance(now, tuple):
                change["to_range"] = list(now)
            out.append(change)
        prev = row
    return out


def _timeline(by_month: list[dict[str, Any]], rubric: dict[str, Any], line_records: bool,
              evidences: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Per month: the level judged on that month's signals, and the month's AI shares (pooled once
    here; the report only formats them)."""
    rows = _level_months(by_month, rubric, line_records)
    work = _attribution_months(evidences or [])
    by_month_row = {r["month"]: r for r in rows}
    out = []
    for month in sorted(set(by_month_row) | set(work)):
        r = by_month_row.get(month) or {"month": month, "level": None, "range": [0, 5], "ai_share": None,
                                         "code_commits": 0}
        w = work.get(month) or {"commits": 0, "ai_commits": 0, "lines": 0, "ai_lines": 0, "by_agent": {}}
        out.append({**r, **{k: w[k] for k in ATTRIBUTION_SUMS},
                    "ai_share_commits": round(w["ai_commits"] / w["commits"], 4) if w["commits"] else None,
                    "ai_share_lines": round(w["ai_lines"] / w["lines"], 4) if w["lines"] else None,
                    "by_agent": dict(sorted(w["by_agent"].items()))})
    return out


def _level_months(by_month: list[dict[str, Any]], rubric: dict[str, Any], line_records: bool) -> list[dict[str, Any]]:
    out = []
    for m in by_month:
        s = {**m, "refs": {}}
        arts = {k: {"count": 1, "paths": []} for k in m.get("artefacts", [])}
        share = s["ai_code_commits"] / s["code_commits"] if s["code_commits"] else None
        if before_agents(m["month"], rubric) and s["code_commits"]:
            out.append({"month": m["month"], "level": 0, "range": [0, 0], "ai_share": share,
                        "code_commits": s["code_commits"]})
            continue
        if s["code_commits"] < rubric["minimum_evidence"]["code_commits"] and s["ai_code_commits"] == 0:
            out.append({"month": m["month"], "level": None, "range": list(GIT_BLIND_RANGE) if s["code_commits"] else [0, 5],
                        "ai_share": share, "code_commits": s["code_commits"]})
            continue
        dims = _dimensions(s, arts, [], rubric, line_records)
        level, lo, hi, _, _ = stage(dims, rubric)
        out.append({"month": m["month"], "level": level, "range": [lo, hi], "ai_share": share,
                    "code_commits": s["code_commits"]})
    return out


def place_team(evidences: list[dict[str, Any]], survey: dict[str, Any] | None = None,
               study: dict[str, Any] | None = None, rubric_path: str | Path | None = None,
               findings: list[Finding] | None = None, rubric: dict[str, Any] | None = None) -> dict[str, Any]:
    """The placement for one team from its repositories' evidence, a survey summary, a study and
    the findings of other sources (sessions, forge; see :mod:`assess.levels.observed`)."""
    rubric = rubric if rubric is not None else load_rubric(rubric_path)
    findings = list(findings or [])
    pooled = pool_signals(evidences) if evidences else {"window": None, "artefacts": {}, "inferred": [], "by_month": []}
    s = pooled["window"]
    line_records = bool(evidences) and all(e["attribution"]["line_records"]["commits_covered"] > 0 for e in evidences)
    contradictions: list[dict[str, Any]] = []
    all_time_code = sum(sum(m.get("code_commits", 0) for m in e["signals"]["by_month"]) for e in evidences)
    placeable = True
    why = ""
    if not evidences and not survey:
        placed = sorted({f.dimension for f in findings if f.level is not None or f.lo is not None})
        placeable, why = False, (
            f"No repository and no survey: no overall level; {', '.join(sorted({f.source for f in findings}))} "
            f"evidence places only {', '.join(placed)} (see the dimensions)." if findings
            else "No repository and no survey: nothing to place.")
    elif evidences and all_time_code == 0:
        placeable = False
        why = ("The history holds no code changes (only specs, docs or configuration): there is nothing to place "
               "on the autonomy scale. This is not Level 0.")
    if s is not None and s["code_commits"] > 0:
        dims = _dimensions(s, pooled["artefacts"], pooled["inferred"], rubric, line_records)
    else:
        note = "No code-changing commits in the window." if evidences else "No repository was assessed."
        dims = {d: Dim(d, None, 0, 5, "none", "none", note, []) for d in DIMENSIONS[:-1]}
    dims["organisation"] = organisation_from_survey(survey, rubric)
    for name in DIMENSIONS:
        # observed first (sessions and forge see what git cannot), then the team's own answers
        dims[name] = combine_findings(dims[name], findings)
    for name in DIMENSIONS[:-1]:
        dims[name] = apply_survey(dims[name], survey, rubric, contradictions)
    if not evidences:
        for d in dims.values():
            d.source = "+".join(p for p in d.source.split("+") if p != "git") or "none"
    overall = _overall(dims, rubric, placeable, why, has_git=bool(evidences))
    window_end = max((e["window"]["end"] for e in evidences if e["window"].get("end")), default=None)
    if placeable and evidences and window_end and before_agents(window_end, rubric):
        overall = {"level": 0, "range": [0, 0], "confidence": "high", "failed_gate": None, "placeable": True,
                   "summary": f"Level 0: the assessment window ends in {window_end[:7]}, before coding agents existed "
                              f"(the first came in {rubric['history']['agents_available_from']}); nothing in this "
                              "history can be agent work."}
    gaps = perception_gaps(overall, s, survey, study)
    level_gap = gaps.get("level") or {}
    if overall.get("level") is None and level_gap.get("gap"):
        # wording only: a claim outside the range git allows cannot narrow it; say it contradicts
        overall["summary"] = (overall["summary"].replace("; the questionnaire can narrow it.", ".")
                              + f" The questionnaire's claimed level ({level_gap['claimed']:g}) lies "
                              + ("above" if level_gap["gap"] > 0 else "below")
                              + " this range: the team's answers contradict the history, so they cannot narrow it.")
    next_steps = []
    if overall.get("failed_gate"):
        # safety first: specs, tests and unattended runs come before people stop reading diffs
        order = ["authorship", "specification", "validation", "autonomy", "organisation", "review"]
        for f in sorted(overall["failed_gate"]["all_failing"], key=lambda f: order.index(f["dimension"])):
            next_steps.append(_next_step(f["dimension"], f["required"], rubric))
    return {
        "schema_version": LEVEL_SCHEMA_VERSION,
        "rubric": {"file": rubric["_file"], "version": str(rubric.get("version", "")),
                   "thresholds": {k: v for k, v in rubric.items() if k not in ("_file", "next_steps")}},
        "sources": {"git": bool(evidences), "survey": survey is not None, "study": study is not None,
                    **{name: True for name in sorted({f.source for f in findings})},
                    "repositories": [e["repository"]["name"] for e in evidences]},
        "overall": overall,
        "dimensions": {k: dims[k].as_dict() for k in DIMENSIONS},
        "timeline": (timeline := _timeline(pooled["by_month"], rubric, line_records, evidences)),
        "level_changes": level_changes(timeline),
        "contradictions": contradictions,
        "shares": window_shares(evidences, s),
        "gaps": gaps,
        "next_steps": next_steps,
        "window": {"code_commits": s["code_commits"] if s else 0},
        # which repository each referenced commit belongs to (for links when several are assessed)
        "commit_repository": pooled.get("commit_repository", {}),
    }


def place_repository(evidence: dict[str, Any], survey: dict[str, Any] | None = None,
                     study: dict[str, Any] | None = None, rubric_path: str | Path | None = None,
                     findings: list[Finding] | None = None, rubric: dict[str, Any] | None = None) -> dict[str, Any]:
    """The placement for a single repository (same shape as :func:`place_team`)."""
    return place_team([evidence], survey, study, rubric_path, findings=findings, rubric=rubric)
