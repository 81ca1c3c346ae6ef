"""The effect estimators, as METR (2025, appendix D and its released regression.py) specified them.

Main model (their Eq. 1), fitted by OLS with statsmodels:

    log(actual minutes) = a + b * ai_allowed + d * log(forecast minutes without AI) + e

speedup = exp(b) - 1 (positive = slower). Intervals are b +/- 1.96 SE mapped through exp(.) - 1, with
the SE homoskedastic (the paper's headline), HC3, or clustered by developer; plus a percentile
cluster bootstrap that resamples developers.

Input frames have columns ``developer``, ``ai_allowed`` (0/1, as assigned), ``actual_minutes``,
``forecast_no_ai`` and ``forecast_ai`` (minutes), and optionally ``followed`` (True/False/None).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.stats import norm

from assess import defaults

Z95 = float(norm.ppf(0.975))
MODEL = "OLS of log(actual minutes) on AI-allowed with log(forecast minutes without AI) as covariate"


@dataclass(frozen=True)
class Interval:
    """One estimate of the speedup with its 95% interval."""

    name: str
    label: str
    speedup: float
    ci95: tuple[float, float]
    method: str
    n_tasks: int
    beta: float | None = None
    se: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "speedup": self.speedup,
                "ci95": [self.ci95[0], self.ci95[1]], "method": self.method, "n_tasks": self.n_tasks,
                "beta": self.beta, "se": self.se}


def _to_speedup(beta: float) -> float:
    return float(math.exp(beta) - 1.0)


def _interval(name: str, label: str, beta: float, se: float, method: str, n: int) -> Interval:
    return Interval(name, label, _to_speedup(beta),
                    (_to_speedup(beta - Z95 * se), _to_speedup(beta + Z95 * se)), method, n,
                    float(beta), float(se))


def design(frame: pd.DataFrame, *, covariate: bool = True, developer_effects: bool = False
           ) -> tuple[np.ndarray, np.ndarray]:
    """Outcome vector and design matrix [const, ai_allowed, log forecast, developer dummies...]."""
    y = np.log(frame["actual_minutes"].to_numpy(dtype=float))
    columns = [np.ones(len(frame)), frame["ai_allowed"].to_numpy(dtype=float)]
    if covariate:
        columns.append(np.log(frame["forecast_no_ai"].to_numpy(dtype=float)))
    if developer_effects:
        dummies = pd.get_dummies(frame["developer"].astype(str), drop_first=True, dtype=float)
        columns.extend(dummies.to_numpy().T)
    return y, np.column_stack(columns)


def homoskedastic_effect(y: np.ndarray, X: np.ndarray) -> tuple[float, float]:
    """``(beta, se)`` of column 1 (AI-allowed) under homoskedastic OLS; the fast path for simulations."""
    res = sm.OLS(y, X).fit()
    return float(res.params[1]), float(res.bse[1])


def regression_intervals(frame: pd.DataFrame) -> list[Interval]:
    """The paper's specification with homoskedastic, HC3 and developer-clustered standard errors."""
    y, X = design(frame)
    n = len(frame)
    model = sm.OLS(y, X)
    out = []
    res = model.fit()
    out.append(_interval("homoskedastic", "Homoskedastic (paper's headline)", res.params[1], res.bse[1],
                         f"{MODEL}; homoskedastic SE; beta +/- 1.96 SE", n))
    res = model.fit(cov_type="HC3")
    out.append(_interval("hc3", "Robust (HC3)", res.params[1], res.bse[1],
                         f"{MODEL}; HC3 heteroskedasticity-robust SE; beta +/- 1.96 SE", n))
    groups = pd.factorize(frame["developer"].astype(str))[0]
    if len(set(groups)) >= 2:
        res = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
        out.append(_interval("cluster_developer", "Clustered by developer", res.params[1], res.bse[1],
                             f"{MODEL}; cluster-robust SE by developer ({len(set(groups))} clusters, "
                             "statsmodels small-sample correction); beta +/- 1.96 SE", n))
    return out


def cluster_bootstrap(frame: pd.DataFrame, *, reps: int = defaults.BOOTSTRAP_REPS, seed: int = 0
                      ) -> tuple[Interval | None, Interval | None]:
    """Percentile intervals from resampling developers with replacement: for the regression speedup
    and for the raw ratio of mean times (METR's ratio estimator)."""
    y, X = design(frame)
    codes, uniques = pd.factorize(frame["developer"].astype(str))
    if len(uniques) < 2 or reps <= 0:
        return None, None
    members = [np.flatnonzero(codes == k) for k in range(len(uniques))]
    minutes = frame["actual_minutes"].to_numpy(dtype=float)
    ai = X[:, 1]
    rng = np.random.default_rng(seed)
    betas: list[float] = []
    ratios: list[float] = []
    for _ in range(reps):
        pick = rng.integers(0, len(members), size=len(members))
        idx = np.concatenate([members[k] for k in pick])
        arm = ai[idx]
        if arm.min() == arm.max():
            continue
        res = sm.OLS(y[idx], X[idx]).fit()
        if not np.isfinite(res.params[1]):
            continue
        betas.append(float(res.params[1]))
        ratios.append(float(minutes[idx][arm == 1].mean() / minutes[idx][arm == 0].mean() - 1.0))
    if len(betas) < max(50, reps // 2):
        return None, None
    n = len(frame)
    beta_hat = homoskedastic_effect(y, X)[0]
    lo, hi = np.percentile(betas, [2.5, 97.5])
    boot = Interval("cluster_bootstrap", "Cluster bootstrap (developers)", _to_speedup(beta_hat),
                    (_to_speedup(lo), _to_speedup(hi)),
                    f"{MODEL}; percentile interval from {len(betas)} resamples of developers with "
                    f"replacement (seed {seed})", n, beta_hat, float(np.std(betas, ddof=1)))
    arm = ai == 1
    ratio = float(minutes[arm].mean() / minutes[~arm].mean() - 1.0)
    rlo, rhi = np.percentile(ratios, [2.5, 97.5])
    ratio_iv = Interval("ratio_of_means", "Raw ratio of mean times (no covariate)", ratio,
                        (float(rlo), float(rhi)),
                        "mean actual minutes AI-allowed / AI-disallowed - 1; percentile interval from the "
                        "same developer bootstrap", n)
    return boot, ratio_iv


def alternative_specifications(frame: pd.DataFrame) -> list[Interval]:
    """Other models (homoskedastic SE): no covariate; with developer fixed effects; both forecasts."""
    out = []
    n = len(frame)
    y, X = design(frame, covariate=False)
    beta, se = homoskedastic_effect(y, X)
    out.append(_interval("no_covariate", "No forecast covariate", beta, se,
                         "OLS of log(actual minutes) on AI-allowed only; homoskedastic SE", n))
    if frame["developer"].nunique() >= 2:
        y, X = design(frame, developer_effects=True)
        beta, se = homoskedastic_effect(y, X)
        out.append(_interval("developer_fixed_effects", "With developer fixed effects", beta, se,
                             f"{MODEL} plus developer fixed effects; homoskedastic SE", n))
    y, X = design(frame)
    X = np.column_stack([X, np.log(frame["forecast_ai"].to_numpy(dtype=float))])
    beta, se = homoskedastic_effect(y, X)
    out.append(_interval("both_forecasts", "Both forecasts as covariates", beta, se,
                         f"{MODEL} plus log(forecast minutes with AI); homoskedastic SE", n))
    return out


def per_protocol(frame: pd.DataFrame) -> Interval | None:
    """The main model on tasks whose assignment was followed (not randomised any more: shown apart)."""
    if "followed" not in frame or not (frame["followed"] == False).any():  # noqa: E712
        return None
    kept = frame[frame["followed"] != False]  # noqa: E712
    if kept["ai_allowed"].nunique() < 2 or len(kept) < 4:
        return None
    y, X = design(kept)
    beta, se = homoskedastic_effect(y, X)
    return _interval("per_protocol", "Per protocol (non-compliant tasks dropped)", beta, se,
                     f"{MODEL}; tasks whose assignment was not followed left out (no longer fully "
                     "randomised); homoskedastic SE", len(kept))


def per_developer_effects(frame: pd.DataFrame) -> dict[str, tuple[float, tuple[float, float]] | None]:
    """Each developer's speedup from one model with a developer intercept and a developer x AI term
    (common forecast slope), homoskedastic SE; ``None`` for a developer with only one arm."""
    devs = sorted(frame["developer"].astype(str).unique())
    dev = frame["developer"].astype(str).to_numpy()
    ai = frame["ai_allowed"].to_numpy(dtype=float)
    both = [d for d in devs if len(set(ai[dev == d])) == 2]
    columns = [(dev == d).astype(float) for d in devs]
    columns += [((dev == d) & (ai == 1)).astype(float) for d in both]
    columns.append(np.log(frame["forecast_no_ai"].to_numpy(dtype=float)))
    X = np.column_stack(columns)
    y = np.log(frame["actual_minutes"].to_numpy(dtype=float))
    out: dict[str, tuple[float, tuple[float, float]] | None] = {d: None for d in devs}
    if X.shape[0] <= X.shape[1]:
        return out
    res = sm.OLS(y, X).fit()
    for i, d in enumerate(both):
        k = len(devs) + i
        b, se = float(res.params[k]), float(res.bse[k])
        if math.isfinite(se):
            out[d] = (_to_speedup(b), (_to_speedup(b - Z95 * se), _to_speedup(b + Z95 * se)))
    return out
