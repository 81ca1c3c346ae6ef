"""The observational companion recovers a built-in difference and refuses thin data."""

from __future__ import annotations

import random

from assess.mining import build_evidence, mine_repository
from assess.pipeline import observational_step
from assess.synthetic import SynthCommit, write_history

TRAILER = "\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"


def test_recovers_faster_ai_changes_and_labels_itself(tmp_path):
    rng = random.Random(1)
    commits = []
    for person in range(4):
        t = 1_700_000_000 + person * 7
        for i in range(60):
            ai = i % 2 == 0
            t += int((20 if ai else 40) * 60 * rng.uniform(0.8, 1.25))  # AI changes take half the time
            msg = f"change {person}-{i}\n" + (TRAILER if ai else "")
            commits.append(SynthCommit((f"P{person}", f"p{person}@x.example"), t, msg,
                                       {f"src/f{person}_{i}.py": "x = 1\n" * rng.randint(5, 20)}))
    commits.sort(key=lambda c: c.time)
    write_history(tmp_path / "r", commits)
    obs = observational_step(mine_repository(tmp_path / "r", use_cache=False))
    assert obs["kind"] == "observational" and "not randomised" in obs["label"]
    est = obs["estimate"]
    # the AI change's minutes are measured since the previous (human) commit: about -50%
    assert -0.6 < est["speedup"] < -0.4 and est["ci95"][0] < est["speedup"] < est["ci95"][1]


def test_too_little_history_gives_a_reason_not_a_number(tmp_path):
    write_history(tmp_path / "r", [SynthCommit(("P", "p@x.example"), 1_700_000_000 + i * 600, f"c{i}\n",
                                               {f"f{i}.py": "x\n"}) for i in range(5)])
    obs = observational_step(mine_repository(tmp_path / "r", use_cache=False))
    assert obs["estimate"] is None and "too few" in obs["reason"]


def test_mining_no_longer_runs_the_estimator(tmp_path):
    """Observational speedup is its own pipeline step, not part of the mined evidence."""
    write_history(tmp_path / "r", [SynthCommit(("P", "p@x.example"), 1_700_000_000 + i * 600, f"c{i}\n",
                                               {f"f{i}.py": "x\n"}) for i in range(3)])
    assert "observational_speedup" not in build_evidence(mine_repository(tmp_path / "r", use_cache=False))
