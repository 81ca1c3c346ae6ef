"""Planning: how many tasks a study needs, by simulation (power = share of simulated studies whose
homoskedastic 95% interval excludes no effect)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assess.speedup.estimators import Z95, design, homoskedastic_effect
from assess.speedup.simulate import DEFAULTS, simulate_arrays


@dataclass
class PowerPlan:
    true_speedup: float
    n_developers: int
    target_power: float
    rows: list[dict[str, Any]] = field(default_factory=list)  # n_tasks, tasks_per_developer, power
    required_tasks: int | None = None
    assumptions: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"true_speedup": self.true_speedup, "n_developers": self.n_developers,
                "target_power": self.target_power, "required_tasks": self.required_tasks,
                "rows": self.rows, "assumptions": self.assumptions}


MIN_TASKS = 6  # fewer tasks than this leave too few degrees of freedom for the model


def simulated_power(true_speedup: float, *, n_developers: int, tasks_per_developer: int, reps: int = 400,
                    seed: int = 0, sigma: float = DEFAULTS["sigma"], developer_sd: float = DEFAULTS["developer_sd"]
                    ) -> float:
    """Share of ``reps`` simulated studies whose 95% interval excludes zero effect."""
    import warnings

    rng = np.random.default_rng(seed)
    with warnings.catch_warnings():  # rare degenerate draws; counted as misses, not printed
        warnings.simplefilter("ignore")
        return _power_loop(rng, reps, n_developers, tasks_per_developer, true_speedup, sigma, developer_sd)


def _power_loop(rng: np.random.Generator, reps: int, n_developers: int, tasks_per_developer: int,
                true_speedup: float, sigma: float, developer_sd: float) -> float:
    import pandas as pd

    hits = 0
    for _ in range(reps):
        a = simulate_arrays(rng, n_developers=n_developers, tasks_per_developer=tasks_per_developer,
                            true_speedup=true_speedup, sigma=sigma, developer_sd=developer_sd)
        y, X = design(pd.DataFrame({k: a[k] for k in ("developer", "ai_allowed", "actual_minutes",
                                                       "forecast_no_ai")}))
        beta, se = homoskedastic_effect(y, X)
        hits += abs(beta) > Z95 * se
    return hits / reps


def plan_study(true_speedup: float, *, n_developers: int = 8, sigma: float = DEFAULTS["sigma"],
               developer_sd: float = DEFAULTS["developer_sd"], target_power: float = 0.8,
               tasks_per_developer: list[int] | None = None, reps: int = 300, seed: int = 0) -> PowerPlan:
    """Power at a range of study sizes, and the smallest size reaching ``target_power``.

    ``true_speedup`` is the effect to detect (e.g. -0.2 = 20% faster); ``sigma`` the task-to-task noise
    in log time after the forecast, ``developer_sd`` the spread between developers (defaults from
    METR's data: 0.59 and 0.24).
    """
    if true_speedup <= -1:
        raise ValueError("true_speedup must be above -1")
    if abs(math.log1p(true_speedup)) < 1e-9:
        raise ValueError("a zero effect cannot be detected; give the smallest speedup worth detecting")
    sizes = tasks_per_developer or [2, 4, 6, 8, 10, 15, 20, 30, 40, 60, 80]
    plan = PowerPlan(true_speedup, n_developers, target_power,
                     assumptions={"sigma": sigma, "developer_sd": developer_sd, "reps": reps, "seed": seed,
                                  "alpha": 0.05, "test": "homoskedastic 95% interval excludes zero",
                                  "model": "see assess.speedup.simulate"})
    for k in sorted(set(sizes)):
        if k * n_developers < MIN_TASKS:
            continue  # the model (3 coefficients) cannot be estimated from so few tasks
        power = simulated_power(true_speedup, n_developers=n_developers, tasks_per_developer=k, reps=reps,
                                seed=seed + k, sigma=sigma, developer_sd=developer_sd)
        plan.rows.append({"n_tasks": k * n_developers, "tasks_per_developer": k, "power": power})
        if power >= target_power and plan.required_tasks is None:
            plan.required_tasks = k * n_developers
            break
    return plan
