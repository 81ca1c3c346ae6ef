"""Evidence saved by the previous release (schema 2.1, before `ai_code_commits_with_tests`) keeps
working in `assess report`: the signal it lacks is not measured (None, never 0), the validation
range stays open to what it could have shown, and a caveat says why. A file that claims the
current schema yet lacks the signal is still refused."""

from __future__ import annotations

import json

from click.testing import CliRunner
from test_levels_open_ranges import agents_with_small_tests

from assess import signal_catalogue as catalogue
from assess.cli import main
from assess.report.schema import report_errors
from assess.synthetic import write_history

SIGNAL = "ai_code_commits_with_tests"


def as_previous_release(doc: dict) -> dict:
    """What `assess repo --json` of the 2.1 release wrote for the same repository."""
    old = json.loads(json.dumps(doc))
    old["schema_version"] = "2.1"
    for part in [old["signals"]["window"], *old["signals"]["by_month"]]:
        del part[SIGNAL]
    old["signals"]["window"]["refs"].pop(SIGNAL, None)
    val = old["level"]["dimensions"]["validation"]
    val["evidence"] = [e for e in val["evidence"] if not e["signal"].endswith(SIGNAL)]
    return old


def _mine(tmp_path, name: str) -> dict:
    write_history(tmp_path / name, agents_with_small_tests(20))
    out = tmp_path / f"{name}.json"
    result = CliRunner().invoke(main, ["repo", str(tmp_path / name), "--no-cache", "--json", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())


def _report(tmp_path, *evidence: str) -> dict:
    html = tmp_path / "report.html"
    args = ["report", *[a for e in evidence for a in ("--repo", e)], "-o", str(html)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return json.loads(html.with_suffix(".json").read_text())


def _validation(report: dict) -> dict:
    return next(d for d in report["dimensions"] if d["name"] == "validation")


def _items(dim: dict) -> list[dict]:
    return [e for k in ("for", "against", "context") for e in dim.get(k, [])]


def test_previous_release_evidence_is_read_with_the_new_signal_unmeasured(tmp_path):
    new = _mine(tmp_path, "tdd")
    assert new["schema_version"] == catalogue.EVIDENCE_SCHEMA_VERSION
    old_path = tmp_path / "old.json"
    old_path.write_text(json.dumps(as_previous_release(new)))

    now = _validation(_report(tmp_path, str(tmp_path / "tdd.json")))
    assert now["level"] == 4 and now["range"] == [4, 5]  # every agent change carries its test

    report = _report(tmp_path, str(old_path))
    assert report_errors(report) == []
    val = _validation(report)
    # unmeasured, not 0: the range still reaches what the signal showed, the level is what the rest shows
    assert val["level"] == 2 and val["range"] == [2, 5]
    item = next(e for e in _items(val) if e["signal"] == f"validation.{SIGNAL}")
    assert item["value"] is None and item["supports"] == "context" and "not measured" in item["text"]
    assert report["evidence"][0]["signals"]["window"][SIGNAL] is None
    assert any("schema 2.1" in c and SIGNAL in c for c in report["evidence"][0]["caveats"])
    assert "not measured: the evidence was saved before" in (tmp_path / "report.html").read_text()

    # `assess diff` says the older file did not measure it (it printed Python's None)
    result = CliRunner().invoke(main, ["diff", str(old_path), str(tmp_path / "tdd.json")])
    assert result.exit_code == 0, result.output
    assert f"{SIGNAL} not measured -> 20" in result.output and "None" not in result.output

    # pooled with current evidence of another repository, the team's count is unmeasured too (the
    # other repository's count alone would understate it)
    team = _validation(_report(tmp_path, str(old_path), str(tmp_path / "tdd.json")))
    assert next(e for e in _items(team) if e["signal"] == f"validation.{SIGNAL}")["value"] is None
    assert team["range"][1] == 5


def test_current_schema_without_the_signal_is_still_refused(tmp_path):
    doc = as_previous_release(_mine(tmp_path, "tdd"))
    doc["schema_version"] = catalogue.EVIDENCE_SCHEMA_VERSION  # claims 2.2, lacks a 2.2 signal
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    result = CliRunner().invoke(main, ["report", "--repo", str(bad), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2 and f"'{SIGNAL}' is a required property" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "r.html").exists()
    # anything else is still not evidence, whatever its version says
    for text in ("[]", '{"schema_version": "2.1", "signals": []}', '{"schema_version": "2.1", "signals": '
                 '{"window": 5, "by_month": [null, 7]}}', '{"schema_version": "2.x"}'):
        bad.write_text(text)
        result = CliRunner().invoke(main, ["report", "--repo", str(bad), "-o", str(tmp_path / "r.html")])
        assert result.exit_code == 2 and "not repository evidence" in result.output, (text, result.output)


def test_pooling_an_unmeasured_count_leaves_it_unmeasured():
    measured, unmeasured = catalogue.empty(), catalogue.empty()
    measured.update({SIGNAL: 7, "ai_code_commits": 9, "max_chain": 3})
    unmeasured.update({SIGNAL: None, "ai_code_commits": 4, "max_chain": 5})
    pooled = catalogue.pool([measured, unmeasured])
    assert pooled[SIGNAL] is None and pooled["ai_code_commits"] == 13 and pooled["max_chain"] == 5
    assert catalogue.pool([measured, measured])[SIGNAL] == 14
    # nullable medians keep their meaning: None is a median of nothing, skipped
    measured["ai_merge_delay_hours_median"] = 2.0
    assert catalogue.pool([measured, unmeasured])["ai_merge_delay_hours_median"] == 2.0
