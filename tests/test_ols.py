"""The numpy OLS used per repository gives statsmodels' figures (coefficients, CRV1 and HC3 errors),
and the observational estimate built on it equals the statsmodels formula fit it replaced."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from assess.speedup.observational import observational_speedup
from assess.speedup.ols import ols_fit


def _design(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    return np.column_stack([np.ones(n), rng.normal(size=(n, k - 1))])


@pytest.mark.parametrize("seed", range(6))
def test_cluster_errors_equal_statsmodels(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(30, 200))
    x = _design(rng, n, int(rng.integers(2, 7)))
    groups = rng.integers(0, int(rng.integers(2, 9)), size=n)
    y = x @ rng.normal(size=x.shape[1]) + rng.normal(size=n) * (1 + groups)
    params, bse = ols_fit(x, y, clusters=groups)
    ref = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": groups})
    np.testing.assert_allclose(params, ref.params, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(bse, ref.bse, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_hc3_errors_equal_statsmodels(seed):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(20, 150))
    x = _design(rng, n, int(rng.integers(2, 6)))
    y = x @ rng.normal(size=x.shape[1]) + rng.normal(size=n) * np.abs(x[:, 1])
    params, bse = ols_fit(x, y)
    ref = sm.OLS(y, x).fit(cov_type="HC3")
    np.testing.assert_allclose(params, ref.params, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(bse, ref.bse, rtol=1e-9, atol=1e-12)


@pytest.mark.filterwarnings("ignore:The design matrix is rank-deficient")
def test_rank_deficient_design_gives_statsmodels_minimum_norm_solution():
    rng = np.random.default_rng(7)
    n = 80
    x = _design(rng, n, 3)
    x = np.column_stack([x, x[:, 1] * 2.0])  # a column that repeats another
    groups = rng.integers(0, 5, size=n)
    y = x[:, :3] @ np.array([1.0, 0.5, -0.3]) + rng.normal(size=n)
    for kwargs, fit in (({"clusters": groups}, {"cov_type": "cluster", "cov_kwds": {"groups": groups}}),
                        ({}, {"cov_type": "HC3"})):
        params, bse = ols_fit(x, y, **kwargs)
        ref = sm.OLS(y, x).fit(**fit)
        np.testing.assert_allclose(params, ref.params, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(bse, ref.bse, rtol=1e-8, atol=1e-10)


def _commits(seed: int, authors: int, n_per_author: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for a in range(authors):
        t = pd.Timestamp("2026-01-05 09:00", tz="UTC")
        for _ in range(n_per_author):
            ai = rng.random() < 0.45
            t += pd.Timedelta(minutes=float(rng.uniform(5, 90) * (0.7 if ai else 1.0)))
            rows.append({"is_merge": False, "class": "ai" if ai else "human",
                         "confidence": "high" if rng.random() < 0.9 else "low", "person": f"person-{a:02d}",
                         "author_time": t, "added": int(rng.integers(0, 300)), "deleted": int(rng.integers(0, 80))})
    return pd.DataFrame(rows)


def _statsmodels_estimate(commits: pd.DataFrame) -> tuple[float, float]:
    """What observational_speedup computed with the statsmodels formula API before: the reference."""
    work = commits[(~commits["is_merge"]) & (commits["class"].isin(["human", "ai"]))].copy()
    work = work.sort_values(["person", "author_time"])
    work["minutes"] = work.groupby("person")["author_time"].diff().dt.total_seconds() / 60
    work = work[(work["minutes"] > 0) & (work["minutes"] <= 240)]
    work["ai"] = ((work["class"] == "ai") & (work["confidence"] != "low")).astype(int)
    work["log_minutes"] = np.log(work["minutes"])
    work["log_lines"] = np.log(work["added"] + work["deleted"] + 1)
    work = work[np.isfinite(work["log_lines"])]  # patsy drops the NaN rows (and refuses inf)
    several = work["person"].nunique() > 1
    model = smf.ols("log_minutes ~ ai + log_lines" + (" + C(person)" if several else ""), data=work)
    fit = (model.fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(work["person"])[0]}) if several
           else model.fit(cov_type="HC3"))
    return float(fit.params["ai"]), float(fit.bse["ai"])


@pytest.mark.parametrize(("seed", "authors"), [(1, 1), (2, 2), (3, 5), (4, 9)])
def test_observational_estimate_equals_the_statsmodels_formula_fit(seed, authors):
    commits = _commits(seed, authors, 60)
    est = observational_speedup(commits)["estimate"]
    beta, se = _statsmodels_estimate(commits)
    assert est["beta"] == pytest.approx(beta, rel=1e-9, abs=1e-12)
    assert est["se"] == pytest.approx(se, rel=1e-9, abs=1e-12)
    assert est["speedup"] == pytest.approx(np.exp(beta) - 1, rel=1e-9)


def test_as_many_authors_as_timed_changes_is_a_reason_not_a_number():
    # 40 authors with two commits each: 40 timed changes (half of them AI), 42 columns
    commits = _commits(5, 40, 2)
    commits["class"] = ["ai" if (i // 2) % 2 else "human" for i in range(len(commits))]
    commits["confidence"] = "high"
    obs = observational_speedup(commits)
    assert obs["estimate"] is None and "authors" in obs["reason"]


def _all_high(commits: pd.DataFrame) -> pd.DataFrame:
    commits = commits.copy()
    commits["confidence"] = "high"
    return commits


def test_ai_changes_all_by_one_author_give_a_reason_not_the_pseudo_inverse_artefact():
    # AI-attributed == that author's dummy (with the intercept): statsmodels still prints a beta
    # with a narrow interval, which is the minimum-norm split between the two columns, not evidence
    commits = _all_high(_commits(3, 3, 60))
    commits["class"] = np.where(commits["person"] == "person-00", "ai", "human")
    obs = observational_speedup(commits)
    assert obs["estimate"] is None and "told apart" in obs["reason"]
    assert obs["n_ai"] >= 10 and obs["n_other"] >= 10  # not the too-few-changes reason


def test_ai_changes_that_are_exactly_the_small_ones_give_a_reason():
    # every AI change touches 0 lines and every other change 7: ai is a function of log(lines+1)
    commits = _all_high(_commits(6, 3, 60))
    commits["added"] = np.where(commits["class"] == "ai", 0, 7)
    commits["deleted"] = 0
    obs = observational_speedup(commits)
    assert obs["estimate"] is None and "told apart" in obs["reason"]


def test_identical_gaps_give_a_reason_not_zero_with_no_error():
    commits = _commits(4, 3, 60)
    commits["author_time"] = [pd.Timestamp("2026-01-05", tz="UTC") + pd.Timedelta(minutes=10 * i)
                              for i in range(len(commits))]
    obs = observational_speedup(commits)
    assert obs["estimate"] is None and "same number of minutes" in obs["reason"]


@pytest.mark.filterwarnings("ignore:invalid value encountered in log:RuntimeWarning")  # the statsmodels reference
def test_missing_or_infinite_line_counts_are_left_out_as_the_formula_fit_did():
    commits = _commits(8, 3, 60)
    commits["added"] = commits["added"].astype(float)
    commits.loc[commits.index[:5], "added"] = [np.nan, np.inf, np.nan, -np.inf, np.nan]
    est = observational_speedup(commits)["estimate"]  # was: numpy's LinAlgError (SVD did not converge)
    assert est is not None and np.isfinite([est["beta"], est["se"], *est["ci95"]]).all()
    beta, se = _statsmodels_estimate(commits)
    assert (est["beta"], est["se"]) == pytest.approx((beta, se), rel=1e-9)


def test_identified_flags_a_column_that_repeats_another():
    from assess.speedup.ols import ols_fit_identified

    rng = np.random.default_rng(11)
    x = _design(rng, 50, 3)
    x = np.column_stack([x, x[:, 2] * -3.0])
    _, _, identified = ols_fit_identified(x, rng.normal(size=50))
    assert identified.tolist() == [True, True, False, False]
