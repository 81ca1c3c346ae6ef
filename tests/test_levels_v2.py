"""Levels v2 placement rules (#11): absence is not evidence, thin evidence is low confidence, the
level per month with named changes, pre-agent history, and survey claims that never pass for evidence."""

from __future__ import annotations

import json
from dataclasses import replace

import jsonschema
from levelshapes import ACTIONS, ALICE, CLAUDE_BOT, SHAPES, SynthCommit, _pr, day_time

from assess import signal_catalogue as catalogue
from assess.levels import load_rubric, place_repository
from assess.levels.combine import level_changes
from assess.levels.placement import autonomy, review
from assess.mining import build_evidence, mine_repository
from assess.report import build_report
from assess.resources import package_file
from assess.synthetic import write_history

LEVEL_SCHEMA = json.loads(package_file("schemas", "level.schema.json").read_text())
YEARS_7 = 7 * 365 * 86400


def evidence_for(tmp_path, name, commits):
    write_history(tmp_path / name, commits)
    return build_evidence(mine_repository(tmp_path / name, use_cache=False))


def model_authored_with_holdout() -> list[SynthCommit]:
    """Agent-authored code, machine merges and unattended runs; no tests, CI or specs in the
    repository (kept outside on purpose, as a holdout)."""
    out = [SynthCommit(ALICE, day_time(0, 9), "Start\n", {"README.md": "# app\n"})]
    for p in range(10):
        _pr(out, CLAUDE_BOT, f"claude/f-{p}", day_time(1 + p, 22), 6, ACTIONS, merge_after=5 * 60, pr=300 + p,
            size=25, gap=45 * 60)
    return out


def test_absence_is_not_evidence_strong_visible_evidence_sets_the_point(tmp_path):
    lv = place_repository(evidence_for(tmp_path, "holdout", model_authored_with_holdout()))
    jsonschema.validate(lv, LEVEL_SCHEMA)
    d, o = lv["dimensions"], lv["overall"]
    assert d["authorship"]["level"] == 5 and d["review"]["level"] == 5
    # what git cannot see stays open upward instead of reading as "no specs, no tests"
    assert d["specification"]["level"] is None and d["specification"]["range"] == [0, 5]
    assert d["validation"]["level"] is None and d["validation"]["range"] == [0, 5]
    assert "cannot see" in d["validation"]["summary"]
    assert o["level"] == 5 and o["range"][1] == 5 and o["range"][0] < 5  # it used to be 3
    assert o["confidence"] != "high" and "cannot see" in o["summary"]
    # the month is judged by the same rule as the window
    assert [m["level"] for m in lv["timeline"] if m["code_commits"]] == [5]


def test_unseen_dimensions_never_lift_a_team_without_strong_evidence(tmp_path):
    """Only agent-authored code with machine merges or unattended runs sets a point past what the
    unseen dimensions would allow; a pairing team stays where it was."""
    lv = place_repository(evidence_for(tmp_path, "pair", SHAPES["pairing"][0]()))
    assert lv["overall"]["level"] == 2


def _signals(**kw):
    return {**catalogue.empty(), "refs": {}, **kw}


def test_one_merge_never_gives_review_4_or_medium_confidence():
    r = load_rubric()
    s = _signals(code_commits=60, ai_code_commits=8, ai_commits=8, ai_cloud_commits=8, ai_merges=1,
                 ai_merges_by_human=1, ai_merge_delay_hours_median=0.5, ai_merge_lines_median=900)
    d = review(s, {}, r)
    assert d.level == 3 and d.confidence == "low"
    more = _signals(code_commits=120, ai_code_commits=60, ai_commits=60, ai_cloud_commits=60, ai_merges=12,
                    ai_merges_by_human=12, ai_merge_delay_hours_median=0.5, ai_merge_lines_median=900)
    assert review(more, {}, r).level == 4 and review(more, {}, r).confidence == "medium"


def test_two_commits_never_give_autonomy_3():
    r = load_rubric()
    d = autonomy(_signals(code_commits=40, ai_code_commits=2, ai_commits=2, ai_cloud_commits=2), {}, r, [])
    assert d.level == 2 and d.confidence == "low"
    d = autonomy(_signals(code_commits=40, ai_code_commits=12, ai_commits=12, ai_cloud_commits=12), {}, r, [])
    assert d.level == 3 and d.confidence == "medium"


def test_history_before_coding_agents_is_level_0_with_high_confidence(tmp_path):
    old = [replace(c, time=c.time - YEARS_7) for c in SHAPES["human-only"][0]()]
    lv = place_repository(evidence_for(tmp_path, "old", old))
    o = lv["overall"]
    assert o["level"] == 0 and o["range"] == [0, 0] and o["confidence"] == "high"
    assert "before coding agents existed" in o["summary"]
    assert all(m["level"] == 0 for m in lv["timeline"] if m["code_commits"])
    # the same history today is a range, never a confident 0
    assert place_repository(evidence_for(tmp_path, "now", SHAPES["human-only"][0]()))["overall"]["level"] is None


def test_level_changes_are_named():
    rows = [{"month": "2025-01", "level": 1}, {"month": "2025-02", "level": None}, {"month": "2025-03", "level": 1},
            {"month": "2025-04", "level": 3}, {"month": "2025-05", "level": 2}]
    changes = level_changes(rows)
    assert [(c["month"], c["from"], c["to"]) for c in changes] == [("2025-04", 1, 3), ("2025-05", 3, 2)]
    assert "Level 1 \u2192 3" in changes[0]["text"]


def test_report_timeline_carries_the_changes(tmp_path):
    write_history(tmp_path / "r", SHAPES["agents-merged-by-humans"][0]())
    report = build_report([tmp_path / "r"], use_cache=False)
    assert report["timeline"]["changes"] == report["team_level"]["level_changes"]


def test_a_survey_never_turns_no_trace_into_a_confident_level(tmp_path):
    ev = evidence_for(tmp_path, "human", SHAPES["human-only"][0]())
    survey = {"respondents": 8, "claimed_level": {"median": 0, "mean": 0.2, "n": 8, "item": "q"},
              "dimensions": {"authorship": {"level": 0, "score": 0.2, "n": 8, "items": ["q_auth"]}}}
    plain = place_repository(ev)["overall"]
    lv = place_repository(ev, survey=survey)
    assert plain["level"] is None and plain["range"] == [0, 2]
    assert lv["overall"]["level"] is None and lv["overall"]["range"] == [0, 2]  # not a confident "Level 0"
    a = lv["dimensions"]["authorship"]
    assert a["level"] is None and a["range"] == [0, 2] and "claims Level 0" in a["summary"]
    assert any("claims" in e["text"] and e["source"] == "survey" for e in a["evidence"])


def test_survey_only_report_never_says_evidenced(tmp_path):
    from click.testing import CliRunner

    from assess.cli import main
    from assess.survey import simulate_responses

    simulate_responses(tmp_path / "s", n=8, seed=2)
    res = CliRunner().invoke(main, ["report", "--survey", str(tmp_path / "s"), "-o", str(tmp_path / "r.html")])
    assert res.exit_code == 0, res.output
    assert "Evidenced level" not in res.output and "survey only" in res.output
    assert "Evidenced level" not in (tmp_path / "r.md").read_text()
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["headline"]["evidenced_level"] is None and data["headline"]["claimed_level"] is not None
    assert all(d["level"] is None for d in data["team_level"]["dimensions"].values() if d["source"] != "survey")
