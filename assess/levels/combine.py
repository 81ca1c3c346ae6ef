"""Place a repository or a team: dimensions, staged overall level, timeline and perception gaps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assess.findings import Finding
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

SUM_EXCEPT = {"max_chain", "max_chain_span_hours", "longest_chain_span_hours", "long_run_span_hours",
              "ai_merge_delay_hours_median", "ai_merge_lines_median", "ai_merge_commits_median"}


def pool_signals(evidences: list[dict[str, Any]]) -> dict[str, Any]:
    """Team signals from several repositories: counts add up, maxima take the largest, medians the
    median of the repositories' medians (stated in the methods)."""
    windows = [(e["repository"]["name"], e["signals"]["window"]) for e in evidences if e["signals"]["window"]]
    if not windows:
        return {"window": None, "artefacts": {}, "inferred": [], "by_month": []}
    pooled: dict[str, Any] = {"refs": {}}
    for key in windows[0][1]:
        if key in ("refs",) or key.endswith("_refs"):
            continue
        values = [w[key] for _, w in windows if w.get(key) is not None]
        if key in SUM_EXCEPT:
            if key.endswith("median"):
                values = sorted(values)
                pooled[key] = values[len(values) // 2] if values else None
            else:
                pooled[key] = max(values) if values else 0
        else:
            pooled[key] = sum(values)
    commit_repository: dict[str, str] = {}
    for name, w in windows:
        for rkey, shas in w.get("refs", {}).items():
            pooled["refs"].setdefault(rkey, []).extend(shas[:4])
            commit_repository.update({sha: name for sha in shas[:4]})
    artefacts: dict[str, Any] = {}
    for e in evidences:
        for kind, entry in e["signals"]["artefacts"].items():
            tgt = artefacts.setdefault(kind, {"count": 0, "paths": []})
            tgt["count"] += entry["count"]
            tgt["paths"].extend(f"{e['repository']['name']}:{p}" if len(evidences) > 1 else p for p in entry["paths"])
    inferred = [dict(i, person=f"{e['repository']['name']}:{i['person']}" if len(evidences) > 1 else i["person"])
                for e in evidences for i in e["signals"]["inferred"]]
    months: dict[str, dict[str, Any]] = {}
    for e in evidences:
        for m in e["signals"]["by_month"]:
            tgt = months.setdefault(m["month"], {"month": m["month"], "artefacts": set()})
            for key, value in m.items():
                if key in ("month", "artefacts") or not isinstance(value, (int, float)) or value is None:
                    continue
                if key in SUM_EXCEPT:
                    tgt[key] = max(tgt.get(key) or 0, value)
                else:
                    tgt[key] = tgt.get(key, 0) + value
            tgt["artefacts"] |= set(m.get("artefacts", []))
    by_month = [dict(m, artefacts=sorted(m["artefacts"])) for _, m in sorted(months.items())]
    return {"window": pooled, "artefacts": artefacts, "inferred": inferred, "by_month": by_month,
            "commit_repository": commit_repository}


def _month_signals(m: dict[str, Any]) -> dict[str, Any]:
    base = {k: m.get(k, 0) for k in ("commits", "work_commits", "code_commits", "ai_code_commits", "ai_code_commits_low",
                                      "human_code_commits", "code_lines", "ai_code_lines", "ai_multi_file_commits",
                                      "human_commits", "human_spec_doc_only_commits", "human_spec_commits", "spec_lines",
                                      "test_lines", "work_lines", "test_files", "work_files", "ai_commits", "ai_commits_with_tests",
                                      "ai_cloud_commits", "ai_session_commits", "ai_merges", "ai_merges_by_human",
                                      "ai_merges_by_machine", "ai_on_main_via_web", "ai_on_main_direct",
                                      "ai_review_trailers", "ai_followup_fixes", "ai_off_hours_commits", "max_chain",
                                      "max_chain_span_hours", "chains_ge5", "longest_chain_span_hours",
                                      "long_run_span_hours")}
    base["ai_merge_delay_hours_median"] = m.get("ai_merge_delay_hours_median")
    base["ai_merge_lines_median"] = m.get("ai_merge_lines_median")
    base["refs"] = {}
    return base


def _dimensions(s: dict[str, Any], artefacts: dict[str, Any], inferred: list[dict[str, Any]], rubric: dict[str, Any],
                line_records: bool) -> dict[str, Dim]:
    return {
        "authorship": authorship(s, artefacts, rubric, line_records),
        "review": review(s, artefacts, rubric),
        "specification": specification(s, artefacts, rubric),
        "validation": validation(s, artefacts, rubric),
        "autonomy": autonomy(s, artefacts, rubric, inferred),
    }


def _overall(dims: dict[str, Dim], rubric: dict[str, Any], placeable: bool, not_placeable_why: str) -> dict[str, Any]:
    gates = {int(k): v for k, v in rubric["gates"].items()}
    if not placeable:
        return {"level": None, "range": [0, 5], "confidence": "none", "failed_gate": None, "placeable": False,
                "summary": not_placeable_why}
    lo, _ = staged({k: d.lo for k, d in dims.items()}, gates)
    hi, _ = staged({k: d.hi for k, d in dims.items()}, gates)
    point, fail = staged({k: (d.level if d.level is not None else d.lo) for k, d in dims.items()}, gates)
    a = dims["authorship"]
    level: int | None = max(min(point, hi), lo)
    if a.level is None and a.source in ("git", "none") and lo != hi:
        level = None  # no traces and no survey: a range, never a confident 0
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
        have = "not enough evidence" if d.level is None else f"Level {d.level}"
        failed = {"level": fail["level"], "dimension": dim_name,
                  "reason": f"{dim_name} is at {have}; Level {fail['level']} needs {dim_name} at {req} or more",
                  "needed": _next_step(dim_name, req, rubric),
                  "all_failing": [{"dimension": n, "required": r, "level": dims[n].level} for n, r in fail["failing"]]}
    if level is None:
        summary = (f"No agent-written code in the assessment window, so git alone places the team somewhere in "
                   f"Levels {lo}-{hi}; the questionnaire can narrow it.")
    else:
        summary = f"Level {level}" + (f" (range {lo}-{hi})" if lo != hi else "") + ": " + dims["authorship"].summary
        from_survey = [k for k, d in dims.items() if "survey" in d.source.split("+")
                       and d.summary.startswith("Level ") and " from the questionnaire" in d.summary]
        if from_survey:
            summary += (f" The questionnaire set {', '.join(from_survey)} inside the range git allows, so this level "
                        "partly rests on the team's own answers.")
        if failed:
            summary += f" Not Level {failed['level']}: {failed['reason']}."
    return {"level": level, "range": [lo, hi], "confidence": conf, "failed_gate": failed, "placeable": True,
            "summary": summary}


def _timeline(by_month: list[dict[str, Any]], rubric: dict[str, Any], line_records: bool) -> list[dict[str, Any]]:
    gates = {int(k): v for k, v in rubric["gates"].items()}
    out = []
    for m in by_month:
        s = _month_signals(m)
        arts = {k: {"count": 1, "paths": []} for k in m.get("artefacts", [])}
        share = s["ai_code_commits"] / s["code_commits"] if s["code_commits"] else None
        if s["code_commits"] < rubric["minimum_evidence"]["code_commits"] and s["ai_code_commits"] == 0:
            out.append({"month": m["month"], "level": None, "range": list(GIT_BLIND_RANGE) if s["code_commits"] else [0, 5],
                        "ai_share": share, "code_commits": s["code_commits"]})
            continue
        dims = _dimensions(s, arts, [], rubric, line_records)
        lo, _ = staged({k: d.lo for k, d in dims.items()}, gates)
        hi, _ = staged({k: d.hi for k, d in dims.items()}, gates)
        point, _ = staged({k: (d.level if d.level is not None else d.lo) for k, d in dims.items()}, gates)
        level = None if dims["authorship"].level is None else max(min(point, hi), lo)
        out.append({"month": m["month"], "level": level, "range": [lo, hi], "ai_share": share,
                    "code_commits": s["code_commits"]})
    return out


def _gaps(overall: dict[str, Any], s: dict[str, Any] | None, survey: dict[str, Any] | None,
          study: dict[str, Any] | None) -> dict[str, Any]:
    gaps: dict[str, Any] = {"level": None, "ai_share": None, "speedup": None}
    claimed = (survey or {}).get("claimed_level") or {}
    # the median, or the mean when the survey withholds the median below its anonymity threshold
    claimed_value = claimed.get("median") if claimed.get("median") is not None else claimed.get("mean")
    if claimed_value is not None and overall.get("placeable"):
        lo, hi = overall["range"]
        c = float(claimed_value)
        distance = 0.0 if lo <= c <= hi else (c - hi if c > hi else c - lo)
        gaps["level"] = {"claimed": c, "claimed_mean": claimed.get("mean"), "evidenced": overall["level"],
                         "evidenced_range": [lo, hi], "gap": distance, "n": claimed.get("n"),
                         "survey_item": claimed.get("item"),
                         "text": (f"The team places itself at Level {c:g}; the evidence says "
                                  + (f"Level {overall['level']}" if overall["level"] is not None else f"Levels {lo}-{hi}")
                                  + ("" if distance == 0 else
                                     f" ({abs(distance):g} level{'s' if abs(distance) != 1 else ''} "
                                     f"{'above' if distance > 0 else 'below'} the evidenced range)"))}
    perceived = (survey or {}).get("perceived_ai_share") or {}
    if s and s.get("code_commits"):
        # mined: AI share of changed code lines (of code commits when line counts are unavailable)
        mined_l = s["ai_code_lines"] / s["code_lines"] if s.get("code_lines") else None
        mined_c = s["ai_code_commits"] / s["code_commits"]
        mined = mined_l if mined_l is not None else mined_c
        p_mean = perceived.get("mean")
        gaps["ai_share"] = {"perceived": p_mean, "perceived_median": perceived.get("median"),
                            "mined": round(mined, 4), "mined_measure": "code lines" if mined_l is not None else "code commits",
                            "mined_commits": round(mined_c, 4),
                            "gap_pp": None if p_mean is None else round(100 * (p_mean - mined), 1),
                            "n": perceived.get("n"), "survey_item": perceived.get("item"),
                            "note": "mined share is a lower bound: agents can run without leaving traces"}
    speed: dict[str, Any] = {}
    sp = (survey or {}).get("perceived_speedup") or {}
    if (sp.get("retrospective") or {}).get("mean") is not None:
        speed["survey_perceived"] = sp["retrospective"]["mean"]
        speed["survey_perceived_item"] = sp["retrospective"].get("item")
    if (sp.get("forecast") or {}).get("mean") is not None:
        speed["survey_forecast"] = sp["forecast"]["mean"]
    if study:
        est = study.get("estimate") or {}
        speed["measured"] = est.get("speedup")
        speed["measured_ci95"] = est.get("ci95")
        speed["measured_method"] = est.get("method")
        speed["forecast"] = study.get("forecast_speedup")
        perc = study.get("perceived") or {}
        for key in ("pre_study", "post_task", "post_study"):
            if perc.get(key):
                speed[key] = perc[key].get("speedup")
    if speed:
        perceived_value = speed.get("post_study", speed.get("post_task", speed.get("survey_perceived")))
        speed["perceived"] = perceived_value
        if speed.get("measured") is not None and perceived_value is not None:
            speed["gap_pp"] = round(100 * (perceived_value - speed["measured"]), 1)
        speed["scale"] = "time with AI / time without AI - 1 (negative = faster)"
        gaps["speedup"] = speed
    return gaps


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
        placeable, why = False, "No repository and no survey: nothing to place."
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
    overall = _overall(dims, rubric, placeable, why)
    next_steps = []
    if overall.get("failed_gate"):
        # safety first: specs, tests and unattended runs come before people stop reading diffs
        order = ["authorship", "specification", "validation", "autonomy", "organisation", "review"]
        for f in sorted(overall["failed_gate"]["all_failing"], key=lambda f: order.index(f["dimension"])):
            next_steps.append(_next_step(f["dimension"], f["required"], rubric))
    return {
        "rubric": {"file": rubric["_file"], "version": str(rubric.get("version", "")),
                   "thresholds": {k: v for k, v in rubric.items() if k not in ("_file", "next_steps")}},
        "sources": {"git": bool(evidences), "survey": survey is not None, "study": study is not None,
                    **{name: True for name in sorted({f.source for f in findings})},
                    "repositories": [e["repository"]["name"] for e in evidences]},
        "overall": overall,
        "dimensions": {k: dims[k].as_dict() for k in DIMENSIONS},
        "timeline": _timeline(pooled["by_month"], rubric, line_records),
        "contradictions": contradictions,
        "gaps": _gaps(overall, s, survey, study),
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
