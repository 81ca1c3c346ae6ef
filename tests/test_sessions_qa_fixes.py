"""Regressions from the sessions QA pass: path leaks, the anonymity floor on raw logs, bundles of one
pseudonym, one median, sessions-only wording, unrecognised inputs, the sources lists, long first lines."""

from __future__ import annotations

import json
import re
import statistics
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner
from sessionfixtures import Claude, jl

from assess.cli import main
from assess.errors import AssessWarning, InputError
from assess.pipeline import SourceOptions, run_assessment
from assess.report import validate_report
from assess.sessions.collect import collect
from assess.sessions.detect import _SNIFF_LINE_BYTES, find_logs
from assess.sessions.export import combine_bundles, make_bundle
from assess.sessions.summary import all_metrics
from assess.sessions.synthetic import write_claude_logs


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSESS_PSEUDONYM_KEY", "test-key-0123456789abcdef")


def _secret_project(tmp_path: Path) -> Path:
    c = Claude("s1", cwd="/home/alice/secretproj")
    log = jl(tmp_path / "claude" / "projects" / "-home-alice-secretproj" / "s1.jsonl",
             [c.prompt(0), c.assistant(1, "m1", "r1"), c.assistant(9, "m2", "r2")])
    with open(log, "ab") as fh:
        fh.write(b'{"broken\n')
    return log


def test_skipped_lines_name_a_label_not_the_path_without_show_paths(tmp_path: Path) -> None:
    log = _secret_project(tmp_path)
    out = tmp_path / "s.json"
    r = CliRunner().invoke(main, ["sessions", "summary", str(tmp_path / "claude"), "--json", str(out)])
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    [skipped] = doc["skipped_lines"]
    assert skipped["line"] == 4 and re.fullmatch(r"<log [0-9a-f]{10}>", skipped["file"])
    assert "secretproj" not in out.read_text() and "secretproj" not in r.output   # output includes stderr
    assert f"{skipped['file']}:4" in r.output
    r = CliRunner().invoke(main, ["sessions", "summary", str(tmp_path / "claude"), "--json", str(out), "--show-paths"])
    assert json.loads(out.read_text())["skipped_lines"][0]["file"] == str(log) and str(log) in r.output


def test_raw_logs_below_the_floor_publish_no_figures(tmp_path: Path) -> None:
    write_claude_logs(tmp_path / "logs", engineers=1, days=5, style_of=lambda e, d: "unattended")
    a = run_assessment(SourceOptions(sessions=(str(tmp_path / "logs" / "engineer-1"),), use_cache=False))
    report = a.report_model()
    validate_report(report)
    se = report["sessions"]
    assert se["withheld"] and se["anonymity_floor"] == 5 and "Fewer than 5 engineers" in se["reason"]
    cost = a.source_evidence["sessions"]["totals"]["cost_usd"]
    text = json.dumps(report)
    assert f"{cost:,.2f}" not in text and f"{round(cost, 2)}" not in text
    # the placement still uses the logs, with no figure in its evidence
    ev = [e for e in report["team_level"]["dimensions"]["autonomy"]["evidence"] if e["source"] == "sessions"]
    assert ev and all(e["value"] is None and "withheld" in e["text"] and not e["refs"] for e in ev)
    # an explicit, lower --min-group shows them
    shown = run_assessment(SourceOptions(sessions=(str(tmp_path / "logs" / "engineer-1"),), use_cache=False,
                                         min_group=1)).report_model()
    assert shown["sessions"]["cost_usd"] == pytest.approx(cost, abs=0.01)


def _bundle(tmp_path: Path, logs: Path, name: str, person: str = "p-same000000") -> Path:
    ms = all_metrics(collect([logs]), show_identities=True)
    p = tmp_path / "bundles" / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(make_bundle(ms, person)))
    return p


def test_bundles_of_one_pseudonym_are_deduplicated_or_summed_never_dropped(tmp_path: Path) -> None:
    write_claude_logs(tmp_path / "logs", engineers=2, days=5)
    b1 = _bundle(tmp_path, tmp_path / "logs" / "engineer-1", "b1.json")
    copy = tmp_path / "bundles" / "b1-again.json"
    copy.write_bytes(b1.read_bytes())
    b2 = _bundle(tmp_path, tmp_path / "logs" / "engineer-2", "b2.json")   # a second machine, same person
    n1 = sum(d["sessions"] for d in json.loads(b1.read_text())["days"])
    n2 = sum(d["sessions"] for d in json.loads(b2.read_text())["days"])
    with pytest.warns(AssessWarning, match="summed"):
        team = combine_bundles([b1, copy, b2], floor=1)
    assert team["totals"]["sessions"] == n1 + n2 and team["duplicate_bundles"] == 1 and team["bundles"] == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # identical bundles alone: no conflict to report
        assert combine_bundles([b1, copy], floor=1)["totals"]["sessions"] == n1


def test_cli_prints_the_median_the_json_holds(tmp_path: Path) -> None:
    write_claude_logs(tmp_path / "logs", engineers=2, days=6)
    out = tmp_path / "s.json"
    r = CliRunner().invoke(main, ["sessions", "summary", str(tmp_path / "logs"), "--json", str(out)])
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    median = statistics.median(d["cost_usd"] for d in doc["person_days"])
    assert doc["cost_per_engineer_day"]["median"] == round(median, 2)
    assert f"median cost per engineer-day ${median:,.2f}" in r.output


def test_sessions_only_report_wording_and_sources(tmp_path: Path) -> None:
    write_claude_logs(tmp_path / "logs", engineers=5, days=5)
    out = tmp_path / "so.html"
    r = CliRunner().invoke(main, ["report", "--sessions", str(tmp_path / "logs"), "--no-cache", "-q", "-o", str(out)])
    assert r.exit_code == 0, r.output
    data = json.loads(out.with_suffix(".json").read_text())
    md = out.with_suffix(".md").read_text()
    assert "survey only" not in md and "nothing to place" not in md and "nothing to place" not in out.read_text()
    assert "sessions" in data["headline"]["summary"]
    assert data["headline"]["sources"]["sessions"] and data["inputs"]["sessions"]
    assert "agent session logs" in out.read_text()


def test_an_unrecognised_sessions_input_is_an_error_or_a_warning(tmp_path: Path) -> None:
    junk = tmp_path / "d.json"
    junk.write_text(json.dumps({"a": {"b": [1, {"c": 2}]}}))
    r = CliRunner().invoke(main, ["report", "--sessions", str(junk), "-q", "-o", str(tmp_path / "r.html")])
    assert r.exit_code != 0 and str(junk) in r.output and "Traceback" not in r.output
    assert not (tmp_path / "r.html").exists()
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "x.json").write_text("{}")
    r = CliRunner().invoke(main, ["sessions", "summary", str(folder)])
    assert r.exit_code == 0 and f"no session logs recognised in {folder}" in r.output
    with pytest.raises(InputError, match="d.json"):
        collect([junk])


def test_a_long_first_line_does_not_hide_a_claude_log(tmp_path: Path) -> None:
    c = Claude("s-long")
    log = jl(tmp_path / "p" / "a.jsonl", [c.prompt(0, "x" * (_SNIFF_LINE_BYTES + 10)), c.assistant(1, "m1", "r1"),
                                          c.prompt(20, "more"), c.assistant(21, "m2", "r2")])
    assert [f.format for f in find_logs(tmp_path / "p")] == ["claude-code"]
    coll = collect([log])
    assert list(coll.sessions) == ["s-long"] and all_metrics(coll)[0].human_prompts == 2
