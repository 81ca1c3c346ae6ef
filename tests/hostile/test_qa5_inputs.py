"""QA pass 5: hostile values in the study, survey and forge inputs and in what assess writes from them."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from assess.speedup.analysis import load_study
from assess.speedup.importers import import_study

_FORMULA_START = ("=", "+", "-", "@")


def _cells(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def test_study_import_writes_no_formula_from_foreign_ids(tmp_path: Path) -> None:
    source = tmp_path / "data_complete.csv"
    source.write_text(
        "dev_id,issue_id,predicted_time_no_ai,predicted_time_ai_allowed,ai_treatment,"
        "initial_implementation_time,post_review_implementation_time\n"
        '"=HYPERLINK(""http://evil"",""x"")",@SUM(1+1),30,20,1,25,5\n'
        '"=HYPERLINK(""http://evil"",""x"")",+cmd|x,30,20,0,40,5\n'
        "dev2,i3,30,20,1,25,\n" "dev2,i4,30,20,0,35,5\n" "dev2,i5,30,20,1,20,5\n" "dev2,i6,30,20,0,45,5\n",
        encoding="utf-8")
    out = tmp_path / "study"
    outcome = import_study(source, out)
    assert outcome.n_tasks == 6 and outcome.n_developers == 2
    for name in ("tasks.csv", "participants.csv", "results.csv"):
        cells = _cells(out / name)
        assert not [c for c in cells if c.startswith(_FORMULA_START)], name
        assert any("HYPERLINK" in c for c in cells), name  # kept as text, not dropped
    # the kept-as-text ids are the same in the registration and the CSVs: every task is analysed
    data = load_study(out)
    assert len(data.frame) == 6
    assert not data.integrity.get("changed_tasks") and not data.integrity.get("unregistered_tasks")


def _set_minutes(directory: Path, values: list[str]) -> None:
    path = directory / "results.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row, value in zip(rows, values):
        row["actual_minutes"] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_study_analyze_refuses_absurd_minutes_as_row_problems(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from assess.cli import main
    from assess.speedup.simulate import simulate_study

    directory = tmp_path / "study"
    simulate_study(directory)
    # 1e308 minutes made the log-time model overflow: "internal error: math domain error"
    _set_minutes(directory, ["1e308", "1e-300", "inf", "1e400"])
    out = tmp_path / "analysis.json"
    res = CliRunner().invoke(main, ["study", "analyze", str(directory), "--bootstrap", "20", "--json", str(out)])
    assert res.exit_code == 0, res.output
    assert "internal error" not in res.output
    problems = {p["line"]: p["message"] for p in json.loads(out.read_text())["integrity"]["row_problems"]}
    assert "outside" in problems[2] and "outside" in problems[3]
    assert "not a finite number" in problems[4] and "not a finite number" in problems[5]
    assert "NaN" not in out.read_text() and "Infinity" not in out.read_text()


def test_study_record_refuses_absurd_minutes(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from assess.cli import main
    from assess.speedup.simulate import simulate_study

    directory = tmp_path / "study"
    simulate_study(directory)
    task = next(csv.DictReader((directory / "results.csv").open(encoding="utf-8")))["task_id"]
    res = CliRunner().invoke(main, ["study", "record", str(directory), task, "--minutes", "1e308", "--replace"])
    assert res.exit_code != 0
    assert "1e308" in res.output and "Traceback" not in res.output


def _pr(**extra: object) -> dict:
    return {"number": 1, "title": "t", "url": "https://github.com/a/b/pull/1", "state": "MERGED",
            "createdAt": "2026-02-01T00:00:00Z", "mergedAt": "2026-02-02T00:00:00Z", "author": {"login": "x"}, **extra}


def _forge_import(tmp_path: Path, text: str) -> tuple[int, str]:
    from click.testing import CliRunner

    from assess.cli import main

    export = tmp_path / "prs.json"
    export.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(main, ["forge", "import", str(export), "-o", str(tmp_path / "store")])
    return res.exit_code, res.output


def test_forge_import_huge_integer_is_a_one_line_error(tmp_path: Path) -> None:
    # Python's json refuses integers past 4,300 digits with a ValueError: it was an "internal error"
    code, output = _forge_import(tmp_path, json.dumps([_pr()])[:-2] + ', "additions": 1' + "0" * 5000 + "}]")
    assert code == 2, output
    assert "prs.json:1" in output and "4300 digits" in output and "internal error" not in output


def test_forge_import_lone_surrogate_is_replaced_not_a_crash(tmp_path: Path) -> None:
    # "\ud800" alone decodes to a string no UTF-8 store can hold: UnicodeEncodeError while saving
    code, output = _forge_import(tmp_path, json.dumps([_pr(title="fix \ud800 it")]))
    assert code == 0, output
    stored = (tmp_path / "store" / "pulls.jsonl").read_text(encoding="utf-8")
    assert "fix \ufffd it" in json.loads(stored.splitlines()[0])["title"]


def test_forge_import_bad_timestamp_names_the_field(tmp_path: Path) -> None:
    code, output = _forge_import(tmp_path, json.dumps([_pr(createdAt="2026-13-45T99:00:00Z")]))
    assert code == 2
    assert "field 'timestamp'" in output and "2026-13-45T99:00:00Z" in output and "is not an ISO 8601" in output
    code, output = _forge_import(tmp_path, json.dumps([_pr(mergedAt=7)]))
    assert code == 2 and "field 'timestamp'" in output and "not int" in output


def test_forge_negative_durations_are_unmeasured(tmp_path: Path) -> None:
    from assess.forge.summary import load_measures, summarise_store

    prs = [_pr(number=1, createdAt="2026-02-02T00:00:00Z", mergedAt="2026-02-01T00:00:00Z"),  # merged before opened
           _pr(number=2, createdAt="2026-02-01T00:00:00Z", mergedAt="2026-02-01T06:00:00Z",
               reviews=[{"author": {"login": "rev"}, "state": "APPROVED", "submittedAt": "2026-01-01T00:00:00Z"}])]
    code, output = _forge_import(tmp_path, json.dumps(prs))
    assert code == 0, output
    by_ref = {m.ref: m for m in load_measures(tmp_path / "store")[0]}
    assert by_ref["github:a/b#1"].hours_in_review is None  # was -24.0
    assert by_ref["github:a/b#2"].hours_in_review == 6.0
    assert by_ref["github:a/b#2"].hours_to_first_human_review is None  # was -744.0
    assert '"median": -' not in json.dumps(summarise_store(tmp_path / "store"))


def _analyze_after_edit(tmp_path: Path, old: str, new: str) -> tuple[int, str]:
    from click.testing import CliRunner

    from assess.cli import main
    from assess.speedup.simulate import simulate_study

    directory = tmp_path / "study"
    simulate_study(directory)
    registration = directory / "registration.yaml"
    text = registration.read_text(encoding="utf-8")
    edited = re.sub(old, new, text, count=1)
    assert edited != text
    registration.write_text(edited, encoding="utf-8")
    res = CliRunner().invoke(main, ["study", "analyze", str(directory), "--bootstrap", "0"])
    return res.exit_code, res.output


def test_registration_nan_or_negative_forecast_is_a_one_line_error(tmp_path: Path) -> None:
    # "internal error: MissingDataError: exog contains inf or nans" before
    for i, bad in enumerate((".nan", "-20.0", "1e308")):
        code, output = _analyze_after_edit(tmp_path / str(i), r"forecast_minutes_ai: [0-9.]+",
                                           f"forecast_minutes_ai: {bad}")
        assert code == 2, output
        assert "registration.yaml" in output and "forecast_minutes_ai" in output and "internal error" not in output


def test_yaml_integer_of_5000_digits_is_a_one_line_error(tmp_path: Path) -> None:
    code, output = _analyze_after_edit(tmp_path, r"- block: 1", "- block: 1" + "0" * 5000)
    assert code == 2, output
    assert "registration.yaml: invalid YAML" in output and "internal error" not in output


def test_huge_speedup_beliefs_are_row_problems_not_inf(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from assess.cli import main
    from assess.speedup.scales import parse_speedup
    from assess.speedup.simulate import simulate_study

    huge = "2" + "0" * 308 + "x slower"  # the factor overflows to inf: "+inf%" in every belief row
    for text in (huge, "1e308%"):
        try:
            parse_speedup(text)
        except ValueError as exc:
            assert "10,000% slower" in str(exc)
        else:
            raise AssertionError(f"{text[:20]} accepted")
    assert parse_speedup("2x slower") == 1.0 and parse_speedup("-20%") == -0.2
    directory = tmp_path / "study"
    simulate_study(directory)
    path = directory / "participants.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        row["expected_speedup"] = huge
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    res = CliRunner().invoke(main, ["study", "analyze", str(directory), "--bootstrap", "0"])
    assert res.exit_code == 0, res.output
    assert "inf%" not in res.output and "problem" in res.output


def test_forge_import_refuses_a_repository_name_that_is_not_owner_name(tmp_path: Path) -> None:
    url = 'https://github.com/"><svg onload=alert(1)>/x/pull/1'
    code, output = _forge_import(tmp_path, json.dumps([_pr(url=url)]))
    assert code == 2, output
    assert "prs.json:1" in output and "not an OWNER/NAME repository" in output
    assert not (tmp_path / "store" / "pulls.jsonl").exists()
    code, output = _forge_import(tmp_path, json.dumps([_pr(url="https://github.com/my-org/my.repo_1/pull/1")]))
    assert code == 0, output


def test_survey_csv_with_more_rows_than_a_workbook_may_hold_is_refused(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from assess.cli import main
    from assess.survey.tabular import MAX_XLSX_ROWS

    # 60,000 rows wrote 60,000 response files (minutes); an .xlsx is refused past MAX_XLSX_ROWS
    header = "[q_level_self] Level,[q_ai_share] Share\n"
    export = tmp_path / "form.csv"
    export.write_text(header + "level2,40\n" * MAX_XLSX_ROWS, encoding="utf-8")
    out = tmp_path / "responses"
    res = CliRunner().invoke(main, ["survey", "import", str(export), "-o", str(out)])
    assert res.exit_code != 0
    assert f"more than {MAX_XLSX_ROWS:,} rows" in res.output
    assert not out.exists() or not any(out.iterdir())
