"""Shares and perception gaps, computed once (by the placement); the report only formats them.

- :func:`window_shares`: the AI share over the assessment windows of all repositories.
- :func:`perception_gaps`: claimed vs evidenced level, perceived vs mined AI share, and believed vs
  measured speedup. The study analysis owns the study's own gaps (``study["gaps"]``); they are
  taken from it, never recomputed.
"""

from __future__ import annotations

from typing import Any

from assess.signal_catalogue import share

SPEEDUP_SCALE = "time with AI / time without AI - 1 (negative = faster)"
ATTRIBUTION_SUMS = ("commits", "ai_commits", "lines", "ai_lines")


def _round(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(float(x), digits)


def window_shares(evidences: list[dict[str, Any]], s: dict[str, Any] | None) -> dict[str, Any] | None:
    """Work commits and lines in the windows (attribution), with the AI shares of *code* the
    placement judges by (``s``: pooled window signals): the report's ``ai_share_window``."""
    if not evidences:
        return None
    total = {k: sum(e["attribution"]["window"][k] for e in evidences) for k in ATTRIBUTION_SUMS}
    share_c = _round(total["ai_commits"] / total["commits"]) if total["commits"] else None
    share_l = _round(total["ai_lines"] / total["lines"]) if total["lines"] else None
    mined = mined_share(s)
    if mined is not None:  # the placement's definition: AI share of changed code lines (or code commits)
        share_l, share_c = mined["mined"], mined["mined_commits"]
    return {**total, "ai_share_commits": share_c, "ai_share_lines": share_l,
            "windows": [{"repository": e["repository"]["name"], "days": e["window"]["days"],
                         "start": e["window"]["start"], "end": e["window"]["end"]} for e in evidences]}


def mined_share(s: dict[str, Any] | None) -> dict[str, Any] | None:
    """The mined AI share: of changed code lines, or of code commits when line counts are missing."""
    if not s or not s.get("code_commits"):
        return None
    by_lines = share(s, "ai_share_code_lines")
    by_commits = share(s, "ai_share_code_commits")
    mined = by_lines if by_lines is not None else by_commits
    return {"mined": _round(mined), "mined_commits": _round(by_commits),
            "mined_measure": "code lines" if by_lines is not None else "code commits",
            "mined_lines": int(s.get("code_lines") or 0)}


def _level_gap(overall: dict[str, Any], survey: dict[str, Any] | None) -> dict[str, Any] | None:
    claimed = (survey or {}).get("claimed_level") or {}
    if not (survey or {}).get("respondents") or not claimed.get("n"):
        return None
    # the median, or the mean when the survey withholds the median below its anonymity threshold
    value = claimed["median"] if claimed.get("median") is not None else claimed.get("mean")
    if value is None:
        return None
    c = float(value)
    placeable = overall.get("placeable", True)
    lo, hi = overall["range"]
    distance = (0.0 if lo <= c <= hi else (c - hi if c > hi else c - lo)) if placeable else None
    evidenced = overall.get("level")
    text = None
    if placeable:
        text = (f"The team places itself at Level {c:g}; the evidence says "
                + (f"Level {evidenced}" if evidenced is not None else f"Levels {lo}-{hi}")
                + ("" if not distance else
                   f" ({abs(distance):g} level{'s' if abs(distance) != 1 else ''} "
                   f"{'above' if distance > 0 else 'below'} the evidenced range)"))
    return {"claimed": c, "claimed_mean": claimed.get("mean"), "claimed_n": claimed["n"],
            "claimed_distribution": claimed.get("distribution"), "evidenced": evidenced,
            "evidenced_range": [lo, hi] if placeable else None, "gap": distance,
            "survey_item": claimed.get("item"), "text": text}


def _share_gap(s: dict[str, Any] | None, survey: dict[str, Any] | None) -> dict[str, Any] | None:
    mined = mined_share(s)
    if mined is None:
        return None
    perceived = ((survey or {}).get("perceived_ai_share") or {}) if (survey or {}).get("respondents") else {}
    p_mean = perceived.get("mean") if perceived.get("n") else None
    return {"perceived": p_mean, "perceived_median": perceived.get("median") if p_mean is not None else None,
            "perceived_n": perceived.get("n") or 0, **mined,
            "gap_pp": None if p_mean is None else round(100 * (float(p_mean) - mined["mined"]), 1),
            "survey_item": perceived.get("item"),
            "note": "mined share is a lower bound: agents can run without leaving traces"}


def _speedup_gap(survey: dict[str, Any] | None, study: dict[str, Any] | None) -> dict[str, Any] | None:
    rows: list[dict[str, Any]] = []
    if (survey or {}).get("respondents"):
        ps = (survey or {}).get("perceived_speedup") or {}
        for key, label in (("forecast", "Survey: expected"), ("retrospective", "Survey: perceived so far")):
            block = ps.get(key) or {}
            if block.get("n") and block.get("mean") is not None:
                rows.append({"label": label, "kind": "forecast" if key == "forecast" else "perceived",
                             "source": "survey", "speedup": float(block["mean"]), "ci95": None, "n": block["n"],
                             "unit": "respondents", "study_gap": None})
    measured = None
    if study:
        rows.append({"label": "Study: task forecasts", "kind": "forecast", "source": "study",
                     "speedup": float(study["forecast_speedup"]), "ci95": None, "n": study["n_tasks"], "unit": "tasks",
                     "study_gap": "forecast_pp"})
        for key, label, kind in (("pre_study", "Study: expected before", "forecast"),
                                 ("post_task", "Study: after each task", "perceived"),
                                 ("post_study", "Study: believed after", "perceived")):
            p = study["perceived"].get(key)
            if p:
                rows.append({"label": label, "kind": kind, "source": "study", "speedup": float(p["speedup"]),
                             "ci95": p.get("ci95"), "n": p["n_developers"], "unit": "developers",
                             "study_gap": f"{key}_pp"})
        est = study["estimate"]
        measured = {"speedup": float(est["speedup"]), "ci95": list(est["ci95"])}
        rows.append({"label": "Study: measured", "kind": "measured", "source": "study", "speedup": measured["speedup"],
                     "ci95": measured["ci95"], "n": est["n_tasks"], "unit": "tasks", "study_gap": None})
    if not rows:
        return None
    by_label = {r["label"]: r for r in rows}

    def pick(*labels: str) -> dict[str, Any] | None:
        return next((by_label[label] for label in labels if label in by_label), None)

    def gap(row: dict[str, Any] | None) -> float | None:
        if row is None or measured is None:
            return None
        if row["study_gap"]:  # the study analysis computed this gap: take it, do not recompute
            value = (study or {}).get("gaps", {}).get(row["study_gap"])
            return None if value is None else round(float(value), 1)
        return round((row["speedup"] - measured["speedup"]) * 100, 1)

    fc = pick("Study: task forecasts", "Study: expected before", "Survey: expected")
    pc = pick("Study: believed after", "Study: after each task", "Survey: perceived so far")
    return {"forecast": fc["speedup"] if fc else None, "forecast_source": fc["label"] if fc else None,
            "perceived": pc["speedup"] if pc else None, "perceived_source": pc["label"] if pc else None,
            "measured": measured["speedup"] if measured else None,
            "measured_ci95": measured["ci95"] if measured else None,
            "gap_pp": gap(pc), "forecast_gap_pp": gap(fc), "scale": SPEEDUP_SCALE,
            "rows": [{k: v for k, v in r.items() if k != "study_gap"} for r in rows]}


def perception_gaps(overall: dict[str, Any], s: dict[str, Any] | None, survey: dict[str, Any] | None,
                    study: dict[str, Any] | None) -> dict[str, Any]:
    """The three perception gaps (each None when an input is missing): the report's one gaps block."""
    return {"level": _level_gap(overall, survey), "ai_share": _share_gap(s, survey),
            "speedup": _speedup_gap(survey, study)}
