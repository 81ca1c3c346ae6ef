"""Simulated studies with a known true effect, for the demo, the tests, planning and benchmarks.

Model (defaults fitted to METR's released data: residual SD of log time 0.64 given the forecast,
of which about 0.24 is between developers; forecasts spread with SD 0.7 in logs around 90 minutes):

    difficulty      D ~ Normal(log 90, 0.7)                      per task
    forecast        log F_noAI = D + Normal(0, forecast_error_sd), rounded to 5 minutes
                    log F_AI   = log F_noAI + developer optimism + Normal(0, 0.15)
    actual          log T = D + u_dev + b * used_AI + Normal(0, sigma),  u_dev ~ Normal(0, developer_sd)
    true speedup    exp(b) - 1

Assignment is balanced within each developer; a share ``noncompliance`` of AI-disallowed tasks use AI
anyway (analysed intention to treat, so they dilute the estimate towards zero).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from assess.fileio import write_text
from assess.speedup.folder import PARTICIPANT_COLUMNS, RESULT_COLUMNS, TASK_COLUMNS, StudyFolder
from assess.speedup.registration import register_study
from assess.speedup.results import write_rows
from assess.speedup.scales import SCALE_NOTE
from assess.yamlfile import load_yaml

DEFAULTS = {"median_minutes": 90.0, "difficulty_sd": 0.7, "forecast_error_sd": 0.3, "sigma": 0.59,
            "developer_sd": 0.24}
_KINDS = ["Fix", "Add", "Refactor", "Document", "Speed up", "Test", "Migrate", "Investigate"]
_THINGS = ["the config loader", "pagination in the API", "the CSV exporter", "flaky retry logic",
           "the login form", "error messages", "the build script", "caching of results", "the search index",
           "date parsing", "the plugin registry", "memory use in the parser"]


def balanced_arms(rng: np.random.Generator, per_developer: int, n_developers: int) -> np.ndarray:
    """0/1 assignment, half of each developer's tasks AI-allowed (odd task out by coin flip)."""
    arms = []
    for _ in range(n_developers):
        a = np.zeros(per_developer, dtype=int)
        a[: per_developer // 2] = 1
        if per_developer % 2:
            a[-1] = int(rng.random() < 0.5)
        arms.append(rng.permutation(a))
    return np.concatenate(arms)


def simulate_arrays(rng: np.random.Generator, *, n_developers: int, tasks_per_developer: int,
                    true_speedup: float, sigma: float = DEFAULTS["sigma"],
                    developer_sd: float = DEFAULTS["developer_sd"], effect_sd: float = 0.0,
                    noncompliance: float = 0.0, median_minutes: float = DEFAULTS["median_minutes"],
                    difficulty_sd: float = DEFAULTS["difficulty_sd"],
                    forecast_error_sd: float = DEFAULTS["forecast_error_sd"]) -> dict[str, np.ndarray]:
    """One simulated study as arrays: developer, ai_allowed (assigned), used_ai, forecasts, actual."""
    n = n_developers * tasks_per_developer
    dev = np.repeat(np.arange(n_developers), tasks_per_developer)
    beta = math.log1p(true_speedup)
    dev_effect = rng.normal(0.0, developer_sd, n_developers)[dev]
    dev_beta = beta + rng.normal(0.0, effect_sd, n_developers)[dev] if effect_sd > 0 else np.full(n, beta)
    optimism = rng.normal(math.log(0.78), 0.1, n_developers)[dev]
    difficulty = rng.normal(math.log(median_minutes), difficulty_sd, n)
    f_no = np.maximum(5.0, np.round(np.exp(difficulty + rng.normal(0, forecast_error_sd, n)) / 5) * 5)
    f_ai = np.maximum(5.0, np.round(f_no * np.exp(optimism + rng.normal(0, 0.15, n)) / 5) * 5)
    ai = balanced_arms(rng, tasks_per_developer, n_developers)
    used = ai.copy()
    if noncompliance > 0:
        used = np.where((ai == 0) & (rng.random(n) < noncompliance), 1, ai)
    actual = np.exp(difficulty + dev_effect + dev_beta * used + rng.normal(0, sigma, n))
    actual = np.maximum(1.0, np.round(actual))
    return {"developer": dev, "ai_allowed": ai, "used_ai": used, "forecast_no_ai": f_no,
            "forecast_ai": f_ai, "actual_minutes": actual}


def simulate_frame(seed: int = 0, **kwargs: float) -> pd.DataFrame:
    """A simulated study as an analysis frame (see :mod:`assess.speedup.estimators`)."""
    rng = np.random.default_rng(seed)
    kwargs.setdefault("n_developers", 16)
    kwargs.setdefault("tasks_per_developer", 15)
    kwargs.setdefault("true_speedup", 0.0)
    arrays = simulate_arrays(rng, **kwargs)  # type: ignore[arg-type]
    frame = pd.DataFrame(arrays)
    frame["developer"] = [f"dev{d + 1:02d}" for d in frame["developer"]]
    frame["task_id"] = [f"T{i + 1:03d}" for i in range(len(frame))]
    frame["followed"] = (frame["ai_allowed"] == frame["used_ai"]).astype(object)
    return frame


def _speedup_text(value: float) -> str:
    return f"{round(value * 20) * 5:+.0f}%"  # people answer in steps of 5%


def simulate_study(directory: str | Path, *, seed: int = 7, n_developers: int = 8,
                   tasks_per_developer: int = 12, true_speedup: float = 0.15, sigma: float = DEFAULTS["sigma"],
                   developer_sd: float = DEFAULTS["developer_sd"], noncompliance: float = 0.03,
                   expected_speedup: float = -0.24, post_study_speedup: float = -0.20,
                   not_completed: int = 1, registered_at: str = "2025-03-03T09:00:00+00:00") -> Path:
    """Write a realistic example study folder: tasks, participants with their expectations, a real
    registration (so integrity checks pass), and results with post-task estimates.

    The arms come from the registration's randomisation; the true speedup is ``true_speedup`` (time
    with AI / time without - 1). Developers expect ``expected_speedup`` beforehand and believe
    ``post_study_speedup`` afterwards (both with spread). ``not_completed`` tasks are left without a
    result. Refuses to write into an existing study folder. Returns the folder.
    """
    from assess.speedup.create import init_study

    rng = np.random.default_rng(seed)
    folder = StudyFolder(directory)
    init_study(folder.directory, name=f"Simulated study (true speedup {true_speedup:+.0%}, seed {seed})")
    study = load_yaml(folder.study_path).data
    study["simulated"] = {"seed": seed, "true_speedup": true_speedup, "sigma": sigma,
                          "developer_sd": developer_sd, "noncompliance": noncompliance,
                          "n_developers": n_developers, "tasks_per_developer": tasks_per_developer}
    study["speedup_scale"] = SCALE_NOTE
    write_text(folder.study_path, yaml.safe_dump(study, sort_keys=False, allow_unicode=True))
    devs = [f"dev{d + 1:02d}" for d in range(n_developers)]
    expected = {d: max(-0.9, expected_speedup + rng.normal(0, 0.1)) for d in devs}
    believed = {d: max(-0.9, post_study_speedup + rng.normal(0, 0.1)) for d in devs}
    write_rows(folder.participants_path, PARTICIPANT_COLUMNS,
                [{"developer": d, "expected_speedup": _speedup_text(expected[d])} for d in devs])
    arrays = simulate_arrays(rng, n_developers=n_developers, tasks_per_developer=tasks_per_developer,
                             true_speedup=0.0, sigma=sigma, developer_sd=developer_sd)
    rows = []
    for i in range(len(arrays["developer"])):
        rows.append({"task_id": f"T{i + 1:03d}", "developer": devs[int(arrays["developer"][i])],
                     "description": f"{_KINDS[rng.integers(len(_KINDS))]} {_THINGS[rng.integers(len(_THINGS))]}",
                     "forecast_minutes_ai": f"{arrays['forecast_ai'][i]:g}",
                     "forecast_minutes_no_ai": f"{arrays['forecast_no_ai'][i]:g}"})
    write_rows(folder.tasks_path, TASK_COLUMNS, rows)
    outcome = register_study(folder.directory, seed=seed, registered_at=registered_at)
    arm = {t.task_id: t.ai_allowed for t in outcome.block.tasks}
    beta = math.log1p(true_speedup)
    skip = set(rng.choice(len(rows), size=min(not_completed, len(rows)), replace=False).tolist()) \
        if not_completed else set()
    results = []
    for i, row in enumerate(rows):
        allowed = arm[row["task_id"]]
        entry = {"registration_id": outcome.registration.registration_id, "task_id": row["task_id"],
                 "developer": row["developer"], "ai_allowed": "yes" if allowed else "no"}
        results.append(entry)
        if i in skip:
            continue
        # times were drawn with no effect; apply the effect where AI was used
        used = allowed or bool(rng.random() < noncompliance)
        entry["actual_minutes"] = f"{max(1.0, round(float(arrays['actual_minutes'][i]) * math.exp(beta * used))):g}"
        entry["followed_assignment"] = "yes" if used == allowed else "no"
        if allowed:
            entry["post_task_speedup"] = _speedup_text(max(-0.9, believed[row["developer"]] + rng.normal(0, 0.15)))
    write_rows(folder.results_path, RESULT_COLUMNS, results)
    write_rows(folder.participants_path, PARTICIPANT_COLUMNS,
                [{"developer": d, "expected_speedup": _speedup_text(expected[d]),
                  "post_study_speedup": _speedup_text(believed[d])} for d in devs])
    for stale in folder.directory.glob("*.bak"):
        stale.unlink()  # a fresh simulated folder has no history to keep
    return folder.directory
