"""Scoring: dimension scores and levels, Cronbach's alpha, perceptions on METR's scale, anonymity."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import jsonschema
import pytest
from test_survey_import import answers, write_response

from assess.resources import package_file
from assess.survey import load_questionnaire, load_responses, score_survey, simulate_responses
from assess.survey.stats import cronbach_alpha

Q = load_questionnaire()
SCHEMA = json.loads(package_file("schemas", "survey.schema.json").read_text())
jsonschema.Draft202012Validator.check_schema(SCHEMA)


def validate(summary: dict) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(json.loads(json.dumps(summary)))


def score_dir(directory: Path, **kw) -> dict:
    summary = score_survey(Q, load_responses([directory], Q), **kw)
    validate(summary)
    return summary


def test_simulated_team_scores_near_its_level_with_full_traceability(tmp_path):
    simulate_responses(tmp_path, n=30, seed=7, profile="level3")
    s = score_dir(tmp_path)
    assert s["respondents"] == 30 and s["rejected_count"] == 0
    assert s["questionnaire"] == {"id": "assess-default", "version": "1.0", "title": Q.title}
    assert s["anonymity"] == {"min_group": 5, "aggregated_only": False, "note": s["anonymity"]["note"]}
    for name, dim in s["dimensions"].items():
        assert 2.3 < dim["score"] < 3.7, name
        assert dim["level"] == 3 and dim["n"] == 30
        assert dim["items"] == [i.id for i in Q.dimension_items(name)]
        assert set(dim["item_levels"]) == set(dim["items"])
        assert dim["alpha"] is not None and dim["alpha_n"] == 30
    assert s["claimed_level"]["item"] == "q_level_self" and s["claimed_level"]["n"] == 30
    assert sum(s["claimed_level"]["distribution"].values()) == 30
    assert s["claimed_level"]["mean"] > s["dimensions"]["review"]["score"]     # the simulated team over-claims
    assert s["perceived_ai_share"]["item"] == "q_ai_share" and 0.4 < s["perceived_ai_share"]["mean"] < 0.9
    retro, forecast = s["perceived_speedup"]["retrospective"], s["perceived_speedup"]["forecast"]
    assert (retro["item"], forecast["item"]) == ("q_speedup_retro", "q_speedup_forecast")
    assert -0.35 < retro["mean"] < -0.05 and forecast["mean"] < 0                 # negative = faster
    assert s["unattended_hours"]["item"] == "q_unattended_hours"
    assert s["verification"]["item"] == "q_verify" and s["verification"]["n"] == 30
    assert len(s["per_respondent"]) == 30
    assert s["free_text"]["q_text_next_level"]["withheld"] is False


def test_exact_numbers_and_the_metr_sign(tmp_path):
    write_response(tmp_path / "a.json", "a", level=2, q_ai_share=40, q_speedup_retro=-30, q_speedup_forecast=20,
                   q_unattended_hours=0)
    write_response(tmp_path / "b.json", "b", level=4, q_ai_share=80, q_speedup_retro=10, q_speedup_forecast=-50,
                   q_unattended_hours=6, q_verify=["nothing"])
    s = score_dir(tmp_path, min_group=2)
    assert s["claimed_level"]["distribution"] == {"0": 0, "1": 0, "2": 1, "3": 0, "4": 1, "5": 0}
    assert s["claimed_level"]["median"] == 3.0
    assert s["perceived_ai_share"]["mean"] == pytest.approx(0.6)
    assert s["perceived_speedup"]["retrospective"]["mean"] == pytest.approx(-0.10)    # (-0.3 + 0.1) / 2
    assert s["perceived_speedup"]["forecast"]["median"] == pytest.approx(-0.15)
    assert s["perceived_speedup"]["forecast"]["share_expecting_faster"] == 0.5
    assert s["unattended_hours"]["share_at_least"] == {"1h": 0.5, "4h": 0.5, "12h": 0.0}
    assert s["verification"]["options"]["ci_tests"]["count"] == 1
    assert s["verification"]["options"]["nothing"]["share"] == 0.5
    # review: every_diff (3), reads-every-diff strongly agree reversed (2), auto-merge disagree (2), human_read (3)
    assert s["dimensions"]["review"]["score"] == pytest.approx(2.5)
    assert s["dimensions"]["review"]["alpha_flag"] == "not_computable"            # 2 respondents
    assert "at least 3" in s["dimensions"]["review"]["alpha_note"]


def test_cronbach_alpha_matches_the_textbook_formula_and_flags():
    rows = [[1, 2, 2], [2, 2, 3], [3, 4, 3], [4, 4, 5], [5, 4, 5]]
    k = 3
    item_var = sum(statistics.variance(c) for c in zip(*rows))
    total_var = statistics.variance([sum(r) for r in rows])
    alpha, why = cronbach_alpha(rows)
    assert why is None and alpha == pytest.approx(k / (k - 1) * (1 - item_var / total_var))
    assert cronbach_alpha([[1, 1], [2, 2]])[0] is None
    assert cronbach_alpha([[3, 3], [3, 3], [3, 3]])[1].endswith("(no variance)")
    assert cronbach_alpha([[1], [2], [3]])[1].startswith("a single item")


def test_inconsistent_items_are_flagged_low(tmp_path):
    # respondents who say agents write everything and also that they type every line themselves
    for i, (who, typed) in enumerate([("me_typed", 1), ("ai_all", 5), ("pairing", 2), ("ai_most", 4), ("me_pieces", 3)]):
        write_response(tmp_path / f"{i}.json", str(i), q_auth_who=who, q_auth_type=typed, q_ai_share=50, q_auth_steer=3)
    dim = score_dir(tmp_path)["dimensions"]["authorship"]
    assert dim["alpha"] < 0.7 and dim["alpha_flag"] == "low" and "below 0.7" in dim["alpha_note"]


def test_small_groups_get_aggregates_only_and_free_text_never_leaves(tmp_path):
    secret = "Our CTO forbids agents on the billing code"
    for i in range(3):
        write_response(tmp_path / f"{i}.json", str(i), q_text_next_level=f"{secret} #{i}", q_ai_share=10 * i)
    s = score_dir(tmp_path)
    assert s["anonymity"]["aggregated_only"] is True and s["respondents"] == 3
    dumped = json.dumps(s)
    assert secret not in dumped
    assert s["free_text"]["q_text_next_level"] == {"item": "q_text_next_level", "n": 3, "withheld": True, "answers": None}
    assert s["per_respondent"] is None
    assert "min" not in s["perceived_ai_share"] and "max" not in s["unattended_hours"]
    # the threshold is configurable
    s2 = score_dir(tmp_path, min_group=3)
    assert s2["anonymity"]["aggregated_only"] is False
    assert s2["free_text"]["q_text_next_level"]["answers"] == [f"{secret} #{i}" for i in range(3)]


def test_rejections_are_counted_in_the_summary(tmp_path):
    simulate_responses(tmp_path, n=6, seed=1)
    write_response(tmp_path / "old.json", "old", version="0.9")
    (tmp_path / "empty.csv").write_bytes(b"")
    s = score_dir(tmp_path)
    assert s["respondents"] == 6 and s["rejected_count"] == 2
    assert {(Path(r["source"]).name, r["location"]) for r in s["rejected"]} == {("old.json", "line 4"), ("empty.csv", "file")}
    assert all(r["reason"] for r in s["rejected"])


def test_no_responses_at_all(tmp_path):
    s = score_dir(tmp_path)
    assert s["respondents"] == 0 and s["anonymity"]["aggregated_only"] is True
    assert all(d["score"] is None and d["level"] is None for d in s["dimensions"].values())
    assert s["claimed_level"]["median"] is None and s["perceived_speedup"]["forecast"]["mean"] is None


def test_simulation_is_deterministic_and_profiles_move_the_scores(tmp_path):
    a = simulate_responses(tmp_path / "a", n=5, seed=4)
    b = simulate_responses(tmp_path / "b", n=5, seed=4)
    assert [p.read_text() for p in a] == [p.read_text() for p in b]
    low = score_dir(simulate_responses(tmp_path / "low", n=15, profile="level1")[0].parent)
    high = score_dir(simulate_responses(tmp_path / "high", n=15, profile=5)[0].parent)
    for name in low["dimensions"]:
        assert low["dimensions"][name]["score"] + 1.5 < high["dimensions"][name]["score"], name
    with pytest.raises(ValueError):
        simulate_responses(tmp_path / "x", profile="level9")


def test_identical_answer_sets_are_noted(tmp_path):
    write_response(tmp_path / "a.json", "a")
    write_response(tmp_path / "b.json", "b")
    rs = load_responses([tmp_path], Q)
    assert len(rs.responses) == 2 and any("identical answers" in n.message for n in rs.notices)
    assert answers()["q_level_self"] == "level3"


def test_scoring_refuses_responses_read_for_another_questionnaire(tmp_path):
    from assess.survey import ResponseSet

    with pytest.raises(ValueError, match="not assess-default 1.0"):
        score_survey(Q, ResponseSet("assess-default", "0.9"))
    with pytest.raises(ValueError):
        score_survey(Q, load_responses([], Q), min_group=0)
