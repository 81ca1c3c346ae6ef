"""`assess survey` commands through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from click.testing import CliRunner
from test_survey_import import google_row, write_google_csv, write_response

from assess.cli import main
from assess.resources import package_file
from assess.survey import load_questionnaire, load_responses, simulate_responses

Q = load_questionnaire()
SCHEMA = json.loads(package_file("schemas", "survey.schema.json").read_text())

# one line per prompt, in questionnaire order; blanks skip optional items, bad answers are re-asked
TYPED = [
    "",            # q_level_self is required: asked again
    "9",           # out of range: asked again
    "4",           # q_level_self -> level3
    "ai_most",     # q_auth_who by option id
    "150", "60",   # q_ai_share: above 100 -> asked again
    "2", "4",      # q_auth_type, q_auth_steer
    "4", "5", "1", "2",           # review
    "4", "3", "3", "3",           # specification
    "3,4,99", "3,4", "4", "2", "3",   # validation: 99 is not an option -> asked again
    "4", "1.5", "3", "3",         # autonomy
    "4", "3", "3", "3",           # organisation
    "-20", "-30",                 # speedup retrospective, forecast
    "Not enough tests", "",       # free text
    "",                           # name/email: anonymous
]


def test_take_writes_a_valid_anonymous_response(tmp_path):
    out = tmp_path / "me.json"
    result = CliRunner().invoke(main, ["survey", "take", "-o", str(out)], input="\n".join(TYPED) + "\n")
    assert result.exit_code == 0, result.output
    assert "an answer is required" in result.output and "choose a number from 1 to 6" in result.output
    assert "above the maximum 100%" in result.output and "choose numbers from 1 to 9" in result.output
    data = json.loads(out.read_text())
    assert "respondent" not in data and data["channel"] == "terminal"
    assert data["answers"]["q_level_self"] == "level3" and data["answers"]["q_verify"] == ["peer_review", "ci_tests"]
    assert data["answers"]["q_speedup_retro"] == -20 and "q_text_comments" not in data["answers"]
    rs = load_responses([out], Q)
    assert len(rs.responses) == 1 and rs.rejected == []
    assert not list(tmp_path.glob(".*.tmp"))      # atomic write left no temporary file


def test_take_with_a_name_and_into_a_directory(tmp_path):
    typed = TYPED[:-1] + ["ada@example.com"]
    result = CliRunner().invoke(main, ["survey", "take", "-o", str(tmp_path)], input="\n".join(typed) + "\n")
    assert result.exit_code == 0, result.output
    [path] = tmp_path.glob("survey-response-*.json")
    assert json.loads(path.read_text())["respondent"] == {"email": "ada@example.com"}


def test_take_interrupted_writes_nothing(tmp_path):
    result = CliRunner().invoke(main, ["survey", "take", "-o", str(tmp_path / "x.json")], input="4\n")
    assert result.exit_code != 0 and not (tmp_path / "x.json").exists()


def test_validate_questionnaire_and_responses(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["survey", "validate", str(package_file().parent / "questionnaires" / "default.yaml")])
    assert ok.exit_code == 0 and "valid questionnaire 'assess-default' version 1.0, 29 items" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: mine\nversion: '1'\ntitle: T\nsections:\n  - id: s\n    title: S\n    items:\n"
                   "      - {id: q_a, type: likert, text: A, scale: 7}\n      - {id: q_a, type: text, text: B}\n")
    result = runner.invoke(main, ["survey", "validate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:8: field 'sections[0].items[0].scale': unknown field 'scale'" in result.output
    write_response(tmp_path / "r.json", "r", q_ai_share=101)
    result = runner.invoke(main, ["survey", "validate", str(tmp_path / "r.json")])
    assert result.exit_code == 1 and "field 'q_ai_share': above the maximum 100%" in result.output
    assert "0 valid response(s), 1 rejected" in result.output


def test_import_csv_then_score_json(tmp_path):
    rows = [dict(google_row(level), **{"Email Address": f"p{i}@example.com"}) for i, level in enumerate([2, 3, 3, 4, 3, 4])]
    rows[5] = google_row(3, q_ai_share="200")
    csv_path = write_google_csv(tmp_path / "form.csv", rows)
    runner = CliRunner()
    result = runner.invoke(main, ["survey", "import", str(csv_path), "-o", str(tmp_path / "imported")])
    assert result.exit_code == 0, result.output
    assert "Imported 5 response(s)" in result.output and "1 rejected" in result.output
    assert f"rejected: {csv_path}:row 7: field 'q_ai_share': above the maximum 100%" in result.output
    assert "identifying columns dropped: Timestamp, Email Address" in result.output
    assert "example.com" not in "".join(p.read_text() for p in (tmp_path / "imported").iterdir())
    out = tmp_path / "summary.json"
    result = runner.invoke(main, ["survey", "score", str(tmp_path / "imported"), "--json", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads(out.read_text())
    jsonschema.validate(summary, SCHEMA)
    assert summary["respondents"] == 5 and summary["anonymity"]["aggregated_only"] is False
    assert "Claimed level [q_level_self]" in result.output and "METR's scale" in result.output
    # the same import again: the same response ids, so nothing is counted twice
    result = runner.invoke(main, ["survey", "score", str(tmp_path / "imported"), str(csv_path), "--min-group", "6"])
    assert "5 respondent(s)" in result.output and "duplicate response" in result.output
    assert "fewer than 6" in result.output


def test_score_json_to_stdout_and_bad_input_gives_one_line(tmp_path):
    simulate_responses(tmp_path / "r", n=5)
    result = CliRunner().invoke(main, ["survey", "score", str(tmp_path / "r"), "--json", "-"])
    assert result.exit_code == 0
    jsonschema.validate(json.loads(result.stdout), SCHEMA)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "a.csv").write_bytes(b"\xef\xbb\xbf")
    result = CliRunner().invoke(main, ["survey", "score", str(tmp_path / "empty")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "assess: error: no valid responses to score (1 rejected)" in result.output
    result = CliRunner().invoke(main, ["survey", "score", str(tmp_path / "r"), "--questionnaire", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2 and "nope.yaml: no such file" in result.output


def test_form_command_writes_self_contained_html(tmp_path):
    out = tmp_path / "survey.html"
    result = CliRunner().invoke(main, ["survey", "form", "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "q_review_every_diff" in html and "http://" not in html and "https://" not in html
    assert "<script src" not in html and "<link rel=\"stylesheet\"" not in html
    assert Path(out).stat().st_size < 100_000
