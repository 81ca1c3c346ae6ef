"""Observational companion from history: time per change, AI-attributed vs other, adjusted for
size and author. It is NOT a randomised estimate and is always labelled as such.

Effort proxy: minutes since the same person's previous commit, within a working session (gaps
over ``SESSION_HOURS`` start a new session and are dropped). Model (statsmodels OLS):
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
    work["ai"] = ((work["class"] == "ai") & (work["confidence"] != "low")).astype(int)
    n_ai, n_other = int(work["ai"].sum()), int((1 - work["ai"]).sum())
    base.update({"n": int(len(work)), "n_ai": n_ai, "n_other": n_other, "n_authors": int(work["person"].nunique())})
    if len(work) < MIN_ROWS or n_ai < MIN_EACH_ARM or n_other < MIN_EACH_ARM:
        return {**base, "estimate": None,
                "reason": f"too few timed changes (need {MIN_ROWS}, with {MIN_EACH_ARM} in each group)"}
    import statsmodels.formula.api as smf

    work["log_minutes"] = np.log(work["minutes"])
    work["log_lines"] = np.log(work["added"] + work["deleted"] + 1)
    formula = "log_minutes ~ ai + log_lines" + (" + C(person)" if work["person"].nunique() > 1 else "")
    import warnings

    model = smf.ols(formula, data=work)
    with warnings.catch_warnings():  # few authors make statsmodels warn; the caveats say so already
        warnings.simplefilter("ignore")
        if work["person"].nunique() > 1:
            groups = pd.factorize(work["person"])[0]
            fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
        else:
            fit = model.fit(cov_type="HC3")
    beta, se = float(fit.params["ai"]), float(fit.bse["ai"])
    lo, hi = beta - 1.96 * se, beta + 1.96 * se
    return {**base, "estimate": {"speedup": float(np.exp(beta) - 1), "ci95": [float(np.exp(lo) - 1), float(np.exp(hi) - 1)],
                                 "beta": beta, "se": se}}
