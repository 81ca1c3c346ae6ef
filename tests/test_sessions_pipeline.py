"""Sessions as a pipeline source: `assess repo --sessions`, `assess report --sessions` (logs or bundles)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assess.cli import main
from assess.pipeline import SourceOptions, run_assessment
from assess.report import validate_report
from assess.sessions.collect import collect
from assess.sessions.export import make_bundle
from assess.sessions.summary import all_metrics
from assess.sessions.synthetic import write_claude_logs


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSESS_PSEUDONYM_KEY", "test-key-0123456789abcdef")


@pytest.fixture
def small_repo(make_repo):
    repo = make_repo("shop")
    for i in range(12):
        repo.commit(f"feat: step {i}\n\nCo-authored-by: Claude <noreply@anthropic.com>", {f"src/m{i}.py": f"x = {i}\n"},
                    date=f"2026-03-{2 + i:02d}T10:00:00+00:00")
    return repo


def test_sessions_set_autonomy_beside_git(small_repo, tmp_path: Path) -> None:
    write_claude_logs(tmp_path / "logs", engineers=3, days=10, style_of=lambda e, d: "unattended")
    # three engineers: the floor is lowered explicitly so that their figures may be shown
    a = run_assessment(SourceOptions(repos=(str(small_repo.path),), sessions=(str(tmp_path / "logs"),),
                                     use_cache=False, min_group=3))
    auto = a.team["dimensions"]["autonomy"]
    assert auto["source"] == "git+sessions" and auto["level"] == 4
    assert any(e["source"] == "sessions" for e in auto["evidence"])
    report = a.report_model()
    validate_report(report)
    se = report["sessions"]
    assert se["kind"] == "logs" and se["sessions"] == len(a.source_evidence["sessions"]["sessions"])
    assert sum(b["count"] for b in se["unattended_runs"]) > 0
    assert se["cost_per_engineer_day"]["marker"] == 1000 and se["months"][0]["month"] == "2026-03"
    assert se["joins"][0]["repository"] == "shop"


def test_report_cli_with_bundles_keeps_the_floor(small_repo, tmp_path: Path) -> None:
    write_claude_logs(tmp_path / "logs", engineers=3, days=5)
    bundles = tmp_path / "bundles"
    bundles.mkdir()
    for e in range(3):
        ms = all_metrics(collect([tmp_path / "logs" / f"engineer-{e + 1}"]), show_identities=True)
        (bundles / f"b{e}.json").write_text(json.dumps(make_bundle(ms, f"p-{e:012d}")))
    out = tmp_path / "r.html"
    r = CliRunner().invoke(main, ["report", "--repo", str(small_repo.path), "--sessions", str(bundles),
                                  "--no-cache", "-q", "-o", str(out)])
    assert r.exit_code == 0, r.output
    data = json.loads(out.with_suffix(".json").read_text())
    validate_report(data)
    se = data["sessions"]
    assert se["kind"] == "bundles" and se["withheld"] and "Fewer than 5 engineers" in se["reason"]
    assert "cost_usd" not in se and "sessions" not in se     # not even team totals below the floor
    assert 'id="sessions"' in out.read_text()
    assert "p-000000000000" not in out.read_text() and "p-000000000000" not in json.dumps(data)


def test_repo_cli_with_sessions_and_a_missing_path(small_repo, tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["repo", str(small_repo.path), "--no-cache", "-q", "--sessions", str(tmp_path / "no")])
    assert r.exit_code == 2 and "no such file or folder" in r.output
