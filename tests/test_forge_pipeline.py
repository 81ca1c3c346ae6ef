"""The forge as a pipeline source: `assess repo --forge`, `assess report --forge`, the report's
review section, and privacy of logins in every output."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from levelshapes import SHAPES

from assess.cli import main
from assess.forge.synthetic import PEOPLE, generate, write_store
from assess.pipeline import SourceOptions, run_assessment
from assess.report import validate_report
from assess.synthetic import write_history

SECRET = {p: f"zq-login-{p}-x7" for p in PEOPLE}  # logins no template or word could contain


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    path = tmp_path_factory.mktemp("forgepipe") / "shop"
    write_history(path, SHAPES["agents-merged-by-humans"][0]())
    return path


def _store(path, shape: str, n: int = 120):
    records = generate(shape, n=n, seed=4)
    text = json.dumps(records)
    for p, s in SECRET.items():
        text = text.replace(f'"login": "{p}"', f'"login": "{s}"').replace(f"{p}@example.com", f"{s}@example.com")
    return write_store(path, json.loads(text))


@pytest.mark.parametrize(("shape", "level"), [("checks-outcomes", 4), ("reads-every-diff", 3)])
def test_repo_with_forge_places_review_from_the_forge(repo, tmp_path, shape, level):
    store = _store(tmp_path / "s", shape)
    out = tmp_path / "ev.json"
    res = CliRunner().invoke(main, ["repo", str(repo), "--forge", str(store), "--no-cache", "-q", "--json", str(out)])
    assert res.exit_code == 0, res.output
    review = json.loads(out.read_text())["level"]["dimensions"]["review"]
    assert review["level"] == level and "forge" in review["source"]
    assert any(e["source"] == "forge" for e in review["evidence"])


def test_mined_commits_reach_the_forge_classification(repo, tmp_path):
    store = _store(tmp_path / "s", "reads-every-diff", n=30)
    a = run_assessment(SourceOptions(repos=(str(repo),), forge=(str(store),), use_cache=False))
    assert a.source_evidence["forge"]["mined_commits_used"] is True
    assert a.source_evidence["forge"]["pull_requests"] == 30


def test_report_has_the_review_section_and_names_nobody(repo, tmp_path):
    store = _store(tmp_path / "s", "checks-outcomes")
    out = tmp_path / "r.html"
    res = CliRunner().invoke(main, ["report", "--repo", str(repo), "--forge", str(store), "--no-cache", "-q",
                                    "-o", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads(out.with_suffix(".json").read_text())
    validate_report(data)
    assert data["forge"]["pull_requests"] == 120 and data["forge"]["observational"] is True
    page = out.read_text()
    section = page[page.index('<section id="review"'):page.index('<section id="study"')]
    assert "Merged without any human review" in section and "Observational" in section
    assert "95% CI" in section and "Per month" in section
    assert any(r["what"] == "Forge (pull requests)" for r in data["methods"]["sample_sizes"])
    for text in (page, out.with_suffix(".json").read_text(), out.with_suffix(".md").read_text()):
        assert not any(s in text for s in SECRET.values())
    res = CliRunner().invoke(main, ["report", "--repo", str(repo), "--forge", str(store), "--no-cache", "-q",
                                    "--show-identities", "-o", str(out)])
    assert res.exit_code == 0
    assert any(s in out.with_suffix(".json").read_text() for s in SECRET.values())


def test_report_without_forge_says_so_and_forge_only_report_places_review(tmp_path, repo):
    out = tmp_path / "r.html"
    assert CliRunner().invoke(main, ["report", "--repo", str(repo), "--no-cache", "-q", "-o", str(out)]).exit_code == 0
    assert "No forge store was given" in out.read_text()
    assert json.loads(out.with_suffix(".json").read_text())["forge"] is None
    store = _store(tmp_path / "s", "machine-merges")
    res = CliRunner().invoke(main, ["report", "--forge", str(store), "-q", "-o", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads(out.with_suffix(".json").read_text())
    review = next(d for d in data["dimensions"] if d["name"] == "review")
    assert review["level"] == 5 and review["source"] == "forge"


def test_a_bad_store_is_one_line(repo, tmp_path):
    res = CliRunner().invoke(main, ["repo", str(repo), "--forge", str(tmp_path / "missing"), "-q"])
    assert res.exit_code == 2 and "not a forge store" in res.output and "Traceback" not in res.output
