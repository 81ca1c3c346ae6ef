"""Reading responses: JSON files, Google Forms CSV, Microsoft Forms .xlsx, and every kind of bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest

from assess.survey import load_questionnaire, load_responses, simulate_responses
from assess.survey.responses import Response

Q = load_questionnaire()


def answers(level: int = 3, **overrides) -> dict:
    """A complete, valid answer set for a respondent working at ``level``."""
    base = {
        "q_level_self": f"level{level}", "q_auth_who": "ai_most", "q_ai_share": 60, "q_auth_type": 2,
        "q_auth_steer": 4, "q_review_read": "every_diff", "q_review_every_diff": 5, "q_review_auto_merge": 1,
        "q_review_merger": "human_read", "q_spec_input": "issue", "q_spec_repo": 3, "q_spec_handwritten": 3,
        "q_spec_while_coding": 3, "q_verify": ["peer_review", "ci_tests"], "q_val_tests": "all",
        "q_val_trust": 2, "q_val_catch": 3, "q_auto_mode": "many_sessions", "q_unattended_hours": 1.5,
        "q_auto_leave": 3, "q_auto_input": 3, "q_org_role": "review_manage", "q_org_planning": 3,
        "q_org_policy": 3, "q_org_spend": "lt500", "q_speedup_retro": -20, "q_speedup_forecast": -30,
        "q_text_next_level": "We lack tests.",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def write_response(path: Path, rid: str = "r1", *, version: str = "1.0", **overrides) -> Path:
    data = Response(response_id=rid, questionnaire_id=Q.id, questionnaire_version=version,
                    answers=answers(**overrides)).to_json()
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def test_json_responses_from_files_and_directories(tmp_path):
    simulate_responses(tmp_path / "sim", n=4, seed=3)
    single = write_response(tmp_path / "one.json", "single")
    rs = load_responses([tmp_path / "sim", single], Q)
    assert len(rs.responses) == 5 and rs.rejected == []
    assert {r.channel for r in rs.responses} == {"simulated", "unknown"}
    assert all(r.respondent is None for r in rs.responses)


def test_bad_json_responses_are_rejected_one_by_one_and_good_ones_kept(tmp_path):
    good = write_response(tmp_path / "good.json", "good")
    other_version = write_response(tmp_path / "v09.json", "old", version="0.9")
    out_of_range = write_response(tmp_path / "range.json", "range", q_ai_share=120, q_auth_type=7)
    unknown_option = write_response(tmp_path / "option.json", "option", q_review_read="sometimes",
                                    q_verify=["ci_tests", "vibes"])
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "broken.json").write_text('{\n  "format": "assess-survey-response",\n  "answers": {,}\n}')
    missing_required = write_response(tmp_path / "noclaim.json", "noclaim", q_level_self=None)
    rs = load_responses([tmp_path], Q)
    assert [r.response_id for r in rs.responses] == ["good"]
    assert good.exists()
    by_source = {Path(r.source).name: r for r in rs.rejected}
    assert set(by_source) == {"v09.json", "range.json", "option.json", "empty.json", "broken.json", "noclaim.json"}
    assert "version 0.9" in by_source["v09.json"].reason and "version 1.0" in by_source["v09.json"].reason
    range_fields = {p.field: p.message for p in by_source["range.json"].problems}
    assert range_fields == {"q_ai_share": "above the maximum 100%", "q_auth_type": "outside the scale 1-5"}
    text = out_of_range.read_text()
    assert by_source["range.json"].location == f"line {text[:text.index('q_ai_share')].count(chr(10)) + 1}"
    option = {p.field: p.message for p in by_source["option.json"].problems}
    assert "not one of the option ids" in option["q_review_read"] and "sometimes" not in option["q_review_read"]
    assert "'vibes'" not in option["q_verify"]
    assert by_source["empty.json"].reason == "the file is empty"
    assert by_source["broken.json"].location == "line 3" and "not valid JSON" in by_source["broken.json"].reason
    assert by_source["noclaim.json"].problems[0].field == "q_level_self"
    for rejection in rs.rejected:   # every problem printable as file:location: field: message
        assert all(line.startswith(rejection.source + ":") for line in rejection.lines())
    del other_version, unknown_option, missing_required


def test_duplicate_responses_and_respondents(tmp_path):
    write_response(tmp_path / "a.json", "same-id")
    write_response(tmp_path / "b.json", "same-id")
    for name, rid in (("c.json", "c"), ("d.json", "d")):
        data = json.loads(write_response(tmp_path / name, rid, q_ai_share=10 if rid == "c" else 20).read_text())
        data["respondent"] = {"email": "Ada@Example.com" if rid == "c" else "ada@example.com "}
        (tmp_path / name).write_text(json.dumps(data))
    rs = load_responses([tmp_path], Q)
    assert sorted(r.response_id for r in rs.responses) == ["c", "same-id"]
    reasons = sorted(r.reason for r in rs.rejected)
    assert "duplicate respondent" in reasons[0] and "duplicate response" in reasons[1]


# ---------------------------------------------------------------------------------------------
# Google Forms CSV

def title(item_id: str) -> str:
    return f"[{item_id}] {Q.item(item_id).text}"


def label(item_id: str, option_id: str) -> str:
    option = Q.item(item_id).option(option_id)
    return option.label if option else option_id   # an unknown option stays as typed


def google_row(level: int, **overrides) -> dict:
    """The cells Google Forms writes: choice labels, checkbox labels joined by ', ', numbers as text."""
    a = answers(level, **overrides)
    row = {}
    for item_id, value in a.items():
        item = Q.item(item_id)
        if item.type == "single_choice":
            row[title(item_id)] = label(item_id, value)
        elif item.type == "multi_choice":
            row[title(item_id)] = ", ".join(label(item_id, v) for v in value)
        else:
            row[title(item_id)] = str(value)
    return row


def write_google_csv(path: Path, rows: list[dict], *, encoding: str = "utf-8", bom: bool = False,
                     extra_columns: dict | None = None, drop: tuple[str, ...] = ()) -> Path:
    headers = ["Timestamp", "Email Address"] + [title(i.id) for i in Q.items if i.id not in drop]
    headers[5], headers[9] = headers[9], headers[5]          # column order must not matter
    headers += list(extra_columns or {})
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=headers, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for n, row in enumerate(rows):
        writer.writerow({"Timestamp": f"2026/03/0{n + 1} 10:00:00 AM GMT", **row, **(extra_columns or {})})
    data = buffer.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def test_google_forms_csv_maps_by_title_drops_identity_and_reports_columns(tmp_path):
    rows = [dict(google_row(3), **{"Email Address": "ada@example.com"}),
            dict(google_row(2, q_verify=["ci_tests", "staged_rollout", "holdout"]), **{"Email Address": "bo@example.com"}),
            dict(google_row(4), **{"Email Address": ""})]
    path = write_google_csv(tmp_path / "Team survey (Responses).csv", rows, bom=True,
                            extra_columns={"Which team are you in?": "Payments"}, drop=("q_text_comments",))
    rs = load_responses([path], Q)
    assert rs.rejected == [] and len(rs.responses) == 3
    first = rs.responses[0]
    assert first.answers == answers(3) and first.respondent is None
    assert "ada@example.com" not in json.dumps([r.to_json() for r in rs.responses])
    assert rs.responses[1].answers["q_verify"] == ["ci_tests", "staged_rollout", "holdout"]
    messages = " | ".join(n.message for n in rs.notices)
    assert "byte-order mark" in messages
    assert "identifying columns dropped: Timestamp, Email Address" in messages
    assert "unmapped columns (ignored): Which team are you in?" in messages
    assert "no column for items: q_text_comments" in messages


def test_google_csv_duplicate_respondent_keeps_the_later_row(tmp_path):
    rows = [dict(google_row(2), **{"Email Address": "ada@example.com"}),
            dict(google_row(3), **{"Email Address": "bo@example.com"}),
            dict(google_row(4), **{"Email Address": "ADA@example.com"})]
    rs = load_responses([write_google_csv(tmp_path / "f.csv", rows)], Q)
    assert [r.location for r in rs.responses] == ["row 3", "row 4"]
    assert [(r.location, "duplicate respondent" in r.reason and "row 4" in r.reason) for r in rs.rejected] == \
        [("row 2", True)]


def test_csv_with_bad_cells_wrong_encoding_and_empty_files(tmp_path):
    rows = [google_row(3), google_row(3, q_ai_share="150"), google_row(2, q_review_read="Sometimes"),
            google_row(1, q_text_next_level="Caf\u00e9 r\u00e9sum\u00e9")]
    latin1 = write_google_csv(tmp_path / "latin1.csv", rows, encoding="cp1252")
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "bom-only.csv").write_bytes(b"\xef\xbb\xbf")
    (tmp_path / "header-only.csv").write_text(",".join(title(i.id) for i in Q.items) + "\n")
    (tmp_path / "unrelated.csv").write_text("name,score\nada,3\n")
    (tmp_path / "notes.txt").write_text("hello")
    rs = load_responses([tmp_path, tmp_path / "notes.txt"], Q)
    assert [r.location for r in rs.responses] == ["row 2"]
    rejected = {(Path(r.source).name, r.location): r for r in rs.rejected}
    assert rejected[("latin1.csv", "row 3")].problems[0].field == "q_ai_share"
    assert "above the maximum 100%" in rejected[("latin1.csv", "row 3")].reason
    assert "not one of the options" in rejected[("latin1.csv", "row 4")].reason
    assert rejected[("latin1.csv", "row 5")].problems[0].field == "q_text_next_level"
    assert "not UTF-8" in rejected[("latin1.csv", "row 5")].reason
    assert "r\u00e9sum" not in rejected[("latin1.csv", "row 5")].reason  # free text never echoed
    assert any("not UTF-8" in n.message and n.source == str(latin1) for n in rs.notices)
    assert rejected[("empty.csv", "file")].reason == "the file is empty"
    assert "only a byte-order mark" in rejected[("bom-only.csv", "file")].reason
    assert "no responses" in rejected[("header-only.csv", "file")].reason
    assert "item id" in rejected[("unrelated.csv", "row 1")].reason
    assert "unsupported file type '.txt'" in rejected[("notes.txt", "file")].reason
    assert len(rs.rejected) == 8


def test_semicolon_csv_and_likert_labels(tmp_path):
    headers = [title("q_level_self"), title("q_auth_type"), title("q_ai_share")]
    text = ";".join(headers) + "\n" + f"{label('q_level_self', 'level2')};4 - Agree;35 %\n" \
        + "level3;Strongly agree;\u221210\n"
    (tmp_path / "excel.csv").write_text(text, encoding="utf-8")
    rs = load_responses([tmp_path / "excel.csv"], Q)
    assert rs.responses[0].answers == {"q_level_self": "level2", "q_auth_type": 4, "q_ai_share": 35}
    assert "below the minimum 0%" in rs.rejected[0].reason and rs.rejected[0].location == "row 3"


# ---------------------------------------------------------------------------------------------
# Microsoft Forms .xlsx

def write_ms_forms(path: Path, rows: list[dict]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    item_titles = [title(i.id) for i in reversed(Q.items)]            # any order
    headers = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"] + item_titles
    ws.append(headers)
    for n, row in enumerate(rows, start=1):
        cells = []
        for h in headers:
            value = row.get(h)
            if isinstance(value, str) and value.lstrip("-").replace(".", "").isdigit():
                value = float(value)                               # Excel stores numbers as numbers
            cells.append(value)
        cells[0] = n
        ws.append(cells)
    ws.append([None] * len(headers))                                 # trailing blank row, as Excel leaves
    wb.save(path)
    return path


def test_microsoft_forms_xlsx(tmp_path):
    def ms_row(level, **kw):
        row = google_row(level, **kw)
        row[title("q_verify")] = ";".join(label("q_verify", v) for v in answers(level, **kw)["q_verify"]) + ";"
        return row
    rows = [dict(ms_row(3), Email="anonymous", Name=""), dict(ms_row(4, q_unattended_hours=12), Email="x@y.z", Name="X"),
            dict(ms_row(4, q_speedup_retro=400), Email="c@y.z")]
    rs = load_responses([write_ms_forms(tmp_path / "Survey.xlsx", rows)], Q)
    assert [r.answers for r in rs.responses] == [answers(3), answers(4, q_unattended_hours=12)]
    assert [r.channel for r in rs.responses] == ["microsoft-forms-xlsx"] * 2
    assert rs.rejected[0].location == "row 4" and rs.rejected[0].problems[0].field == "q_speedup_retro"
    assert "identifying columns dropped: ID, Start time, Completion time, Email, Name, Last modified time" in \
        [n.message for n in rs.notices]


def test_not_really_an_xlsx(tmp_path):
    (tmp_path / "fake.xlsx").write_text("this is not a workbook")
    (tmp_path / "empty.xlsx").write_bytes(b"")
    rs = load_responses([tmp_path], Q)
    reasons = {Path(r.source).name: r.reason for r in rs.rejected}
    assert "not an Excel .xlsx workbook" in reasons["fake.xlsx"] and reasons["empty.xlsx"] == "the file is empty"


def test_missing_path_is_rejected_not_raised(tmp_path):
    rs = load_responses([tmp_path / "nope.json"], Q)
    assert rs.responses == [] and rs.rejected[0].reason == "no such file or directory"


@pytest.mark.parametrize("bad", [True, "3", 3.5, None])
def test_likert_answers_must_be_whole_numbers(tmp_path, bad):
    path = write_response(tmp_path / "x.json", "x", q_auth_type=bad)
    rs = load_responses([path], Q)
    if bad is None:      # unanswered optional item is fine
        assert len(rs.responses) == 1
    else:
        assert rs.rejected[0].problems[0].field == "q_auth_type"
