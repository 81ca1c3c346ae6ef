"""The full analysis of a study: the randomised estimate and everything shown beside it.

Its output is a plain dict that matches ``assess/schemas/study.schema.json`` (the report reads it).
"""

from __future__ import annotations

import math
import warnings as _warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binomtest, ttest_ind

from assess import defaults
from assess.errors import AssessError
from assess.speedup.estimators import (
    Interval,
    alternative_specifications,
    cluster_bootstrap,
    design,
    per_developer_effects,
    per_protocol,
    regression_intervals,
)
from assess.speedup.folder import Participant
from assess.speedup.integrity import load_study
from assess.speedup.scales import SCALE_NOTE, describe_change, describe_interval

SCHEMA_VERSION = "1.0"
FEW_CLUSTERS = 20  # cluster-robust SEs need many clusters; below ~20 (and badly below 10) they understate
VERY_FEW_CLUSTERS = 10


def forecast_speedup(frame: pd.DataFrame) -> float:
    """METR's forecast speedup (D.4): sum of forecasts with AI / sum without AI - 1 (ratio of means)."""
    return float(frame["forecast_ai"].sum() / frame["forecast_no_ai"].sum() - 1.0)


def weighted_perception(values: dict[str, float], weights: dict[str, float], method: str
                        ) -> dict[str, Any] | None:
    """Mean of per-developer values weighted by tasks, with METR's (D.5) standard error."""
    devs = [d for d, v in values.items() if v is not None and weights.get(d, 0) > 0]
    if not devs:
        return None
    r = np.array([values[d] for d in devs], dtype=float)
    w = np.array([weights[d] for d in devs], dtype=float)
    mean = float(np.sum(w * r) / np.sum(w))
    ci: list[float] | None = None
    if len(devs) >= 2:
        se = math.sqrt(float(np.sum(w * (r - mean) ** 2)) / float(np.sum(w)) ** 2)
        ci = [mean - 1.959963984540054 * se, mean + 1.959963984540054 * se]
    return {"speedup": mean, "ci95": ci, "n_developers": len(devs), "weight_tasks": int(np.sum(w)),
            "method": method}


def _balance(frame: pd.DataFrame) -> dict[str, Any]:
    ai = frame["ai_allowed"] == 1
    n_ai, n_no = int(ai.sum()), int((~ai).sum())
    rows = []
    for column, label in (("forecast_no_ai", "forecast minutes without AI"),
                          ("forecast_ai", "forecast minutes with AI")):
        a, b = frame.loc[ai, column].to_numpy(float), frame.loc[~ai, column].to_numpy(float)
        p = None
        if len(a) >= 2 and len(b) >= 2 and (np.var(a) > 0 or np.var(b) > 0):
            p = float(ttest_ind(a, b, equal_var=False).pvalue)
        rows.append({"variable": column, "label": label,
                     "ai_allowed_mean": float(a.mean()) if len(a) else None,
                     "ai_disallowed_mean": float(b.mean()) if len(b) else None,
                     "ai_allowed_median": float(np.median(a)) if len(a) else None,
                     "ai_disallowed_median": float(np.median(b)) if len(b) else None,
                     "difference": float(a.mean() - b.mean()) if len(a) and len(b) else None,
                     "welch_p_value": p})
    split_p = float(binomtest(n_ai, n_ai + n_no, 0.5).pvalue) if n_ai + n_no else None
    return {"arms": {"ai_allowed": n_ai, "ai_disallowed": n_no, "binomial_p_value": split_p}, "rows": rows}


def _excludes_zero(iv: Interval) -> bool:
    return iv.ci95[0] > 0 or iv.ci95[1] < 0


def _pp(perceived: float | None, measured: float) -> float | None:
    return None if perceived is None else (perceived - measured) * 100.0


def analyze_frame(frame: pd.DataFrame, *, participants: dict[str, Participant] | None = None,
                  integrity: dict[str, Any] | None = None, name: str = "", directory: str | None = None,
                  bootstrap_reps: int = defaults.BOOTSTRAP_REPS, seed: int = 0) -> dict[str, Any]:
    """Analyse a table of completed tasks (see :mod:`assess.speedup.estimators` for its columns)."""
    participants = participants or {}
    frame = frame.reset_index(drop=True)
    n = len(frame)
    n_arm = frame["ai_allowed"].value_counts().to_dict() if n else {}
    if n < 4 or n_arm.get(1, 0) < 1 or n_arm.get(0, 0) < 1:
        raise AssessError(f"too few completed tasks to estimate an effect ({n_arm.get(1, 0)} AI-allowed, "
                          f"{n_arm.get(0, 0)} AI-disallowed)", hint="record more results first")
    y, X = design(frame)
    if np.linalg.matrix_rank(X) < X.shape[1] or n - X.shape[1] < 2:
        raise AssessError(f"the model cannot be estimated from these {n} tasks: too few of them, or the forecasts "
                          "without AI do not vary, or one arm has every task", hint="record more varied tasks first")
    warnings: list[str] = []
    with _warnings.catch_warnings():
        # statsmodels warns per bootstrap resample on tiny or degenerate samples; the checks above and
        # the warnings below tell the user once, in words
        _warnings.simplefilter("ignore")
        main_intervals = regression_intervals(frame)
        boot, ratio = cluster_bootstrap(frame, reps=bootstrap_reps, seed=seed)
        alternatives_more = alternative_specifications(frame)
        pp = per_protocol(frame)
    headline = main_intervals[0]
    intervals = main_intervals + ([boot] if boot else [])
    alternatives = intervals[1:] + alternatives_more + ([ratio] if ratio else [])
    if pp:
        alternatives.append(pp)

    n_dev = int(frame["developer"].nunique())
    if n_dev < FEW_CLUSTERS:
        warnings.append(
            f"Only {n_dev} developer(s): the developer-clustered and cluster-bootstrap intervals rest on "
            f"{n_dev} clusters and are unreliable below about {FEW_CLUSTERS}"
            + (f" (badly so below {VERY_FEW_CLUSTERS})" if n_dev < VERY_FEW_CLUSTERS else "")
            + "; the homoskedastic and HC3 intervals treat tasks as independent.")
    if len(intervals) > 1:
        excl = {iv.name: _excludes_zero(iv) for iv in intervals}
        if len(set(excl.values())) > 1:
            yes = ", ".join(k for k, v in excl.items() if v)
            no = ", ".join(k for k, v in excl.items() if not v)
            warnings.append(f"The intervals disagree on whether AI could have made no difference: {yes} "
                            f"exclude zero, {no} include it.")
        widths = [math.log1p(iv.ci95[1]) - math.log1p(iv.ci95[0]) for iv in intervals]
        if max(widths) > 1.5 * min(widths):
            widest = intervals[int(np.argmax(widths))]
            warnings.append(f"The {widest.name} interval is more than 1.5 times as wide as the narrowest: "
                            "errors are probably correlated within developers or heteroskedastic.")
        signs = {np.sign(iv.speedup) for iv in intervals}
        if len(signs) > 1:
            warnings.append("The specifications disagree on the direction of the effect.")

    # per developer
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        effects = per_developer_effects(frame)
    weights = frame.groupby("developer").size().to_dict()
    ai_frame = frame[frame["ai_allowed"] == 1]
    post_task_means: dict[str, float] = {}
    if "post_task_speedup" in frame:
        for dev, group in ai_frame.groupby("developer"):
            vals = pd.to_numeric(group["post_task_speedup"], errors="coerce").dropna()
            if len(vals):
                post_task_means[str(dev)] = float(vals.mean())
    per_developer = []
    for dev, group in frame.groupby("developer"):
        dev = str(dev)
        p = participants.get(dev)
        eff = effects.get(dev)
        per_developer.append({
            "developer": dev,
            "n_tasks": int(len(group)),
            "n_ai_allowed": int((group["ai_allowed"] == 1).sum()),
            "n_ai_disallowed": int((group["ai_allowed"] == 0).sum()),
            "speedup": eff[0] if eff else None,
            "ci95": list(eff[1]) if eff else None,
            "forecast_speedup": forecast_speedup(group),
            "expected_speedup": p.expected_speedup if p else None,
            "post_task_speedup": post_task_means.get(dev),
            "post_study_speedup": p.post_study_speedup if p else None,
            "non_compliant": int((group.get("followed", pd.Series(dtype=object)) == False).sum()),  # noqa: E712
        })
    one_arm = [d["developer"] for d in per_developer if d["speedup"] is None]
    if one_arm:
        warnings.append(f"No per-developer estimate for {', '.join(one_arm)}: tasks in only one arm.")

    fsp = forecast_speedup(frame)
    weights_f = {str(k): float(v) for k, v in weights.items()}
    perceived = {
        "pre_study": weighted_perception(
            {d: p.expected_speedup for d, p in participants.items()}, weights_f,
            "participants.csv expected_speedup, mean over developers weighted by their analysed tasks"),
        "post_task": weighted_perception(
            post_task_means, weights_f,
            "results.csv post_task_speedup on AI-allowed tasks, averaged per developer, then weighted by "
            "their analysed tasks"),
        "post_study": weighted_perception(
            {d: p.post_study_speedup for d, p in participants.items()}, weights_f,
            "participants.csv post_study_speedup, mean over developers weighted by their analysed tasks"),
    }
    measured = headline.speedup
    gaps = {
        "forecast_pp": _pp(fsp, measured),
        "pre_study_pp": _pp(perceived["pre_study"]["speedup"] if perceived["pre_study"] else None, measured),
        "post_task_pp": _pp(perceived["post_task"]["speedup"] if perceived["post_task"] else None, measured),
        "post_study_pp": _pp(perceived["post_study"]["speedup"] if perceived["post_study"] else None, measured),
    }
    balance = _balance(frame)
    for row in balance["rows"]:
        if row["welch_p_value"] is not None and row["welch_p_value"] < 0.05:
            warnings.append(f"Forecasts are unbalanced between arms ({row['label']}: "
                            f"{row['ai_allowed_mean']:.0f} vs {row['ai_disallowed_mean']:.0f}, Welch p = "
                            f"{row['welch_p_value']:.3f}); the covariate adjusts for it, but check the randomisation.")
    if n < 30:
        warnings.append(f"Only {n} completed tasks: intervals will be wide and the normal approximation rough.")

    integrity = integrity or {}
    if integrity:
        if not integrity.get("registration_hash_ok", True):
            warnings.append(f"registration.yaml was edited after registration (block(s) "
                            f"{integrity['tampered_blocks']}): the assignments cannot be trusted.")
        if integrity.get("excluded_tasks"):
            warnings.append(f"{len(integrity['excluded_tasks'])} task(s) changed after registration and were "
                            f"left out: {', '.join(integrity['excluded_tasks'][:10])} (--allow-changed keeps them).")
        included = [c["task_id"] for c in integrity.get("changed_tasks", []) if c["included"]]
        if included:
            warnings.append(f"{len(included)} task(s) changed after registration are included at the user's "
                            f"request with their current values: {', '.join(included[:10])}.")
        nc = integrity.get("non_compliance", {})
        if nc.get("task_ids"):
            warnings.append(f"{len(nc['task_ids'])} task(s) did not follow their assignment "
                            f"({nc['ai_disallowed']} used AI when disallowed, {nc['ai_allowed']} AI-allowed); "
                            "analysed intention to treat, which dilutes the effect towards zero.")
        missing = integrity.get("not_completed", {})
        if missing.get("task_ids"):
            warnings.append(f"{len(missing['task_ids'])} registered task(s) have no result yet "
                            f"({missing['ai_allowed']} AI-allowed, {missing['ai_disallowed']} AI-disallowed); "
                            "if tasks are dropped more in one arm the comparison is biased.")
        if integrity.get("missing_from_tasks_file"):
            warnings.append(f"{len(integrity['missing_from_tasks_file'])} registered task(s) are no longer in "
                            "tasks.csv; their registered forecasts are used.")
        if integrity.get("unregistered_tasks"):
            warnings.append(f"{len(integrity['unregistered_tasks'])} task(s) in tasks.csv are not registered and "
                            "not analysed (register them with --new-block).")
        if integrity.get("row_problems"):
            warnings.append(f"{len(integrity['row_problems'])} problem(s) in the input files; see "
                            "integrity.row_problems.")

    low, high = headline.ci95
    interpretation = (f"With AI allowed, work was {describe_change(measured)} than on forecast-matched tasks "
                      f"without AI; the 95% interval is {describe_interval(low, high, digits=1)}.")
    summary = interpretation + f" Developers' forecasts implied {describe_change(fsp)}"
    if perceived["post_study"]:
        summary += f", and afterwards they believed {describe_change(perceived['post_study']['speedup'])}"
    elif perceived["post_task"]:
        summary += f", and after each task they believed {describe_change(perceived['post_task']['speedup'])}"
    summary += "."
    estimate = headline.to_json()
    estimate["interpretation"] = interpretation
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "randomised",
        "scale": SCALE_NOTE,
        "study": {"name": name, "directory": directory,
                  "registration_id": integrity.get("registration_id") if integrity else None},
        "n_tasks": n,
        "n_developers": n_dev,
        "arms": {"ai_allowed": int(n_arm.get(1, 0)), "ai_disallowed": int(n_arm.get(0, 0))},
        "estimate": estimate,
        "alternatives": [iv.to_json() for iv in alternatives],
        "forecast_speedup": fsp,
        "perceived": perceived,
        "gaps": gaps,
        "per_developer": per_developer,
        "balance": balance,
        "integrity": integrity,
        "warnings": warnings,
        "summary": summary,
    }


def analyze_study(directory: str | Path, *, allow_changed: bool = False, bootstrap_reps: int = defaults.BOOTSTRAP_REPS,
                  seed: int = 0) -> dict[str, Any]:
    """Analyse a registered study folder; the result matches ``assess/schemas/study.schema.json``."""
    data = load_study(directory, allow_changed=allow_changed)
    return analyze_frame(data.frame, participants=data.participants, integrity=data.integrity, name=data.name,
                         directory=str(directory), bootstrap_reps=bootstrap_reps, seed=seed)
