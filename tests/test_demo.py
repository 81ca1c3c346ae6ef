"""`assess demo`: one command builds the example inputs and the full report, offline; re-running
replaces an earlier demo but never clears a folder it did not write."""

from __future__ import annotations

import json

from click.testing import CliRunner

from assess.cli import main
from assess.report import validate_report


def test_demo_builds_the_full_report_and_can_run_again(tmp_path):
    out = tmp_path / "demo"
    runner = CliRunner()
    result = runner.invoke(main, ["demo", "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Report: {out / 'report.html'}"
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    validate_report(data)
    assert data["missing"] == []  # every input is present
    assert data["inputs"]["survey_respondents"] == 12 and data["study"]["n_tasks"] > 50
    assert data["headline"]["evidenced_level"] is not None and data["headline"]["claimed_level"] is not None
    assert all(data["gaps"][k] is not None for k in ("level", "ai_share", "speedup"))
    assert len(data["agents"]) >= 2 and data["timeline"]["months"]
    assert (out / "acme" / ".git").is_dir() and len(list((out / "survey").glob("*.json"))) == 12
    # every source used is named, and the generated sessions join the generated repository
    assert {k for k, v in data["headline"]["sources"].items() if v} == {"git", "survey", "study", "sessions", "forge"}
    assert data["inputs"]["sessions"] and data["inputs"]["forge"]
    [j] = data["sessions"]["joins"]
    assert j["repository"] == "acme" and j["commits_with_session"] >= 10 and j["commits_by_method"]["printed_sha"] >= 10
    assert "agent session logs" in (out / "report.html").read_text(encoding="utf-8")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count('class="plot"') == 7
    again = runner.invoke(main, ["demo", "-o", str(out), "-q"])
    assert again.exit_code == 0, again.output


def test_demo_refuses_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "keep.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["demo", "-o", str(tmp_path)])
    assert result.exit_code == 2 and "holds no earlier demo" in result.output
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "mine"
