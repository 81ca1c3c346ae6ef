"""The estimator on simulated studies with a known true effect: unbiased, and its intervals cover."""

from __future__ import annotations

import json
import math
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import statsmodels.api as sm

from assess.resources import package_file
from assess.speedup.analysis import analyze_frame, analyze_study
from assess.speedup.estimators import Z95, design
from assess.speedup.power import plan_study
from assess.speedup.simulate import simulate_arrays, simulate_frame, simulate_study

SCHEMA = json.loads(package_file("schemas", "study.schema.json").read_text(encoding="utf-8"))


def _repeat(true_speedup: float, reps: int, seed: int, **kwargs: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    beta, se, se_hc3 = [], [], []
    for _ in range(reps):
        a = simulate_arrays(rng, true_speedup=true_speedup, **kwargs)  # type: ignore[arg-type]
        y, X = design(pd.DataFrame(a))
        model = sm.OLS(y, X)
        res = model.fit()
        beta.append(res.params[1])
        se.append(res.bse[1])
        se_hc3.append(model.fit(cov_type="HC3").bse[1])
    return np.array(beta), np.array(se), np.array(se_hc3)


def test_estimate_unbiased_and_intervals_cover() -> None:
    true = 0.15
    b = math.log1p(true)
    beta, se, se_hc3 = _repeat(true, 1000, seed=20250710, n_developers=16, tasks_per_developer=10)
    # unbiased on the log scale (mean error well inside a tenth of one study's standard error)
    assert abs(beta.mean() - b) < 0.1 * se.mean()
    # ... and the median speedup is the true one (exp is monotone, so medians carry over)
    assert abs(np.median(np.expm1(beta)) - true) < 0.01
    coverage = np.mean(np.abs(beta - b) <= Z95 * se)
    coverage_hc3 = np.mean(np.abs(beta - b) <= Z95 * se_hc3)
    assert 0.93 <= coverage <= 0.97, coverage
    assert 0.93 <= coverage_hc3 <= 0.97, coverage_hc3


def test_faster_effect_and_no_effect_are_recovered() -> None:
    for true, seed in ((-0.3, 1), (0.0, 2)):
        beta, se, _ = _repeat(true, 300, seed=seed, n_developers=10, tasks_per_developer=12)
        assert abs(np.median(np.expm1(beta)) - true) < 0.02
        assert 0.9 <= np.mean(np.abs(beta - math.log1p(true)) <= Z95 * se) <= 0.99


def test_analyze_frame_on_a_large_simulation_is_close_to_truth() -> None:
    frame = simulate_frame(seed=3, n_developers=20, tasks_per_developer=40, true_speedup=-0.25)
    result = analyze_frame(frame, bootstrap_reps=200)
    jsonschema.validate(result, SCHEMA)
    est = result["estimate"]
    assert est["ci95"][0] < -0.25 < est["ci95"][1]
    assert est["ci95"][1] < 0  # clearly faster
    names = [a["name"] for a in result["alternatives"]]
    assert names[:3] == ["hc3", "cluster_developer", "cluster_bootstrap"]
    assert result["n_developers"] == 20
    assert not any("developer(s)" in w for w in result["warnings"])  # 20 clusters is enough
    assert "faster" in result["estimate"]["interpretation"]


def test_simulate_study_writes_a_registered_folder(tmp_path: Path) -> None:
    directory = simulate_study(tmp_path / "sim", seed=11, n_developers=6, tasks_per_developer=10,
                               true_speedup=0.2, noncompliance=0.1, not_completed=2)
    for name in ("study.yaml", "tasks.csv", "participants.csv", "registration.yaml", "results.csv", "README.md"):
        assert (directory / name).is_file(), name
    assert not list(directory.glob("*.bak"))
    result = analyze_study(directory, bootstrap_reps=200)
    jsonschema.validate(result, SCHEMA)
    integ = result["integrity"]
    assert integ["registration_hash_ok"] and integ["changed_tasks"] == []
    assert len(integ["not_completed"]["task_ids"]) == 2
    assert result["n_tasks"] == 58
    # balanced within developer at registration
    reg = integ["n_registered"]
    assert reg == 60
    # perceptions come out on the same scale, near what was built in
    assert abs(result["perceived"]["pre_study"]["speedup"] - (-0.24)) < 0.1
    assert abs(result["perceived"]["post_study"]["speedup"] - (-0.20)) < 0.1
    assert result["perceived"]["post_task"]["n_developers"] == 6
    assert result["gaps"]["post_study_pp"] == (result["perceived"]["post_study"]["speedup"]
                                               - result["estimate"]["speedup"]) * 100
    # the same seed gives the same study
    again = simulate_study(tmp_path / "sim2", seed=11, n_developers=6, tasks_per_developer=10,
                           true_speedup=0.2, noncompliance=0.1, not_completed=2)
    assert (again / "results.csv").read_text() == (directory / "results.csv").read_text()


def test_plan_finds_a_size_and_more_tasks_give_more_power() -> None:
    plan = plan_study(-0.3, n_developers=8, tasks_per_developer=[2, 6, 20], reps=120, seed=1)
    powers = [r["power"] for r in plan.rows]
    assert powers == sorted(powers)
    assert plan.required_tasks == 160  # 20 per developer reaches 80% power for a 30% speedup
    assert plan.rows[0]["power"] < 0.5
    small = plan_study(-0.05, n_developers=4, tasks_per_developer=[4], reps=100, seed=1)
    assert small.required_tasks is None
