"""Level placement: histories shaped like each level, property tests, survey, rubric, timeline."""

from __future__ import annotations

import copy
import json

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from levelshapes import ALICE, SHAPES, SynthCommit, code, day_time, spec_only, strip_traces

from assess.errors import InputError
from assess.levels import load_rubric, place_repository, place_team
from assess.mining import build_evidence, mine_repository
from assess.resources import package_file
from assess.synthetic import write_history

LEVEL_SCHEMA = json.loads(package_file("schemas", "level.schema.json").read_text())
HUMAN_ONLY_RANGE = SHAPES["human-only"][2]


def evidence_for(tmp_path, name, commits):
    path = tmp_path / name
    write_history(path, commits)
    return build_evidence(mine_repository(path, use_cache=False))


@pytest.fixture(scope="module")
def shaped(tmp_path_factory):
    """Evidence for every shape, with and without agent traces (built once per module)."""
    tmp = tmp_path_factory.mktemp("shapes")
    out = {}
    for name, (fn, _, _) in SHAPES.items():
        out[(name, True)] = evidence_for(tmp, name, fn())
        out[(name, False)] = evidence_for(tmp, name + "-untraced", strip_traces(fn()))
    return out


@pytest.mark.parametrize("name", list(SHAPES))
def test_each_shape_places_in_its_level_or_range(shaped, name):
    _, level, expected_range = SHAPES[name]
    lv = place_repository(shaped[(name, True)])
    jsonschema.validate(lv, LEVEL_SCHEMA)
    o = lv["overall"]
    assert o["level"] == level, o["summary"]
    assert expected_range[0] <= o["range"][0] and o["range"][1] <= expected_range[1], o["range"]
    if level is None:
        assert o["range"] == list(HUMAN_ONLY_RANGE) and o["confidence"] == "low"
    # the failed gate names the next level and what evidence would pass it
    if (level or 0) < 5:
        assert o["failed_gate"]["level"] == (level or 0) + 1 or o["failed_gate"]["level"] > (level or 0)
        assert o["failed_gate"]["needed"]


@pytest.mark.parametrize("name", list(SHAPES))
def test_removing_agent_traces_never_exceeds_human_only_range(shaped, name):
    human_only = place_repository(shaped[("human-only", True)])["overall"]
    o = place_repository(shaped[(name, False)])["overall"]
    assert o["level"] is None
    assert o["range"][1] <= human_only["range"][1] and o["range"][0] >= human_only["range"][0]


def test_human_only_history_is_a_range_never_a_confident_zero(shaped):
    lv = place_repository(shaped[("human-only", True)])
    assert lv["overall"]["level"] is None and lv["overall"]["range"] == [0, 2]
    assert "cannot tell" in lv["dimensions"]["authorship"]["summary"]


def test_level3_names_review_or_authorship_gate_and_evidence_refs(shaped):
    lv = place_repository(shaped[("agents-merged-by-humans", True)])
    review = lv["dimensions"]["review"]
    merged = [e for e in review["evidence"] if e["signal"] == "review.ai_merges_by_human"][0]
    assert merged["value"] == 12 and len(merged["refs"]["commits"]) > 0
    ev = shaped[("agents-merged-by-humans", True)]
    shas = set(ev["signals"]["window"]["refs"]["ai_merges_by_human"])
    assert set(merged["refs"]["commits"]) <= shas


def test_spec_only_repository_is_not_placeable(tmp_path):
    ev = evidence_for(tmp_path, "specs", spec_only())
    lv = place_repository(ev)
    jsonschema.validate(lv, LEVEL_SCHEMA)
    assert lv["overall"]["placeable"] is False and lv["overall"]["level"] is None
    assert "not Level 0" in lv["overall"]["summary"]


def test_agent_files_in_test_fixtures_do_not_count(tmp_path):
    commits = SHAPES["human-only"][0]() + [
        SynthCommit(ALICE, day_time(30), "fixture\n", {"tests/fixtures/proj/CLAUDE.md": "x",
                                                      "tests/fixtures/proj/specs/001-x/spec.md": "s"})]
    lv = place_repository(evidence_for(tmp_path, "fx", commits))
    assert lv["dimensions"]["specification"]["level"] is None


def test_loop_commits_under_a_persons_name_are_inferred_agent_work(tmp_path):
    commits = SHAPES["human-only"][0]()
    # an agent loop committing as its operator every 10 minutes, round the clock, no trailer
    t0 = day_time(20, 0)
    for i in range(150):
        commits.append(SynthCommit(ALICE, t0 + i * 600, f"loop step {i}\n", {f"src/loop{i % 5}.py": code("l", 3, i)}))
    lv = place_repository(evidence_for(tmp_path, "loop", commits))
    # issue 11: machine cadence is evidence that feeds authorship and autonomy, not only the upper bound
    auth, auto = lv["dimensions"]["authorship"], lv["dimensions"]["autonomy"]
    assert auth["level"] is not None and auth["level"] >= 3
    assert auto["level"] is not None and auto["level"] >= 3
    assert lv["overall"]["level"] is not None and lv["overall"]["level"] >= 3  # was: not placeable


def test_timeline_shows_when_the_team_moved(tmp_path):
    commits = SHAPES["human-only"][0]()
    # two months later the team starts pairing with agents
    for i in range(30):
        files = {f"src/m{j}.py": code("p", 4, 1000 + i * 10 + j) for j in range(3)}
        commits.append(SynthCommit(ALICE, day_time(70 + i, 10), "pair\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n",
                                   files))
    lv = place_repository(evidence_for(tmp_path, "move", commits))
    levels = [t["level"] for t in lv["timeline"]]
    assert levels[0] is None and levels[-1] is not None and levels[-1] >= 2


def test_survey_narrows_ranges_and_contradictions_are_reported(shaped):
    ev = shaped[("human-only", True)]
    survey = {"respondents": 6, "claimed_level": {"median": 4, "mean": 3.8, "n": 6, "item": "q_level_self"},
              "dimensions": {"authorship": {"level": 1, "score": 1.2, "n": 6, "items": ["q_auth_1"]},
                             "review": {"level": 4, "score": 4.0, "n": 6, "items": ["q_rev_1"]},
                             "organisation": {"level": 2, "score": 2.1, "n": 6, "items": ["q_org_1"]}},
              "perceived_ai_share": {"mean": 0.4, "median": 0.4, "n": 6, "item": "q_ai_share"}}
    lv = place_repository(ev, survey=survey)
    jsonschema.validate(lv, LEVEL_SCHEMA)
    a = lv["dimensions"]["authorship"]
    # git saw no agent trace: the team's claim is shown as a claim and does not narrow the range
    assert a["level"] is None and a["range"] == [0, 2] and a["source"] == "git+survey"
    assert "claims Level 1 (self-reported, not evidenced)" in a["summary"] and a["confidence"] == "low"
    assert lv["dimensions"]["organisation"]["level"] == 2
    assert any(c["dimension"] == "review" for c in lv["contradictions"])
    gaps = lv["gaps"]
    assert gaps["level"]["claimed"] == 4 and gaps["level"]["gap"] > 0
    assert gaps["ai_share"]["perceived"] == 0.4 and gaps["ai_share"]["mined"] == 0.0
    assert gaps["ai_share"]["gap_pp"] == 40.0


def test_study_feeds_the_speedup_gap(shaped):
    study = {"estimate": {"speedup": 0.188, "ci95": [0.013, 0.395], "method": "ols", "n_tasks": 40},
             "forecast_speedup": -0.237, "n_tasks": 40,
             "perceived": {"pre_study": {"speedup": -0.24, "n_developers": 4}, "post_task": None,
                           "post_study": {"speedup": -0.2, "n_developers": 4}},
             "gaps": {"forecast_pp": -42.5, "pre_study_pp": -42.8, "post_task_pp": None, "post_study_pp": -38.8}}
    lv = place_repository(shaped[("pairing", True)], study=study)
    sp = lv["gaps"]["speedup"]
    assert sp["measured"] == 0.188 and sp["perceived"] == -0.2 and sp["gap_pp"] == pytest.approx(-38.8)
    assert sp["forecast_gap_pp"] == -42.5  # the study's own figure, not recomputed


def test_team_pools_repositories(shaped):
    evs = [shaped[("agents-merged-by-humans", True)], shaped[("human-only", True)]]
    team = place_team(evs)
    jsonschema.validate(team, LEVEL_SCHEMA)
    a = team["dimensions"]["authorship"]
    single = place_repository(evs[0])["dimensions"]["authorship"]
    assert a["level"] is not None and a["level"] <= single["level"]
    assert team["sources"]["repositories"] == [e["repository"]["name"] for e in evs]


def test_user_rubric_and_malformed_rubric(tmp_path, shaped):
    import yaml

    data = yaml.safe_load(package_file("levels", "rubric.yaml").read_text())
    data["authorship"].update(level3_share=0.95, level4_share=0.96)  # a stricter team
    strict = tmp_path / "strict.yaml"
    strict.write_text(yaml.safe_dump(data))
    lv = place_repository(shaped[("agents-merged-by-humans", True)], rubric_path=strict)
    assert lv["overall"]["level"] == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("minimum_evidence: {code_commits: 10, confident_code_commits: 100}\nauthorship: {level2_share: x}\n"
                   "review: {}\nspecification: {}\nvalidation: {}\nautonomy: {}\ngates: {1: {authorship: 1}}\n")
    with pytest.raises(InputError) as exc:
        load_rubric(bad)
    assert exc.value.line == 2 and exc.value.field == "authorship.level2_share"
    typo = tmp_path / "typo.yaml"
    data["authorship"]["level3_shares"] = data["authorship"].pop("level3_share")
    typo.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError, match="unknown threshold 'level3_shares'"):
        load_rubric(typo)
    data["authorship"]["level3_share"] = 1.7
    data["authorship"].pop("level3_shares")
    typo.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError, match="between 0 and 1"):
        load_rubric(typo)


# ---------------------------------------------------------------- property tests on the judgement

def _window(shaped_ev):
    return copy.deepcopy(shaped_ev["signals"]["window"])


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from([n for n in SHAPES if n != "human-only"]), reviewed=st.floats(0, 1),
       fixes=st.floats(0, 1))
def test_adding_line_by_line_review_never_raises_the_level(shaped, name, reviewed, fixes):
    ev = shaped[(name, True)]
    before = place_repository(ev)
    more = copy.deepcopy(ev)
    w = more["signals"]["window"]
    w["ai_review_trailers"] = max(w["ai_review_trailers"], int(round(reviewed * w["ai_commits"])))
    w["ai_followup_fixes"] = max(w["ai_followup_fixes"], int(round(fixes * w["ai_code_commits"])))
    after = place_repository(more)
    for dim in ("review", "autonomy"):
        b, a = before["dimensions"][dim], after["dimensions"][dim]
        assert (a["level"] or 0) <= (b["level"] or 0) and a["range"][1] <= b["range"][1]
    assert (after["overall"]["level"] or 0) <= (before["overall"]["level"] or 0)
    assert after["overall"]["range"][1] <= before["overall"]["range"][1]


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(list(SHAPES)), human_extra=st.integers(0, 200))
def test_zero_traced_agent_work_never_exceeds_human_only_range(shaped, name, human_extra):
    ev = copy.deepcopy(shaped[(name, True)])
    w = ev["signals"]["window"]
    for key in list(w):
        if key.startswith("ai_") and isinstance(w[key], (int, float)):
            w[key] = 0 if not key.endswith("median") else None
    w["max_chain"] = w["chains_ge5"] = 0
    w["max_chain_span_hours"] = w["longest_chain_span_hours"] = 0.0
    w["human_code_commits"] = w["code_commits"] = w["code_commits"] + human_extra
    o = place_repository(ev)["overall"]
    assert o["level"] is None and o["range"][1] <= HUMAN_ONLY_RANGE[1]


def test_window_is_anchored_on_the_newest_change_not_a_late_merge(tmp_path):
    commits = SHAPES["occasional"][0]()
    base_mark = len(commits)
    commits.append(SynthCommit(ALICE, day_time(200), "late work\n", {"src/late.py": "x = 1\n"}, branch="late",
                               parent=base_mark))
    commits.append(SynthCommit(ALICE, day_time(400), "Merge branch 'late'\n", {}, branch="main",
                               merge=len(commits)))
    ev = evidence_for(tmp_path, "late", commits)
    assert ev["signals"]["window"]["code_commits"] >= 1
    assert place_repository(ev)["overall"]["placeable"]


def test_a_person_committing_code_rules_out_level_5(shaped):
    ev = copy.deepcopy(shaped[("dark-factory", True)])
    w = ev["signals"]["window"]
    w["human_code_commits"] += 1
    w["code_commits"] += 1
    assert place_repository(ev)["dimensions"]["authorship"]["level"] <= 4


def test_agent_commits_are_judged_in_the_team_time_zone(tmp_path):
    pacific = "-0800"
    commits = []
    for d in range(10):
        for h in range(9, 18):  # people work 9-17 Pacific
            t = 1_767_600_000 + d * 86400 + (h + 8) * 3600
            commits.append(SynthCommit(ALICE, t, f"h{d}-{h}\n", {f"src/h{d}_{h}.py": "x\n"}, tz=pacific))
        # a cloud agent commits at 10:00 and 14:00 Pacific, recorded in UTC
        for h in (10, 14):
            t = 1_767_600_000 + d * 86400 + (h + 8) * 3600 + 60
            commits.append(SynthCommit(("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com"), t,
                                       f"a{d}-{h}\n", {f"src/a{d}_{h}.py": "y\n"}))
    commits.sort(key=lambda c: c.time)
    ev = evidence_for(tmp_path, "tz", commits)
    assert ev["signals"]["window"]["ai_off_hours_commits"] == 0
