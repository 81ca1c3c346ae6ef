"""Observational companion from history: time per change, AI-attributed vs other, adjusted for
size and author. It is NOT a randomised estimate and is always labelled as such.

Effort proxy: minutes since the same person's previous commit, within a working session (gaps
over ``SESSION_HOURS`` start a new session and are dropped). Model (OLS, ``assess.speedup.ols``):
``log(minutes) ~ ai + log(lines + 1) + C(author)``, errors clustered by author;
effect = exp(beta_ai) - 1 (positive = AI-attributed changes took longer per change).
Selection is the obvious bias: people hand agents different work than they do by hand.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

SESSION_HOURS = 4.0
MIN_ROWS = 30
MIN_EACH_ARM = 10


def observational_speedup(commits: pd.DataFrame) -> dict[str, Any]:
    """The estimate with its interval, or a reason why there is none."""
    base = {"kind": "observational", "label": "Observational (history), not randomised",
            "method": "OLS log(minutes since the author's previous commit in the session) ~ AI-attributed + "
                      "log(lines+1) + author fixed effects; author-clustered 95% CI",
            "caveats": ["People choose which work to give agents, so this compares different work.",
                        "Minutes between commits is a proxy for effort, not measured task time.",
                        "Only AI work committed under a person's identity (co-authored sessions) can be timed."]}
    work = commits[(~commits["is_merge"]) & (commits["class"].isin(["human", "ai"]))].copy()
    work = work[work["person"].str.startswith("person-", na=False)]
    if work.empty:
        return {**base, "estimate": None, "reason": "no commits by people"}
    work = work.sort_values(["person", "author_time"])
    gap = work.groupby("person")["author_time"].diff().dt.total_seconds() / 60
    work["minutes"] = gap
    work = work[(work["minutes"] > 0) & (work["minutes"] <= SESSION_HOURS * 60)]
    # rows whose size gives no finite log (a missing or negative line count) are left out, as the
    # statsmodels formula fit this replaced left out its missing rows
    with np.errstate(invalid="ignore", divide="ignore"):  # those rows are dropped on the next line
        work["log_lines"] = np.log((work["added"] + work["deleted"] + 1).to_numpy(dtype=float))
    work = work[np.isfinite(work["log_lines"])]
    work["ai"] = ((work["class"] == "ai") & (work["confidence"] != "low")).astype(int)
    n_ai, n_other = int(work["ai"].sum()), int((1 - work["ai"]).sum())
    base.update({"n": int(len(work)), "n_ai": n_ai, "n_other": n_other, "n_authors": int(work["person"].nunique())})
    if len(work) < MIN_ROWS or n_ai < MIN_EACH_ARM or n_other < MIN_EACH_ARM:
        return {**base, "estimate": None,
                "reason": f"too few timed changes (need {MIN_ROWS}, with {MIN_EACH_ARM} in each group)"}
    from assess.speedup.ols import ols_fit_identified

    y = np.log(work["minutes"].to_numpy(dtype=float))
    if np.ptp(y) == 0:  # a perfect fit: an effect of exactly 0 with no error would be an artefact, not evidence
        return {**base, "estimate": None, "reason": "every timed change is the same number of minutes apart"}
    log_lines = work["log_lines"].to_numpy(dtype=float)
    # treatment coding of the author with the first author (sorted) as reference, as patsy's C(person)
    levels, codes = np.unique(work["person"].to_numpy(dtype=object), return_inverse=True)
    dummies = (codes[:, None] == np.arange(1, len(levels))[None, :]).astype(float)
    design = np.column_stack([np.ones(len(work)), work["ai"].to_numpy(dtype=float), log_lines, dummies])
    if design.shape[0] <= design.shape[1]:  # as many authors as timed changes: nothing left to estimate from
        return {**base, "estimate": None, "reason": "too few timed changes for the number of authors"}
    with np.errstate(divide="ignore", invalid="ignore"):
        params, bse, identified = ols_fit_identified(design, y, clusters=codes if len(levels) > 1 else None)
    if not identified[1]:  # AI-attributed is a combination of authors and sizes: e.g. one author made every AI change
        return {**base, "estimate": None,
                "reason": "AI-attributed changes cannot be told apart from who made them or their size"}
    beta, se = float(params[1]), float(bse[1])
    if not (np.isfinite(beta) and np.isfinite(se)):  # e.g. one change carries all the leverage (HC3)
        return {**base, "estimate": None, "reason": "the timed changes do not identify an effect"}
    lo, hi = beta - 1.96 * se, beta + 1.96 * se
    return {**base, "estimate": {"speedup": float(np.exp(beta) - 1), "ci95": [float(np.exp(lo) - 1), float(np.exp(hi) - 1)],
                                 "beta": beta, "se": se}}
