"""One pipeline for every command: the drifts between `assess repo` and `assess report` are gone,
source options mean the same everywhere, and the anonymity floor holds for saved summaries."""

from __future__ import annotations

import json
import sys
import types

import pytest
from click.testing import CliRunner
from levelshapes import SHAPES

from assess.cli import main
from assess.errors import AssessError, InputError
from assess.fileio import write_json
from assess.findings import EvidenceItem, Finding
from assess.pipeline import SOURCES, Source, SourceOptions, run_assessment
from assess.report import build_report, validate_report
from assess.synthetic import write_history


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """The Level 3 shape: agents' branches merged by people (Jan-Feb 2026)."""
    path = tmp_path_factory.mktemp("pipe") / "shop"
    write_history(path, SHAPES["agents-merged-by-humans"][0]())
    return path


@pytest.fixture(scope="module")
def survey_dir(tmp_path_factory):
    from assess.survey import simulate_responses

    d = tmp_path_factory.mktemp("survey") / "answers"
    simulate_responses(d, n=12, seed=0)
    return d


def _cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args))
    return res.exit_code, res.output


def test_report_takes_since_until_and_signatures(repo, tmp_path):
    full = build_report([repo], use_cache=False)["evidence"][0]
    out = tmp_path / "r.html"
    code, output = _cli("report", "--repo", str(repo), "--since", "2026-01-10", "--until", "2026-01-20",
                        "--no-cache", "-q", "-o", str(out))
    assert code == 0, output
    ev = json.loads(out.with_suffix(".json").read_text())["evidence"][0]
    assert ev["mining"]["since"] == "2026-01-10" and ev["mining"]["until"] == "2026-01-20"
    assert 0 < ev["repository"]["commits"] < full["repository"]["commits"]
    # --signatures reaches the miner: a malformed catalogue fails the report, naming the file
    bad = tmp_path / "sig.yaml"
    bad.write_text("entries: [1, 2\n")
    code, output = _cli("report", "--repo", str(repo), "--signatures", str(bad), "--no-cache", "-o",
                        str(tmp_path / "x.html"))
    assert code != 0 and "sig.yaml" in output and "Traceback" not in output


def test_repo_and_report_place_the_same(repo, tmp_path):
    """Both commands are views of one pipeline: same evidence, same placement."""
    code, output = _cli("repo", str(repo), "--no-cache", "-q", "--json", str(tmp_path / "ev.json"))
    assert code == 0, output
    via_repo = json.loads((tmp_path / "ev.json").read_text())["level"]
    report = build_report([repo], use_cache=False)
    via_report = report["team_level"]
    for key in ("overall", "dimensions", "timeline"):
        assert via_repo[key] == via_report[key], key
    assert via_repo["gaps"] == report["gaps"] and via_repo["shares"] == report["ai_share_window"]


def test_repo_survey_honours_questionnaire_and_min_group(repo, survey_dir, tmp_path):
    out = tmp_path / "ev.json"
    code, output = _cli("repo", str(repo), "--survey", str(survey_dir), "-q", "--json", str(out))
    assert code == 0, output
    gap = json.loads(out.read_text())["level"]["gaps"]["level"]
    assert gap["claimed"] != gap["claimed_mean"]  # 12 respondents >= 5: the median is published
    code, output = _cli("repo", str(repo), "--survey", str(survey_dir), "--min-group", "50", "-q", "--json", str(out))
    assert code == 0, output
    gap = json.loads(out.read_text())["level"]["gaps"]["level"]
    assert gap["claimed"] == gap["claimed_mean"]  # below the floor only the mean is published
    # --questionnaire is read (it used to be ignored by `assess repo`)
    bad = tmp_path / "q.yaml"
    bad.write_text("id: [unclosed\n")
    code, output = _cli("repo", str(repo), "--survey", str(survey_dir), "--questionnaire", str(bad), "-q")
    assert code != 0 and "q.yaml" in output and "Traceback" not in output


def test_saved_survey_summary_is_held_to_min_group(survey_dir, tmp_path):
    """A summary scored with a low floor must not leak free text or per-respondent rows into a
    report run with a higher one (it used to: min_group was dropped for saved summaries)."""
    from assess.survey import load_questionnaire, load_responses, score_survey

    q = load_questionnaire()
    summary = score_survey(q, load_responses([survey_dir], q), min_group=5)
    assert summary["per_respondent"] and any(b["answers"] for b in summary["free_text"].values())
    saved = tmp_path / "summary.json"
    write_json(saved, summary)
    out = tmp_path / "r.html"
    code, output = _cli("report", "--survey", str(saved), "--min-group", "20", "-q", "-o", str(out))
    assert code == 0, output
    data = json.loads(out.with_suffix(".json").read_text())
    validate_report(data)
    s = data["survey"]
    assert s["anonymity"] == {**s["anonymity"], "min_group": 20, "aggregated_only": True}
    assert s["per_respondent"] is None and s["claimed_level"]["median"] is None
    assert all(b["answers"] is None and b["withheld"] for b in s["free_text"].values())
    assert data["next_level"]["team_says"] == []
    text = out.with_suffix(".json").read_text() + out.read_text()
    for block in summary["free_text"].values():
        for answer in block["answers"] or []:
            assert answer not in text
    # the same summary with a floor it meets keeps what it had
    kept = build_report(survey=[saved], min_group=5)["survey"]
    assert kept["per_respondent"] == summary["per_respondent"]


def test_saved_evidence_refuses_options_it_was_not_mined_with(repo, tmp_path):
    saved = tmp_path / "ev.json"
    code, output = _cli("repo", str(repo), "--no-cache", "-q", "--json", str(saved))
    assert code == 0, output
    with pytest.raises(InputError, match="mined with --since"):
        run_assessment(SourceOptions(repos=(str(saved),), since="2026-01-10"))
    a = run_assessment(SourceOptions(repos=(str(saved),)))
    assert a.minings == [None] and a.evidences[0]["observational_speedup"]["kind"] == "observational"


def test_nothing_given_is_an_error():
    with pytest.raises(AssessError, match="nothing to report on"):
        run_assessment(SourceOptions())


def test_unregistered_source_with_inputs_is_an_error(repo, monkeypatch):
    # a slot with inputs but no source module behind it must fail loudly, never be ignored
    monkeypatch.delitem(SOURCES, "forge")
    with pytest.raises(AssessError, match="no forge source is registered"):
        run_assessment(SourceOptions(repos=(str(repo),), forge=("export/",)))


def test_a_registered_source_plugs_in_with_one_line(repo, monkeypatch):
    """A source is a module with collect() and findings(); its findings reach the placement."""
    mod = types.ModuleType("fake_sessions_source")
    seen = {}

    def collect(inputs, options):
        seen["inputs"] = inputs
        return {"sessions": 40}

    def findings(evidence, rubric):
        seen["rubric"] = rubric["autonomy"]
        return [Finding("autonomy", "sessions", 4, 4, 5, "high", "Agents ran unattended for hours.",
                        events=evidence["sessions"],
                        evidence=(EvidenceItem("sessions.unattended_hours", 6.5, "median unattended run 6.5 h",
                                               refs={"sessions": ["s1", "s2"]}),))]

    mod.collect, mod.findings = collect, findings
    monkeypatch.setitem(sys.modules, "fake_sessions_source", mod)
    monkeypatch.setitem(SOURCES, "sessions", Source("sessions", "fake_sessions_source"))
    a = run_assessment(SourceOptions(repos=(str(repo),), sessions=("logs/",), use_cache=False))
    assert seen["inputs"] == ("logs/",) and "level4_run_hours" in seen["rubric"]
    auto = a.team["dimensions"]["autonomy"]
    assert auto["level"] == 4 and auto["source"] == "git+sessions" and auto["confidence"] == "high"
    assert any(e["source"] == "sessions" for e in auto["evidence"])
    assert a.team["sources"]["sessions"] is True
    report = a.report_model()
    validate_report(report)
    shown = [i for d in report["dimensions"] if d["name"] == "autonomy" for i in d["for"] if i["source"] == "sessions"]
    assert shown and shown[0]["other_refs"] == {"sessions": ["s1", "s2"]}


def test_a_source_returning_foreign_findings_is_rejected(repo, monkeypatch):
    mod = types.ModuleType("bad_source")
    mod.collect = lambda inputs, options: {}
    mod.findings = lambda evidence, rubric: [Finding("review", "forge", 3, 3, 3, "high", "x")]
    monkeypatch.setitem(sys.modules, "bad_source", mod)
    monkeypatch.setitem(SOURCES, "sessions", Source("sessions", "bad_source"))
    with pytest.raises(AssessError, match="not a Finding of source 'sessions'"):
        run_assessment(SourceOptions(repos=(str(repo),), sessions=("x",), use_cache=False))


def test_jobs_reach_mining_and_org_tasks_mine_on_one_core(repo, monkeypatch):
    # `assess org` runs one Dask task per core; each task then mines with one git process, so two
    # tasks never fight over the same cores (the serial loop keeps one process per core)
    import assess.mining as mining_pkg
    from assess.org.options import OrgOptions
    from assess.org.task import assess_repository

    seen = []
    real = mining_pkg.mine_repository

    def spy(*args, **kwargs):
        seen.append(kwargs.get("jobs"))
        return real(*args, **kwargs)

    monkeypatch.setattr(mining_pkg, "mine_repository", spy)
    one = run_assessment(SourceOptions(repos=(str(repo),), jobs=1, use_cache=False))
    default = run_assessment(SourceOptions(repos=(str(repo),), use_cache=False))
    assert seen == [1, None]
    assert one.team["overall"] == default.team["overall"]
    assess_repository(repo, OrgOptions(mining_jobs=1, use_cache=False))
    assert seen[-1] == 1
