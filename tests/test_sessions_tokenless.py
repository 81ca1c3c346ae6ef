"""Logs that record no token counts (Claude Code transcripts rendered to Markdown, SpecStory): their
tokens and cost are unknown, never printed as $0.00 nor compared with the factory marker.

Found on a real repository (committed `.claude/transcripts/*.md`): `sessions summary` printed
"cost $0.00", "median cost per engineer-day $0.00" and the report's months said "below" the marker."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sessionfixtures import CLAUDE_MD, Claude, jl, write_text

from assess.cli import main
from assess.sessions.collect import collect
from assess.sessions.export import combine_bundles, make_bundle
from assess.sessions.report import report_section
from assess.sessions.summary import all_metrics, summarise
from assess.sessions.synthetic import write_claude_logs


def _transcripts(folder: Path) -> Path:
    write_text(folder / ".claude" / "transcripts" / "2026-02-13T23-56-00-look.md", CLAUDE_MD)
    return folder


def test_summary_of_tokenless_logs_says_unknown_not_zero(tmp_path: Path) -> None:
    logs = _transcripts(tmp_path / "repo")
    out = tmp_path / "s.json"
    r = CliRunner().invoke(main, ["sessions", "summary", str(logs), "--json", str(out)])
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    assert doc["totals"]["sessions"] == 1 and doc["totals"]["sessions_without_tokens"] == 1
    assert doc["cost_per_engineer_day"]["median"] is None
    assert doc["cost_per_engineer_day"]["share_at_or_above_marker"] is None
    assert all(d["cost_usd_per_engineer_day"] is None for d in doc["person_days"] + doc["team_months"])
    assert any("claude-markdown" in n and "unknown, not zero" in n for n in doc["notes"])
    assert "$0.00" not in r.output
    assert "tokens and cost: unknown" in r.output and "per engineer-day unknown" in r.output


def test_tokenless_sessions_are_left_out_of_cost_per_engineer_day_not_averaged_as_zero(tmp_path: Path) -> None:
    write_claude_logs(tmp_path / "logs", engineers=2, days=3)
    _transcripts(tmp_path / "logs")
    ms = all_metrics(collect([tmp_path / "logs"]))
    assert {m.source for m in ms} >= {"claude-code", "claude-markdown"}
    doc = summarise(collect([tmp_path / "logs"]), ms)
    priced = [d for d in doc["person_days"] if not d["sessions_without_tokens"]]
    unpriced = [d for d in doc["person_days"] if d["sessions_without_tokens"]]
    assert priced and unpriced and all(d["cost_usd"] > 0 for d in priced)
    assert all(d["cost_usd_per_engineer_day"] is None for d in unpriced)
    mean = sum(d["cost_usd"] for d in priced) / len(priced)
    assert doc["cost_per_engineer_day"]["mean"] == round(mean, 2)
    assert doc["totals"]["sessions_without_tokens"] == 1


def test_report_shows_unknown_cost_for_tokenless_logs(tmp_path: Path) -> None:
    logs = _transcripts(tmp_path / "repo")
    out = tmp_path / "r.html"
    r = CliRunner().invoke(main, ["report", "--sessions", str(logs), "--min-group", "1", "--no-cache", "-q",
                                  "-o", str(out)])
    assert r.exit_code == 0, r.output
    html = out.read_text()
    md = out.with_suffix(".md").read_text()
    assert "Tokens and cost: unknown" in html and "$0.00" not in html
    assert ">unknown</td>" in html and ">below</td>" not in html
    assert "tokens and cost unknown" in md and "cost $0.00" not in md


def test_a_model_missing_from_the_price_table_makes_that_day_cost_unknown(tmp_path: Path) -> None:
    """A local model (Aider with Qwen on a real repository) printed 'median cost per engineer-day $0.00'."""
    logs = tmp_path / "cfg" / "projects" / "acme"
    priced, local = Claude("s-priced"), Claude("s-local", cwd="/home/eve/other")
    jl(logs / "a.jsonl", [priced.prompt(0), priced.assistant(1, "m1", "r1", read=2_000_000),
                          priced.assistant(5, "m2", "r2", read=2_000_000)])
    jl(logs / "b.jsonl", [local.prompt(0),
                          local.assistant(2, "m3", "r3", model="qwen3.5-9b-local"),
                          local.assistant(6, "m4", "r4", model="qwen3.5-9b-local")])
    out = tmp_path / "s.json"
    r = CliRunner().invoke(main, ["sessions", "summary", str(tmp_path / "cfg"), "--json", str(out)])
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    assert doc["totals"]["unpriced_models"] == ["qwen3.5-9b-local"]
    assert doc["totals"]["sessions_cost_unknown"] == 1
    known = [d for d in doc["person_days"] if not d["sessions_cost_unknown"]]
    unknown = [d for d in doc["person_days"] if d["sessions_cost_unknown"]]
    assert len(known) == 1 and len(unknown) == 1 and unknown[0]["cost_usd_per_engineer_day"] is None
    assert doc["cost_per_engineer_day"]["median"] == round(known[0]["cost_usd"], 2) > 0
    assert "unpriced models: qwen3.5-9b-local" in r.output


def test_bundles_leave_days_of_unknown_cost_out_of_the_team_cost_per_engineer_day(tmp_path: Path) -> None:
    write_claude_logs(tmp_path / "logs", engineers=1, days=2)
    _transcripts(tmp_path / "md")
    paths = []
    for name, folder in (("priced", tmp_path / "logs"), ("md", tmp_path / "md")):
        bundle = make_bundle(all_metrics(collect([folder]), show_identities=True), f"p-{name}")
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps(bundle))
        assert all(d["cost_known"] is (name == "priced") for d in bundle["days"])
    priced_days = json.loads(paths[0].read_text())["days"]
    team = combine_bundles(paths, floor=1)
    per_day = team["totals"]["cost_usd_per_engineer_day"]
    assert team["totals"]["engineer_days"] == len(priced_days) + 1
    assert per_day["mean"] == round(sum(d["cost_usd"] for d in priced_days) / len(priced_days), 2) > 0
    alone = combine_bundles([paths[1]], floor=1)["totals"]["cost_usd_per_engineer_day"]
    assert alone["median"] is None and alone["share_at_or_above_factory_marker"] is None


def test_a_bundle_month_of_unknown_cost_is_not_below_the_factory_marker(tmp_path: Path) -> None:
    _transcripts(tmp_path / "md")
    bundle = make_bundle(all_metrics(collect([tmp_path / "md"]), show_identities=True), "p-md")
    path = tmp_path / "md.json"
    path.write_text(json.dumps(bundle))
    section = report_section(combine_bundles([path], floor=1) | {"kind": "bundles"})
    assert section["months"] and all(m["reaches_factory_marker"] is None for m in section["months"])
