"""Stamps on every output, and `assess diff` telling a rubric change from an evidence change."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from prfixture import CLAUDE_TRAILER, build_pr

from assess.cli import main
from assess.diff import diff_results
from assess.resources import package_file
from assess.stamp import build_stamp, file_identity, stamp_line

STAMP_SCHEMA = json.loads(package_file("schemas", "stamp.schema.json").read_text())


def _repo_json(path: Path, out: Path, *extra: str) -> dict:
    res = CliRunner().invoke(main, ["repo", str(path), "--json", str(out), "-q", *extra])
    assert res.exit_code == 0, res.output
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return build_pr(tmp_path_factory.mktemp("stamp") / "repo")


def test_stamp_names_versions_hashes_and_inputs(repo, tmp_path):
    doc = _repo_json(repo.repo.path, tmp_path / "e.json")
    stamp = doc["stamp"]
    jsonschema.validate(stamp, STAMP_SCHEMA)
    assert stamp["rubric"]["version"] == "1.0" and len(stamp["rubric"]["sha256"]) == 64
    assert stamp["rubric"] == file_identity(package_file("levels", "rubric.yaml"))
    assert stamp["questionnaire"]["version"] == "1.0"
    assert stamp["catalogue"]["sha256"] and stamp["catalogue"]["version"]
    assert stamp["inputs"]["repositories"] == [{"name": doc["repository"]["name"], "head": doc["repository"]["head"]}]
    assert stamp["inputs"]["window"]["days"] == 90
    assert "price_table" not in stamp  # no costs in this output
    # a user's signature file changes the catalogue's hash
    sig = tmp_path / "sig.yaml"
    sig.write_text("schema: assess-signatures/1\nentries: []\n")
    assert build_stamp(catalogue=[package_file("catalogue", "agents.yaml"), sig])["catalogue"] != stamp["catalogue"]
    line = stamp_line(stamp)
    assert line.startswith("Stamp: assess ") and stamp["rubric"]["sha256"][:12] in line


def test_every_json_output_and_the_report_pages_carry_the_stamp(tmp_path):
    res = CliRunner().invoke(main, ["demo", "-o", str(tmp_path / "demo"), "-q"])
    assert res.exit_code == 0, res.output
    report = json.loads((tmp_path / "demo" / "report.json").read_text())
    jsonschema.validate(report["stamp"], STAMP_SCHEMA)
    assert report["stamp"]["inputs"]["repositories"][0]["head"] == report["repositories"][0]["head"]
    assert report["survey"]["stamp"]["questionnaire"] == report["stamp"]["questionnaire"]
    assert report["study"]["stamp"]["assess_version"] == report["stamp"]["assess_version"]
    line = stamp_line(report["stamp"])
    assert line in (tmp_path / "demo" / "report.md").read_text()
    html = (tmp_path / "demo" / "report.html").read_text()
    assert "Stamp: assess" in html and report["stamp"]["rubric"]["sha256"][:12] in html


def _rubric_with(tmp_path: Path, old: str, new: str) -> Path:
    text = package_file("levels", "rubric.yaml").read_text()
    assert old in text
    p = tmp_path / "rubric.yaml"
    p.write_text(text.replace(old, new))
    return p


def test_diff_on_a_rubric_change_blames_the_rubric_not_the_evidence(repo, tmp_path):
    old = _repo_json(repo.repo.path, tmp_path / "old.json", "--rev", "main")
    # the history's agent share (~20% of code commits) is Level 2 under the bundled 10% threshold,
    # and only Level 1 when the threshold is 50%
    rubric = _rubric_with(tmp_path, "level2_share: 0.10 ", "level2_share: 0.50 ")
    new = _repo_json(repo.repo.path, tmp_path / "new.json", "--rev", "main", "--rubric", str(rubric))
    assert old["level"]["overall"] != new["level"]["overall"]
    result = diff_results(old, new)
    kinds = [c["kind"] for c in result["causes"]]
    assert kinds == ["rubric"], result["causes"]
    assert "because the rubric changed; the evidence is the same" in result["verdict"]
    assert any(m["what"] == "overall" for m in result["moved"])
    assert any(m["what"] == "dimension.authorship" for m in result["moved"])
    # the CLI prints the same and writes it as JSON
    out = CliRunner().invoke(main, ["diff", str(tmp_path / "old.json"), str(tmp_path / "new.json"),
                                    "--json", str(tmp_path / "d.json")])
    assert out.exit_code == 0, out.output
    assert "rubric changed" in out.output and "overall: Level 2" in out.output
    assert json.loads((tmp_path / "d.json").read_text())["causes"][0]["kind"] == "rubric"


def test_diff_on_an_evidence_change_blames_the_evidence(tmp_path):
    pr = build_pr(tmp_path / "repo")
    old = _repo_json(pr.repo.path, tmp_path / "old.json", "--rev", "main")
    pr.repo.checkout("main")
    for i in range(12):  # a month of agent work lands on main
        pr.repo.commit(f"feat: agent work {i}{CLAUDE_TRAILER}", {f"src/new{i}.py": f"x = {i}\n" * 30},
                       date=f"2026-03-{i + 1:02d}T10:00:00+00:00")
    new = _repo_json(pr.repo.path, tmp_path / "new.json", "--rev", "main")
    result = diff_results(old, new)
    kinds = [c["kind"] for c in result["causes"]]
    assert kinds == ["evidence"], result["causes"]
    detail = result["causes"][0]["detail"]
    assert "repository heads" in detail and old["repository"]["head"][:10] in detail and "signals differ" in detail
    assert any(m["what"] == "share.ai_share_commits" for m in result["moved"])
    assert "because the evidence changed; the rubric and catalogue are the same" in result["verdict"]


def test_diff_same_inputs_nothing_moved_and_unstamped_files_say_so(repo, tmp_path):
    a = _repo_json(repo.repo.path, tmp_path / "a.json", "--rev", "main")
    b = _repo_json(repo.repo.path, tmp_path / "b.json", "--rev", "main")
    assert diff_results(a, b)["verdict"] == "Nothing moved."
    old = dict(a)
    old.pop("stamp")
    rubric = _rubric_with(tmp_path, "level2_share: 0.10 ", "level2_share: 0.50 ")
    c = _repo_json(repo.repo.path, tmp_path / "c.json", "--rev", "main", "--rubric", str(rubric))
    result = diff_results(old, c)
    assert result["causes"][0]["kind"] == "unstamped" and "cannot be told" in result["verdict"]


def test_diff_rejects_what_is_not_an_assess_result(tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"a": 1}')
    res = CliRunner().invoke(main, ["diff", str(bad), str(bad)])
    assert res.exit_code == 2 and "not an assess result" in res.output
    broken = tmp_path / "y.json"
    broken.write_text('{\n  "a": \n')
    res = CliRunner().invoke(main, ["diff", str(broken), str(bad)])
    assert res.exit_code == 2 and f"{broken}:3" in res.output


@pytest.mark.parametrize("name", ["evidence", "survey", "study", "report", "ci", "sessions", "forge-summary", "org"])
def test_every_schema_carries_the_same_stamp_definition(name):
    """Each output schema is self-contained (validates without a registry); its copy of the stamp
    definition must equal stamp.schema.json."""
    schema = json.loads(package_file("schemas", f"{name}.schema.json").read_text())
    copy = json.loads(json.dumps(schema["$defs"]["stamp"]).replace("#/$defs/stamp_identity", "#/$defs/identity"))
    expected = {k: v for k, v in STAMP_SCHEMA.items() if k not in ("$schema", "$id", "$defs")}
    assert copy == expected
    assert schema["$defs"]["stamp_identity"] == STAMP_SCHEMA["$defs"]["identity"]
    assert schema["properties"]["stamp"]["$ref"] == "#/$defs/stamp"


def test_diff_reads_ci_results_and_reports(repo, tmp_path):
    from assess.ci import run_ci

    old = run_ci(repo.repo.path, base="main", head=repo.human_commits[0], env={}).document
    new = run_ci(repo.repo.path, base="main", head="feature", env={}).document
    result = diff_results(old, new)
    assert result["old"]["kind"] == "ci" and [c["kind"] for c in result["causes"]] == ["evidence"]
    assert any(m["what"] == "share.ai_share_code_lines" for m in result["moved"])
    res = CliRunner().invoke(main, ["report", "--repo", str(repo.repo.path), "-o", str(tmp_path / "a.html"), "-q"])
    assert res.exit_code == 0, res.output
    rubric = _rubric_with(tmp_path, "level2_share: 0.10 ", "level2_share: 0.50 ")
    res = CliRunner().invoke(main, ["report", "--repo", str(repo.repo.path), "-o", str(tmp_path / "b.html"), "-q",
                                    "--rubric", str(rubric)])
    assert res.exit_code == 0, res.output
    result = diff_results(json.loads((tmp_path / "a.json").read_text()), json.loads((tmp_path / "b.json").read_text()))
    assert result["new"]["kind"] == "report" and [c["kind"] for c in result["causes"]] == ["rubric"]
    assert any(m["what"] == "overall" for m in result["moved"])
