"""The observational estimate reaches the report labelled as such and apart from the study."""

from __future__ import annotations

import json

from test_observational import TRAILER

from assess.report import build_report, validate_report, write_report
from assess.synthetic import SynthCommit, write_history


def test_observational_estimate_is_labelled_and_set_apart(tmp_path):
    commits = []
    t = 1_700_000_000
    for i in range(80):
        t += (1200 if i % 2 == 0 else 2400)
        commits.append(SynthCommit((f"P{i % 3}", f"p{i % 3}@x.example"), t, f"c{i}\n" + (TRAILER if i % 2 == 0 else ""),
                                   {f"src/f{i}.py": "x = 1\n" * (5 + i % 7)}))
    write_history(tmp_path / "r", commits)
    report = build_report([tmp_path / "r"], use_cache=False)
    validate_report(report)
    obs = report["observational"]
    assert obs and obs[0]["kind"] == "observational" and obs[0]["estimate"] is not None
    files = write_report(report, tmp_path / "out" / "report.html")
    html = files.html.read_text()
    study_at = html.index('id="study-h"')
    obs_at = html.index("Observational estimate from history — not randomised")
    next_at = html.index('id="next-h"')
    assert study_at < obs_at < next_at
    assert json.loads(files.json.read_text())["observational"][0]["label"].startswith("Observational")
