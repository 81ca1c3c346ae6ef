"""Metrics, aggregates, findings and the rubric's `sessions:` section."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from sessionfixtures import Claude, claude_project, codex_home, jl

from assess.errors import InputError
from assess.levels.placement import load_rubric
from assess.resources import package_file
from assess.sessions.collect import collect
from assess.sessions.findings import findings
from assess.sessions.metrics import aggregate, session_metrics
from assess.sessions.summary import all_metrics, summarise
from assess.sessions.synthetic import write_claude_logs

SCHEMA = json.loads(package_file("schemas", "sessions.schema.json").read_text())


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSESS_PSEUDONYM_KEY", "test-key-0123456789abcdef")


def test_active_time_and_unattended_runs(tmp_path: Path) -> None:
    c = Claude("s")
    jl(tmp_path / "p" / "s.jsonl", [
        c.prompt(0), c.assistant(1, "m1", "r1"), c.assistant(5, "m2", "r2"), c.assistant(9, "m3", "r3"),
        c.assistant(40, "m4", "r4"),                     # after a 31-minute idle gap
        c.assistant(45, "m5", "r5"), c.prompt(46, "looks good, next"), c.assistant(47, "m6", "r6"),
    ])
    m = session_metrics(collect([tmp_path]).sessions["s"])
    assert m.agent_active_seconds == pytest.approx((8 + 5 + 2) * 60, abs=1)   # 1..9, 40..45, 45..47 (the prompt does not stop the clock)
    assert m.longest_unattended_seconds == pytest.approx(8 * 60, abs=1)
    assert sorted(round(r / 60) for r in m.unattended_runs) == [5, 8]
    assert m.touch_points == 2 and m.touch_per_agent_hour == pytest.approx(2 / (15 / 60), rel=1e-3)


def test_person_day_parallel_sessions_and_team_week(tmp_path: Path) -> None:
    a, b = Claude("a"), Claude("b")
    jl(tmp_path / "p" / "a.jsonl", [a.prompt(0), a.assistant(1, "ma", "ra"), a.assistant(30, "ma2", "ra2")])
    jl(tmp_path / "p" / "b.jsonl", [b.prompt(10), b.assistant(11, "mb", "rb")])
    ms = all_metrics(collect([tmp_path]))
    [day] = aggregate(ms, "person-day")
    assert day["parallel_sessions"] == 2 and day["sessions"] == ["a", "b"] and day["engineer_days"] == 1
    assert day["person"].startswith("p-") and "dev" not in day["person"]
    [week] = aggregate(ms, "team-week")
    assert week["week"] == "2026-W06" and week["tokens"]["input"] == 24
    assert week["cost_usd_per_engineer_day"] == pytest.approx(week["cost_usd"], rel=1e-6)


def test_summary_json_follows_schema_and_names_sources(tmp_path: Path) -> None:
    claude_project(tmp_path / "claude")
    codex_home(tmp_path / "codex")
    bad = tmp_path / "claude" / "projects" / "-home-dev-acme" / "sess-main.jsonl"
    with open(bad, "ab") as fh:
        fh.write(b'{"broken\n')
    doc = summarise(collect([tmp_path]))
    jsonschema.validate(doc, SCHEMA)
    [skipped] = doc["skipped_lines"]
    assert skipped["line"] == 22 and skipped["reason"] == "not valid JSON"
    # the log's path names the user and the project: a pseudonymous label unless --show-paths
    assert skipped["file"].startswith("<log ") and "acme" not in json.dumps(doc) and str(tmp_path) not in json.dumps(doc)
    shown = summarise(collect([tmp_path]), show_paths=True)
    assert shown["skipped_lines"] == [{"file": str(bad), "line": 22, "reason": "not valid JSON"}]
    total = doc["totals"]["tokens"]
    assert total == {k: sum(s["tokens"][k] for s in doc["sessions"]) for k in total}
    assert doc["price_table"]["name"] == "genai-prices" and doc["price_table"]["version"] != "unavailable"
    assert "cwd" not in doc["sessions"][0]   # no paths unless asked
    assert all(s["person"].startswith("p-") for s in doc["sessions"])


def _summary(tmp_path: Path, style: str, engineers: int = 3, days: int = 10) -> dict:
    write_claude_logs(tmp_path, engineers=engineers, days=days, style_of=lambda e, d: style)
    return summarise(collect([tmp_path]))


def test_pairing_sessions_bound_the_range_but_set_no_level(tmp_path: Path) -> None:
    # a person in the loop every few minutes: pairing or supervised delegation (a Level 3 team prompts
    # as often), so the logs give Levels 2-3 and leave the point level to git
    autonomy, review = findings(_summary(tmp_path, "pairing"), load_rubric())
    assert autonomy.level is None and (autonomy.lo, autonomy.hi) == (2, 3)
    assert autonomy.confidence == "high" and "Levels 2-3" in autonomy.summary
    assert review.level is None and review.hi == 3


@pytest.mark.parametrize("style,level", [("delegating", 3), ("unattended", 4), ("factory", 5)])
def test_findings_place_each_working_style(tmp_path: Path, style: str, level: int) -> None:
    autonomy, review = findings(_summary(tmp_path, style), load_rubric())
    assert (autonomy.dimension, autonomy.source, autonomy.level) == ("autonomy", "sessions", level)
    assert autonomy.confidence == "high" and autonomy.lo == autonomy.hi == level
    assert review.dimension == "review" and review.confidence == "medium"
    assert all(e.refs["sessions"] is not None for e in autonomy.evidence)
    assert autonomy.events == len(_summary_ids(tmp_path))


def _summary_ids(tmp_path: Path) -> set[str]:
    return {p.stem for p in tmp_path.rglob("*.jsonl")}


def test_thin_evidence_is_low_confidence_and_widened(tmp_path: Path) -> None:
    summary = _summary(tmp_path, "unattended", engineers=1, days=2)
    assert 0 < len(summary["sessions"]) < 5
    autonomy, _ = findings(summary, load_rubric())
    assert autonomy.confidence == "low" and (autonomy.lo, autonomy.hi) == (autonomy.level - 1, autonomy.level + 1)


def test_thresholds_come_from_the_rubric(tmp_path: Path) -> None:
    summary = _summary(tmp_path, "delegating")
    rubric = load_rubric()
    rubric["sessions"] = dict(rubric["sessions"], level3_unattended_minutes=500)
    autonomy, _ = findings(summary, rubric)
    assert autonomy.level is None and (autonomy.lo, autonomy.hi) == (2, 3)  # no longer delegated: Levels 2-3


def test_rubric_sessions_section_is_validated(tmp_path: Path) -> None:
    text = package_file("levels", "rubric.yaml").read_text()
    bad = tmp_path / "r.yaml"
    bad.write_text(text.replace("level4_long_run_share: 0.25", "level4_long_run_share: 1.5"))
    with pytest.raises(InputError, match="share must be between 0 and 1"):
        load_rubric(bad)
    unknown = tmp_path / "u.yaml"
    unknown.write_text(text.replace("  min_sessions: 5 ", "  min_sesions: 5 "))
    with pytest.raises(InputError, match="unknown threshold 'min_sesions'"):
        load_rubric(unknown)
    without = tmp_path / "w.yaml"
    start = text.index("sessions:")
    without.write_text(text[:start] + text[text.index("# The overall level is staged"):])
    assert load_rubric(without)["sessions"]["min_sessions"] == 5   # an older rubric gets the bundled defaults


def test_sessions_without_a_known_duration_place_nothing(tmp_path: Path) -> None:
    from sessionfixtures import SPECSTORY_V1, write_text

    for i in range(8):
        write_text(tmp_path / ".specstory" / "history" / f"2025-04-2{i}_19-26-s{i}.md", SPECSTORY_V1)
    summary = summarise(collect([tmp_path]))
    assert len(summary["sessions"]) == 8
    assert findings(summary, load_rubric()) == []   # a start time alone says nothing about unattended runs


def test_subagent_fan_out_counts_spawns(tmp_path: Path) -> None:
    c = Claude("fan")
    jl(tmp_path / "p" / "fan.jsonl", [c.prompt(0)] + [c.assistant(1 + i, f"m{i}", f"r{i}", block="tool_use", tool="Task")
                                                      for i in range(3)])
    assert session_metrics(collect([tmp_path]).sessions["fan"]).subagents == 3
