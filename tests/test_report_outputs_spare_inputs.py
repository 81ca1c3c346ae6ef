"""`assess report -o X.html` writes X.json and X.md beside it: the natural follow-up to `assess repo
--json evidence.json` — `assess report --repo evidence.json -o evidence.html` — replaced the saved
evidence with the report's own JSON, so the next run failed on it. Outputs never replace inputs."""

from __future__ import annotations

import json

from click.testing import CliRunner
from levelshapes import SHAPES

from assess.cli import main
from assess.synthetic import write_history


def test_report_refuses_to_overwrite_the_evidence_it_reads(tmp_path):
    write_history(tmp_path / "repo", SHAPES["pairing"][0]())
    evidence = tmp_path / "evidence.json"
    result = CliRunner().invoke(main, ["repo", str(tmp_path / "repo"), "--no-cache", "--json", str(evidence)])
    assert result.exit_code == 0, result.output
    saved = evidence.read_bytes()

    result = CliRunner().invoke(main, ["report", "--repo", str(evidence), "-o", str(tmp_path / "evidence.html")])
    assert result.exit_code == 2, result.output
    line = result.output.strip()
    assert "\n" not in line and "Traceback" not in line
    assert "evidence.json" in line and "would overwrite this input (--repo)" in line
    assert evidence.read_bytes() == saved
    assert not (tmp_path / "evidence.html").exists() and not (tmp_path / "evidence.md").exists()

    # the same folder under another name is fine, and the evidence is still what was saved
    result = CliRunner().invoke(main, ["report", "--repo", str(evidence), "-o", str(tmp_path / "report.html")])
    assert result.exit_code == 0, result.output
    assert evidence.read_bytes() == saved
    assert json.loads((tmp_path / "report.json").read_text())["evidence"][0]["repository"]["head"]


def test_report_refuses_to_overwrite_a_saved_study_or_rubric(tmp_path):
    rubric = tmp_path / "r.md"  # a rubric named like the Markdown output
    rubric.write_text("x")
    result = CliRunner().invoke(main, ["report", "--rubric", str(rubric), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2 and "would overwrite this input (--rubric)" in result.output
    assert rubric.read_text() == "x"
