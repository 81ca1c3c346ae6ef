"""Fixes from a QA pass over the report, survey and CLI paths: deep JSON refused as input, no
absolute paths in the report without --show-identities, formula-safe CSV, honest wording."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from levelshapes import SHAPES

from assess.cli import main
from assess.synthetic import write_history


def _cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args))
    return res.exit_code, res.output


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """The Level 3 shape in a folder whose parent names a client (what must not leak)."""
    path = tmp_path_factory.mktemp("pipe") / "client-secret-corp" / "shop"
    path.parent.mkdir(parents=True)
    write_history(path, SHAPES["agents-merged-by-humans"][0]())
    return path


@pytest.fixture
def deep(tmp_path) -> Path:
    p = tmp_path / "deep.json"
    p.write_text("[" * 100_000 + "]" * 100_000)
    return p


@pytest.mark.parametrize("args", [("report", "--survey"), ("report", "--repo"), ("report", "--study"),
                                  ("survey", "score")])
def test_deeply_nested_json_is_a_one_line_input_error(deep, tmp_path, args):
    out = tmp_path / "r.html"
    extra = ["-o", str(out)] if args[0] == "report" else []
    code, output = _cli(*args, str(deep), *extra)
    assert code == 2, output
    assert "internal error" not in output and "RecursionError" not in output and "Traceback" not in output
    assert f"assess: error: {deep}" in output or f"{deep}:" in output
    assert "nested more than" in output
    assert not out.exists() and not out.with_suffix(".json").exists()


def test_report_json_and_html_hold_no_absolute_paths(repo, tmp_path):
    out = tmp_path / "r.html"
    code, output = _cli("report", "--repo", str(repo), "--no-cache", "-q", "-o", str(out))
    assert code == 0, output
    data = json.loads(out.with_suffix(".json").read_text())
    assert data["repositories"][0]["path"] == "shop"
    assert data["evidence"][0]["repository"]["path"] == "shop"
    assert data["methods"]["rubric"]["file"] == "bundled rubric.yaml"
    assert all(f.startswith("bundled ") for f in data["evidence"][0]["attribution"]["catalogue"]["files"])
    for text in (out.read_text(), out.with_suffix(".json").read_text(), out.with_suffix(".md").read_text()):
        assert "client-secret-corp" not in text
        assert str(Path(__file__).resolve().parents[1]) not in text  # the install path of rubric.yaml


def test_own_rubric_is_named_by_file_name_and_identities_show_full_paths(repo, tmp_path):
    from assess.resources import package_file

    own = tmp_path / "client-secret-corp" / "our-rubric.yaml"
    own.parent.mkdir()
    own.write_text(package_file("levels", "rubric.yaml").read_text(encoding="utf-8"))
    out = tmp_path / "r.html"
    code, output = _cli("report", "--repo", str(repo), "--rubric", str(own), "--no-cache", "-q", "-o", str(out))
    assert code == 0, output
    data = json.loads(out.with_suffix(".json").read_text())
    assert data["methods"]["rubric"]["file"] == "our-rubric.yaml"
    assert "client-secret-corp" not in out.read_text()
    code, output = _cli("report", "--repo", str(repo), "--show-identities", "--no-cache", "-q", "-o", str(out))
    assert code == 0, output
    data = json.loads(out.with_suffix(".json").read_text())
    assert data["repositories"][0]["path"] == str(repo)


@pytest.fixture(scope="module")
def human_only(tmp_path_factory):
    """Git places this team somewhere in Levels 0-2 with no single level (no agent-written code)."""
    path = tmp_path_factory.mktemp("human") / "flaskish"
    write_history(path, SHAPES["human-only"][0]())
    return path


def _survey(directory: Path, n: int, profile: str = "level3") -> Path:
    from assess.survey import simulate_responses

    simulate_responses(directory, n=n, seed=0, profile=profile)
    return directory


def test_survey_only_report_says_what_the_claim_is_and_that_nothing_compares(tmp_path):
    answers = _survey(tmp_path / "answers", 3)
    out = tmp_path / "s3r.html"
    code, output = _cli("report", "--survey", str(answers), "-q", "-o", str(out))
    assert code == 0, output
    data = json.loads(out.with_suffix(".json").read_text())
    level = data["gaps"]["level"]
    assert data["survey"]["claimed_level"]["median"] is None  # withheld below the floor of 5
    assert level["claimed_measure"] == "mean" and level["gap"] is None
    md, html = out.with_suffix(".md").read_text(), out.read_text()
    assert "(questionnaire mean)" in md and "questionnaire mean" in html and "questionnaire median" not in html
    assert "no evidence to compare with" in md and "+0" not in md
    assert "no evidence to compare with" in html and "within the evidenced range" not in html
    assert "git alone" not in md and "No repository was given, so no evidence places the team" in md
    assert "is at not enough evidence" not in md and "has not enough evidence" in md
    assert "To evidence Level 1 (needs a repository)" in md and "Next level (1)" not in md
    assert "(and the data in s3r.json)" in md.replace("\\_", "_") and "report.json" not in md
    assert "| Measure | Believed | Evidence | Gap |" in md


def test_one_respondent_claim_is_withheld_below_the_floor_not_missing(tmp_path):
    answers = _survey(tmp_path / "one", 1)
    out = tmp_path / "r.html"
    code, output = _cli("report", "--survey", str(answers), "-q", "-o", str(out))
    assert code == 0, output
    md = out.with_suffix(".md").read_text()
    assert "withheld: fewer respondents than the anonymity floor" in md and "no questionnaire" not in md
    assert "withheld: fewer respondents than the anonymity floor" in out.read_text()


def test_a_claim_outside_gits_range_is_a_contradiction_not_a_narrowing(human_only, tmp_path):
    answers = _survey(tmp_path / "answers", 12, profile="level5")
    out = tmp_path / "r.html"
    code, output = _cli("report", "--repo", str(human_only), "--survey", str(answers), "--no-cache", "-q",
                        "-o", str(out))
    assert code == 0, output
    data = json.loads(out.with_suffix(".json").read_text())
    overall, gap = data["team_level"]["overall"], data["gaps"]["level"]
    assert overall["level"] is None and gap["gap"] > 0
    assert "can narrow it" not in overall["summary"]
    assert "contradict the history" in overall["summary"]


def test_terminal_says_not_enough_evidence_instead_of_a_question_mark(human_only):
    code, output = _cli("repo", str(human_only), "--no-cache")
    assert code == 0, output
    assert "held back by" in output and "(at ?" not in output
    assert "authorship (at not enough evidence, needs 1)" in " ".join(output.split())


def test_since_after_until_is_a_one_line_error(human_only, tmp_path):
    for cmd in (["repo", str(human_only)], ["report", "--repo", str(human_only), "-o", str(tmp_path / "r.html")]):
        code, output = _cli(*cmd, "--since", "2026-05-01", "--until", "2026-01-01", "--no-cache", "-q")
        assert code == 2, output
        assert "--since 2026-05-01 is after --until 2026-01-01" in output and "Traceback" not in output
    assert not (tmp_path / "r.html").exists()


def test_level_changes_include_a_change_out_of_a_range():
    from assess.levels.combine import level_changes

    rows = [{"month": "2025-12", "level": None, "range": [0, 2]},
            {"month": "2026-01", "level": 1, "range": [1, 2]},
            {"month": "2026-02", "level": None, "range": [0, 5]},  # no evidence: skipped
            {"month": "2026-03", "level": 1, "range": [1, 1]},
            {"month": "2026-04", "level": 2, "range": [2, 3]}]
    changes = level_changes(rows)
    assert [(c["month"], c["from"], c["to"]) for c in changes] == [("2026-01", None, 1), ("2026-04", 1, 2)]
    assert changes[0]["from_range"] == [0, 2] and "Levels 0\u20132 \u2192 1" in changes[0]["text"]


def test_demo_timeline_lists_the_first_change_out_of_git_range(repo, tmp_path):
    from assess.report import build_report, validate_report

    report = build_report([repo], use_cache=False)
    validate_report(report)
    timeline = report["team_level"]["timeline"]
    placed = [r for r in timeline if r["level"] is not None or r["range"] != [0, 5]]
    expected = sum(1 for a, b in zip(placed, placed[1:])
                   if (a["level"] if a["level"] is not None else tuple(a["range"]))
                   != (b["level"] if b["level"] is not None else tuple(b["range"])))
    assert len(report["team_level"]["level_changes"]) == expected


def test_confidence_of_a_range_open_above_is_worded_as_about_the_lower_bound(repo):
    from assess.report import build_report, render_markdown

    report = build_report([repo], use_cache=False)
    dim = report["dimensions"][0]
    dim.update(level=2, range=[2, 5], confidence="high")
    md = render_markdown(report)
    assert f"| {dim['name']} | " in md and "high that it is at least 2; 3-5 unseen" in md


def test_repo_json_holds_no_absolute_paths_and_still_feeds_the_report(repo, tmp_path):
    saved = tmp_path / "ev.json"
    code, output = _cli("repo", str(repo), "--json", str(saved), "--no-cache", "-q")
    assert code == 0, output
    text = saved.read_text()
    assert "client-secret-corp" not in text and str(Path(__file__).resolve().parents[1]) not in text
    assert json.loads(text)["repository"]["path"] == "shop"
    code, output = _cli("report", "--repo", str(saved), "-q", "-o", str(tmp_path / "r.html"))
    assert code == 0, output
