"""Below the anonymity threshold nothing lets a reader work out one respondent's answers."""

from __future__ import annotations

import json

import jsonschema

from assess.resources import package_file
from assess.survey import load_questionnaire, load_responses, score_survey, simulate_responses


def _walk(obj, path=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _walk(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _walk(v, f"{path}[{i}]")
    else:
        yield path, obj


def test_small_group_publishes_means_only(tmp_path):
    q = load_questionnaire()
    simulate_responses(tmp_path / "r", n=3, seed=2)
    small = score_survey(q, load_responses([tmp_path / "r"], q), min_group=5)
    jsonschema.validate(small, json.loads(package_file("schemas", "survey.schema.json").read_text()))
    assert small["anonymity"]["aggregated_only"] and small["per_respondent"] is None
    assert small["claimed_level"]["distribution"] is None and small["claimed_level"]["median"] is None
    assert small["claimed_level"]["mean"] is not None
    leaks = [(p, v) for p, v in _walk(small) if v is not None and (
        p.endswith((".median", ".sd", ".min", ".max", ".count", ".share", ".share_expecting_faster", "h"))
        or ".answers" in p)]
    assert leaks == []
    big = score_survey(q, load_responses([tmp_path / "r"], q), min_group=3)
    assert big["claimed_level"]["distribution"] is not None and big["perceived_ai_share"]["median"] is not None
