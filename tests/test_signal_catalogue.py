"""Signals are declared once (assess.signal_catalogue): pooling, the timeline and the evidence
schema derive from the declaration, and run lengths come from the rubric, not from mining."""

from __future__ import annotations

import json
import shutil

import jsonschema
import pytest
from levelshapes import SHAPES

from assess import signal_catalogue as catalogue
from assess.errors import InputError
from assess.levels import load_rubric, pool_signals
from assess.levels.placement import autonomy
from assess.mining import build_evidence, mine_repository
from assess.pipeline import SourceOptions, run_assessment
from assess.resources import package_file
from assess.synthetic import write_history

EVIDENCE_SCHEMA = json.loads(package_file("schemas", "evidence.schema.json").read_text())


@pytest.fixture(scope="module")
def mined(tmp_path_factory):
    path = tmp_path_factory.mktemp("cat") / "loop"
    write_history(path, SHAPES["spec-driven"][0]())
    return mine_repository(path, use_cache=False)


def test_generated_schema_is_up_to_date(tmp_path):
    copy = tmp_path / "evidence.schema.json"
    shutil.copy(package_file("schemas", "evidence.schema.json"), copy)
    assert not catalogue.write_schema(copy), "run: python -m assess.signal_catalogue --write-schema"


def test_every_declared_signal_is_computed_and_typed(mined):
    ev = build_evidence(mined)
    jsonschema.validate(ev, EVIDENCE_SCHEMA)
    names = {s.name for s in catalogue.SIGNALS}
    assert set(ev["signals"]["window"]) - {"refs"} == names
    for month in ev["signals"]["by_month"]:
        assert set(month) - {"month", "artefacts"} == names
    # a window missing a declared signal does not validate (it used to be silently 0 in the timeline)
    broken = json.loads(json.dumps(ev))
    del broken["signals"]["by_month"][0]["ai_followup_fixes"]
    with pytest.raises(jsonschema.ValidationError, match="ai_followup_fixes"):
        jsonschema.validate(broken, EVIDENCE_SCHEMA)


def test_pool_follows_each_declared_aggregation():
    a, b = catalogue.empty(), catalogue.empty()
    a.update(code_commits=3, max_chain=7, ai_merge_delay_hours_median=1.0,
             run_frontier=[{"n": 7, "span_hours": 1.0, "first": "a", "last": "b"}])
    b.update(code_commits=4, max_chain=2, ai_merge_delay_hours_median=5.0,
             run_frontier=[{"n": 3, "span_hours": 9.0, "first": "c", "last": "d"},
                           {"n": 2, "span_hours": 0.5, "first": "e", "last": "f"}])
    pooled = catalogue.pool([a, b])
    assert pooled["code_commits"] == 7 and pooled["max_chain"] == 7
    assert pooled["ai_merge_delay_hours_median"] == 5.0  # median of medians (upper middle of two)
    # the frontier keeps runs no other beats on both length and span: (7, 1h) and (3, 9h), not (2, 0.5h)
    assert [(r["n"], r["span_hours"]) for r in pooled["run_frontier"]] == [(7, 1.0), (3, 9.0)]
    del b["ai_off_hours_commits"]
    with pytest.raises(KeyError, match="ai_off_hours_commits"):
        catalogue.pool([a, b])


def test_declared_shares():
    s = {**catalogue.empty(), "ai_code_lines": 30, "code_lines": 120}
    assert catalogue.share(s, "ai_share_code_lines") == 0.25
    assert catalogue.share(s, "ai_share_code_commits") is None  # no code commits: no share, not 0


def _autonomy_signals(frontier):
    return {**catalogue.empty(), "ai_commits": 40, "ai_cloud_commits": 40, "code_commits": 40,
            "ai_code_commits": 40, "run_frontier": frontier, "refs": {}}


def test_run_length_is_the_rubrics_not_a_hard_coded_five():
    """A run of 3 commits over 9 hours is a long run when the rubric asks for 3+ commits (the old
    signals counted only runs of 5+, whatever the rubric said)."""
    r = load_rubric()
    front = [{"n": 7, "span_hours": 1.0, "first": "a", "last": "b"}, {"n": 3, "span_hours": 9.0, "first": "c", "last": "d"}]
    assert autonomy(_autonomy_signals(front), {}, r, []).level == 3  # bundled: 5+ commits over 2+ h
    r["autonomy"]["level4_run_commits"] = 3
    assert autonomy(_autonomy_signals(front), {}, r, []).level == 4
    r["autonomy"]["level4_run_commits"] = 8
    r["autonomy"]["level4_run_hours"] = 0.5
    assert autonomy(_autonomy_signals(front), {}, r, []).level == 3  # no run of 8


def test_collection_parameters_come_from_the_rubric(mined, tmp_path):
    bundled = load_rubric()["collection"]
    ev = build_evidence(mined)
    assert ev["signals"]["parameters"] == bundled
    tight = dict(bundled, run_gap_hours=0.01)
    short = build_evidence(mined, collection=tight)
    assert short["signals"]["window"]["max_chain"] < ev["signals"]["window"]["max_chain"]
    # saved evidence measured with other parameters than the rubric in force is refused
    saved = tmp_path / "ev.json"
    saved.write_text(json.dumps(short))
    with pytest.raises(InputError, match="run_gap_hours"):
        run_assessment(SourceOptions(repos=(str(saved),)))


def test_user_rubric_without_collection_gets_the_bundled_section(tmp_path):
    text = package_file("levels", "rubric.yaml").read_text()
    head, _, tail = text.partition("collection:")
    rest = tail.split("\n\n", 1)[1]
    user = tmp_path / "old.yaml"
    user.write_text(head + rest)
    assert load_rubric(user)["collection"] == load_rubric()["collection"]


def test_pooled_months_follow_the_declaration(mined):
    ev = build_evidence(mined)
    pooled = pool_signals([ev, json.loads(json.dumps(ev) .replace('"name": "loop"', '"name": "loop2"'))])
    one = {m["month"]: m for m in ev["signals"]["by_month"]}
    for m in pooled["by_month"]:
        assert m["code_commits"] == 2 * one[m["month"]]["code_commits"]
        assert m["max_chain"] == one[m["month"]]["max_chain"]


def test_a_median_of_counts_may_fall_between_two_counts():
    # found on github/spec-kit: merges of 481 and 502 lines give a median of 491.5 lines, which the
    # evidence schema once refused as "not an integer" and turned a report into an internal error
    from assess.signal_catalogue import SIGNALS

    medians = [s for s in SIGNALS if s.aggregation == "median"]
    assert medians and all(s.json_type()["type"] in ("number", ["number", "null"]) for s in medians)
    lines = next(s for s in medians if s.name == "ai_merge_lines_median")
    jsonschema.validate(491.5, lines.json_type())
