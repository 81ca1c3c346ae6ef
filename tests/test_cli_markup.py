"""Terminal output treats user data as text: brackets in names and paths are never rich markup."""

from __future__ import annotations

import numpy as np
import pandas as pd
from click.testing import CliRunner

from assess.cli import main


def test_brackets_in_paths_and_names_do_not_break_the_summary(make_repo):
    r = make_repo("weird[bold]name")
    r.commit("start\n", {"[/bold]odd.md": "x\n", "CLAUDE.md": "x\n"}, author=("[red]Eve[/red]", "eve@x.example"))
    r.commit("more\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n", {"src/[x].py": "1\n"})
    res = CliRunner().invoke(main, ["repo", str(r.path), "--no-cache"])
    assert res.exit_code == 0, res.output
    assert "weird[bold]name" in res.output


def test_brackets_in_study_developer_names_print_as_text(capsys):
    from assess.cli.study import _print_analysis
    from assess.speedup import analyze_frame

    rng = np.random.default_rng(0)
    rows = []
    for dev in ("[/alice]", "[bold]bob"):
        for i in range(8):
            ai = i % 2
            f = float(rng.integers(30, 240))
            rows.append({"developer": dev, "task_id": f"{dev}-{i}", "ai_allowed": ai, "forecast_no_ai": f,
                         "forecast_ai": f * 0.8, "actual_minutes": f * rng.uniform(0.6, 1.5), "followed": True})
    _print_analysis(analyze_frame(pd.DataFrame(rows), bootstrap_reps=50))
    out = capsys.readouterr().out
    assert "[/alice]" in out and "[bold]bob" in out
