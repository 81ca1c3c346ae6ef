"""The questionnaire as data: the bundled default, schema validation with file/line/field errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assess.errors import InputError
from assess.resources import data_path
from assess.survey import DIMENSIONS, check_questionnaire, load_questionnaire
from assess.survey.loader import default_questionnaire_path

DEFAULT_TEXT = default_questionnaire_path().read_text(encoding="utf-8")


def test_default_is_package_data_and_loads():
    assert default_questionnaire_path().parent == data_path("questionnaires")
    assert (data_path("questionnaires") / "questionnaire.schema.json").is_file()
    q = load_questionnaire()
    assert q.id == "assess-default" and q.version == "1.0"
    assert q == load_questionnaire(default_questionnaire_path())


def test_default_covers_every_dimension_with_several_items_and_every_role():
    q = load_questionnaire()
    for dimension in DIMENSIONS:
        items = q.dimension_items(dimension)
        assert len(items) >= 3, dimension
        assert any(i.type == "likert" for i in items), dimension
    for role in ("claimed_level", "ai_share", "speedup_retrospective", "speedup_forecast",
                 "unattended_hours", "verification"):
        assert q.by_role(role) is not None, role
    types = {i.type for i in q.items}
    assert {"single_choice", "multi_choice", "likert", "number", "percentage", "text"} <= types
    assert any(i.reverse for i in q.items if i.type == "likert")
    ids = [i.id for i in q.items]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"q_[a-z0-9_]+", i) for i in ids)


def test_self_placement_describes_each_level_in_plain_words():
    q = load_questionnaire()
    claimed = q.by_role("claimed_level")
    assert claimed.required
    assert sorted(o.level for o in claimed.options) == [0, 1, 2, 3, 4, 5]
    assert [s.level for s in q.scale] == [0, 1, 2, 3, 4, 5]
    assert all(len(o.label) > 40 for o in claimed.options)


def test_speedup_items_state_their_sign_convention_and_convert_to_metr_scale():
    q = load_questionnaire()
    for role in ("speedup_retrospective", "speedup_forecast"):
        item = q.by_role(role)
        assert item.convention == "time_change_percent"
        assert "slower" in item.text and "faster" in item.text
        assert item.to_metr(-30) == pytest.approx(-0.30)   # 30% less time = faster
        assert item.to_metr(20) == pytest.approx(0.20)     # 20% more time = slower
    speed = q.by_role("speedup_forecast").model_copy(update={"convention": "speed_factor"})
    assert speed.to_metr(2) == pytest.approx(-0.5)         # METR exit survey: 2x faster
    saved = q.by_role("speedup_forecast").model_copy(update={"convention": "time_saved_percent"})
    assert saved.to_metr(25) == pytest.approx(-0.25)


def test_levels_supported_by_answers():
    q = load_questionnaire()
    reverse = q.item("q_review_every_diff")                  # reverse-coded, level_range [2, 5]
    assert reverse.reverse
    assert reverse.level_of(5) == pytest.approx(2.0)         # strongly agree: someone reads every diff
    assert reverse.level_of(1) == pytest.approx(5.0)
    assert reverse.level_of(3) == pytest.approx(3.5)
    assert q.item("q_auth_steer").level_of(1) == pytest.approx(1.0)
    assert q.item("q_review_read").level_of("every_diff") == 3
    assert q.item("q_verify").level_of(["ci_tests", "holdout"]) == 5
    hours = q.item("q_unattended_hours")
    assert [hours.level_of(h) for h in (0, 0.5, 2, 12, 48)] == [1, 2, 3, 4, 5]
    assert q.item("q_text_comments").level_of("hello") is None


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_unknown_field_is_reported_with_file_line_and_field(tmp_path):
    text = DEFAULT_TEXT.replace("        reverse: true\n        level_range: [2, 5]\n",
                                "        reverse: true\n        colour: red\n        level_range: [2, 5]\n", 1)
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_questionnaire(path)
    err = info.value
    assert err.path == path and err.line == _line_of(text, "colour: red")
    assert err.field.endswith(".colour") and err.field.startswith("sections[")
    assert "unknown field 'colour'" in str(err) and f"mine.yaml:{err.line}" in str(err)


def test_wrong_type_missing_key_and_bad_option_level(tmp_path):
    text = (DEFAULT_TEXT.replace("version: \"1.0\"", "version: 1.0")
            .replace("{id: me_typed, level: 0,", "{id: me_typed, level: 9,")
            .replace("      - id: q_auth_steer\n        type: likert\n", "      - id: q_auth_steer\n"))
    _, problems = check_questionnaire(_write(tmp_path, text))
    by_field = {p.field: p for p in problems}
    assert by_field["version"].line == _line_of(text, "version: 1.0")
    level_field = [f for f in by_field if f.endswith("options[0].level")]
    assert level_field and by_field[level_field[0]].line == _line_of(text, "{id: me_typed, level: 9")
    assert any("'type' is required" in p.message for p in problems)
    assert [p.line for p in problems] == sorted(p.line for p in problems)


def test_duplicate_ids_and_semantic_problems_name_the_line(tmp_path):
    text = DEFAULT_TEXT.replace("- id: q_auth_type\n", "- id: q_auth_who\n")
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_questionnaire(path)
    assert "duplicate item id 'q_auth_who'" in str(info.value)
    assert info.value.line == _line_of(text, "- id: q_auth_who\n        type: likert")
    text = DEFAULT_TEXT.replace("        min: -95\n        max: 300\n", "        min: 300\n        max: -95\n", 1)
    _, problems = check_questionnaire(_write(tmp_path, text))
    assert any("min (300) must be below max (-95)" in p.message for p in problems)


def test_yaml_syntax_error_and_empty_file(tmp_path):
    path = _write(tmp_path, "id: x\nversion: '1'\nsections: [\n  {id: a\n")
    with pytest.raises(InputError) as info:
        load_questionnaire(path)
    assert "not valid YAML" in str(info.value) and info.value.line is not None
    with pytest.raises(InputError, match="empty"):
        load_questionnaire(_write(tmp_path, "\n\n"))
    with pytest.raises(InputError, match="no such file"):
        load_questionnaire(tmp_path / "missing.yaml")


def test_a_custom_questionnaire_with_few_items_loads(tmp_path):
    path = _write(tmp_path, """
id: tiny
version: "2"
title: Tiny
sections:
  - id: s
    title: S
    items:
      - {id: q_a, type: likert, dimension: review, text: "A"}
      - {id: q_b, type: single_choice, text: "B", options: [{id: x, label: X, level: 1}, {id: y, label: Y, level: 2}]}
""")
    q = load_questionnaire(path)
    assert [i.id for i in q.items] == ["q_a", "q_b"] and q.used_dimensions == ["review"]
