"""The study workflow on real folders: init, register, record, analyze, and bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from assess.cli import main
from assess.errors import AssessError, InputError
from assess.resources import package_file
from assess.speedup.analysis import analyze_study
from assess.speedup.create import init_study
from assess.speedup.record import record_post_study, record_result
from assess.speedup.registration import load_registration, register_study
from assess.speedup.scales import describe_interval, parse_speedup

SCHEMA = json.loads(package_file("schemas", "study.schema.json").read_text(encoding="utf-8"))
DEVS = ["ana", "ben", "chloe"]


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _study(tmp_path: Path, n_per_dev: int = 7, name: str = "s") -> Path:
    directory = tmp_path / name
    init_study(directory)
    _write(directory / "participants.csv",
           "developer,expected_speedup,post_study_speedup\n" + "".join(f"{d},-25%,\n" for d in DEVS))
    rows = ["task_id,developer,description,forecast_minutes_ai,forecast_minutes_no_ai"]
    k = 0
    for d in DEVS:
        for i in range(n_per_dev):
            k += 1
            rows.append(f"T{k:02d},{d},task {k},{30 + 5 * i},{45 + 10 * i}")
    _write(directory / "tasks.csv", "\n".join(rows) + "\n")
    return directory


def _fill_results(directory: Path, factor_ai: float = 1.2) -> None:
    reg = load_registration(directory)
    assert reg is not None
    for i, t in enumerate(sorted(reg.tasks.values(), key=lambda t: t.task_id)):
        wobble = 1 + 0.15 * ((i * 7) % 5 - 2) / 2
        minutes = round(t.forecast_no_ai * wobble * (factor_ai if t.ai_allowed else 1.0))
        record_result(directory, t.task_id, actual_minutes=minutes, followed="yes",
                      post_task_speedup="-20%" if t.ai_allowed else None)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# ---------------------------------------------------------------- scales

def test_speedup_scale_parsing() -> None:
    assert parse_speedup("-20%") == pytest.approx(-0.2)
    assert parse_speedup("+19%") == pytest.approx(0.19)
    assert parse_speedup("-0.2") == pytest.approx(-0.2)
    assert parse_speedup("2x faster") == pytest.approx(-0.5)
    assert parse_speedup("1.5x slower") == pytest.approx(0.5)
    assert parse_speedup("") is None
    for bad in ("20", "-100%", "fast", "0x faster"):
        with pytest.raises(ValueError):
            parse_speedup(bad)
    assert describe_interval(0.02, 0.39) == "consistent with anything from 2% to 39% slower"
    assert describe_interval(-0.3, -0.1) == "consistent with anything from 10% to 30% faster"
    assert describe_interval(-0.1, 0.2).startswith("consistent with anything from 10% faster to 20% slower")


# ---------------------------------------------------------------- register

def test_init_refuses_an_existing_study(tmp_path: Path) -> None:
    directory = _study(tmp_path)
    with pytest.raises(AssessError, match="already a study folder"):
        init_study(directory)


def test_register_freezes_and_balances_within_developer(tmp_path: Path) -> None:
    directory = _study(tmp_path)
    outcome = register_study(directory, seed=42, registered_at="2025-01-01T00:00:00+00:00")
    assert outcome.problems == []
    reg = load_registration(directory)
    assert reg is not None and reg.tampered_blocks() == []
    assert reg.blocks[0].seed == 42 and reg.blocks[0].registered_at.startswith("2025-01-01")
    for dev in DEVS:
        arms = [t.ai_allowed for t in reg.tasks.values() if t.developer == dev]
        assert len(arms) == 7 and abs(sum(arms) - (7 - sum(arms))) == 1
    # the same list and seed give the same assignment and hash; another seed a different one
    other = _study(tmp_path, name="s2")
    register_study(other, seed=42, registered_at="2025-01-01T00:00:00+00:00")
    reg2 = load_registration(other)
    assert {k: v.ai_allowed for k, v in reg2.tasks.items()} == {k: v.ai_allowed for k, v in reg.tasks.items()}
    assert reg2.registration_id == reg.registration_id
    third = _study(tmp_path, name="s3")
    register_study(third, seed=43)
    assert {k: v.ai_allowed for k, v in load_registration(third).tasks.items()} != \
        {k: v.ai_allowed for k, v in reg.tasks.items()}
    # results template: one row per task with the registration id and arm
    rows = _rows(directory / "results.csv")
    assert len(rows) == 21 and {r["registration_id"] for r in rows} == {reg.registration_id}
    assert {r["task_id"]: r["ai_allowed"] == "yes" for r in rows} == {k: v.ai_allowed for k, v in reg.tasks.items()}


def test_register_again_needs_an_explicit_new_block(tmp_path: Path) -> None:
    directory = _study(tmp_path)
    register_study(directory, seed=1)
    before = {k: v.ai_allowed for k, v in load_registration(directory).tasks.items()}
    with pytest.raises(AssessError, match="already registered"):
        register_study(directory, seed=2)
    with (directory / "tasks.csv").open("a", encoding="utf-8") as fh:
        fh.write("T99,ana,late task,20,30\nT98,ben,late task,20,30\n")
    with pytest.raises(AssessError, match="--new-block"):
        register_study(directory, seed=2)
    outcome = register_study(directory, seed=2, new_block=True)
    assert outcome.block.number == 2 and sorted(t.task_id for t in outcome.block.tasks) == ["T98", "T99"]
    reg = load_registration(directory)
    assert {k: v.ai_allowed for k, v in reg.tasks.items() if k in before} == before
    # ana had 7 tasks (odd): her new odd task goes to the arm she has fewer of
    ana = [t.ai_allowed for t in reg.tasks.values() if t.developer == "ana"]
    assert sum(ana) == 4
    assert (directory / "registration.yaml.bak").exists()
    assert len(_rows(directory / "results.csv")) == 23


def test_register_reports_bad_rows_by_line_and_keeps_good_ones(tmp_path: Path) -> None:
    directory = _study(tmp_path, n_per_dev=2)
    with (directory / "tasks.csv").open("a", encoding="utf-8") as fh:
        fh.write("T01,ana,duplicate id,10,20\n"      # line 8: duplicates line 2
                 "T20,zoe,unknown developer,10,20\n"  # line 9
                 "T21,ben,negative,-5,20\n"           # line 10
                 "T22,ben,zero,10,0\n"                # line 11
                 "T23,chloe,words,ten,20\n")          # line 12
    outcome = register_study(directory, seed=3)
    found = {(p.line, p.field) for p in outcome.problems}
    assert {(2, "task_id"), (8, "task_id"), (9, "developer"), (10, "forecast_minutes_ai"),
            (11, "forecast_minutes_no_ai"), (12, "forecast_minutes_ai")} <= found
    assert sorted(t.task_id for t in outcome.block.tasks) == ["T02", "T03", "T04", "T05", "T06"]
    assert any("unknown developer 'zoe'" in str(p) for p in outcome.problems)


def test_missing_column_is_one_line_error_with_nonzero_exit(tmp_path: Path) -> None:
    directory = _study(tmp_path)
    _write(directory / "tasks.csv", "task_id,developer,forecast_minutes_ai\nT1,ana,30\n")
    res = CliRunner().invoke(main, ["study", "register", str(directory)])
    assert res.exit_code == 2
    assert "tasks.csv:1: field 'forecast_minutes_no_ai': missing column" in res.output
    assert "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1


# ---------------------------------------------------------------- record and analyze

def test_full_workflow_through_the_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    directory = tmp_path / "cli"
    assert runner.invoke(main, ["study", "init", str(directory)]).exit_code == 0
    _write(directory / "participants.csv", "developer,expected_speedup,post_study_speedup\n"
           + "".join(f"{d},-30%,\n" for d in DEVS))
    _write(directory / "tasks.csv",
           "task_id,developer,description,forecast_minutes_ai,forecast_minutes_no_ai\n"
           + "".join(f"T{i:02d},{DEVS[i % 3]},t,{20 + i},{30 + 2 * i}\n" for i in range(24)))
    res = runner.invoke(main, ["study", "register", str(directory), "--seed", "5"])
    assert res.exit_code == 0, res.output
    assert "registered block 1: 24 task(s), 12 AI-allowed, 12 AI-disallowed; seed 5" in res.output
    reg = load_registration(directory)
    for t in reg.tasks.values():
        minutes = round(t.forecast_no_ai * (1.3 if t.ai_allowed else 1.0) * (1.1 if int(t.task_id[1:]) % 2 else 0.9))
        args = ["study", "record", str(directory), t.task_id, "--minutes", str(minutes), "--followed", "yes"]
        if t.ai_allowed:
            args += ["--ai-effect", "-20%"]
        res = runner.invoke(main, args)
        assert res.exit_code == 0, res.output
    for d in DEVS:
        assert runner.invoke(main, ["study", "record", str(directory), "--developer", d,
                                    "--post-study", "1.25x faster"]).exit_code == 0
    assert (directory / "results.csv.bak").exists() and (directory / "participants.csv.bak").exists()
    res = runner.invoke(main, ["study", "analyze", str(directory), "--json", "-", "--bootstrap", "100"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    jsonschema.validate(data, SCHEMA)
    assert data["n_tasks"] == 24 and data["n_developers"] == 3
    assert 0.15 < data["estimate"]["speedup"] < 0.45  # built in: 30% slower
    assert data["perceived"]["pre_study"]["speedup"] == pytest.approx(-0.3)
    assert data["perceived"]["post_study"]["speedup"] == pytest.approx(-0.2)
    assert data["perceived"]["post_task"]["speedup"] == pytest.approx(-0.2)
    assert data["gaps"]["post_study_pp"] == pytest.approx((-0.2 - data["estimate"]["speedup"]) * 100)
    assert any("3 developer(s)" in w and "badly" in w for w in data["warnings"])
    res = runner.invoke(main, ["study", "analyze", str(directory), "--bootstrap", "0", "--json",
                               str(tmp_path / "out.json")])
    assert res.exit_code == 0, res.output
    assert "Homoskedastic" in res.output and "Belief vs measurement" in res.output
    assert json.loads((tmp_path / "out.json").read_text())["estimate"]["method"].startswith("OLS")


def test_changed_after_registration_is_flagged_and_excluded(tmp_path: Path) -> None:
    directory = _study(tmp_path)
    register_study(directory, seed=9)
    _fill_results(directory)
    baseline = analyze_study(directory, bootstrap_reps=0)
    assert baseline["integrity"]["changed_tasks"] == [] and baseline["n_tasks"] == 21
    text = (directory / "tasks.csv").read_text().replace("T03,ana,task 3,40,65", "T03,ana,task 3,40,90")
    text = text.replace("T10,ben,task 10,40,65", "T10,ben,task ten,40,65")
    _write(directory / "tasks.csv", text)
    result = analyze_study(directory, bootstrap_reps=0)
    changed = {c["task_id"]: c["fields"] for c in result["integrity"]["changed_tasks"]}
    assert changed == {"T03": ["forecast_minutes_no_ai"], "T10": ["description"]}
    assert result["integrity"]["excluded_tasks"] == ["T03", "T10"] and result["n_tasks"] == 19
    assert any("changed after registration" in w and "T03" in w for w in result["warnings"])
    allowed = analyze_study(directory, allow_changed=True, bootstrap_reps=0)
    assert allowed["n_tasks"] == 21 and allowed["integrity"]["excluded_tasks"] == []
    # editing the registration itself is detected
    reg_text = (directory / "registration.yaml").read_text()
    flipped = reg_text.replace("ai_allowed: true", "ai_allowed: false", 1)
    assert flipped != reg_text
    _write(directory / "registration.yaml", flipped)
    # a flipped arm no longer follows from the frozen seed: refused outright
    with pytest.raises(InputError, match="differ from those its frozen seed gives"):
        analyze_study(directory, bootstrap_reps=0)
    # other edits (here the registration time) break the hash: flagged, the analysis warns
    _write(directory / "registration.yaml", reg_text.replace("registered_at: '", "registered_at: '1", 1))
    tampered = analyze_study(directory, bootstrap_reps=0)
    assert tampered["integrity"]["registration_hash_ok"] is False
    assert any("registration.yaml was edited" in w for w in tampered["warnings"])


def test_noncompliance_is_reported_and_analysed_intention_to_treat(tmp_path: Path) -> None:
    directory = _study(tmp_path)
    register_study(directory, seed=4)
    _fill_results(directory)
    disallowed = sorted(t.task_id for t in load_registration(directory).tasks.values() if not t.ai_allowed)
    record_result(directory, disallowed[0], followed="no", replace=True)
    result = analyze_study(directory, bootstrap_reps=0)
    nc = result["integrity"]["non_compliance"]
    assert nc["task_ids"] == [disallowed[0]] and nc["ai_disallowed"] == 1
    assert result["n_tasks"] == 21  # kept in its assigned arm
    per_protocol = [a for a in result["alternatives"] if a["name"] == "per_protocol"]
    assert per_protocol and per_protocol[0]["n_tasks"] == 20
    assert any("intention to treat" in w for w in result["warnings"])


def test_bad_results_rows_are_reported_and_good_rows_kept(tmp_path: Path) -> None:
    directory = _study(tmp_path)
    register_study(directory, seed=4)
    _fill_results(directory)
    reg_id = load_registration(directory).registration_id
    rows = (directory / "results.csv").read_text().splitlines()
    header = rows[0].split(",")
    lines = list(rows)
    col = header.index("actual_minutes")

    def with_minutes(line: str, value: str) -> str:
        return ",".join(value if i == col else v for i, v in enumerate(line.split(",")))

    lines[2] = with_minutes(lines[2], "-10")  # file line 3
    lines[3] = with_minutes(lines[3], "0")    # file line 4
    lines.append(f"{reg_id},T77,ana,yes,30,yes,,")          # unknown task
    lines.append(lines[5])                                  # duplicate of the row on line 6
    lines.append(f"otherreg0000,{lines[6].split(',')[1]}x,ana,yes,30,yes,,")  # another registration
    _write(directory / "results.csv", "\n".join(lines) + "\n")
    result = analyze_study(directory, bootstrap_reps=0)
    problems = {(p["line"], p["field"]) for p in result["integrity"]["row_problems"]}
    assert {(3, "actual_minutes"), (4, "actual_minutes"), (23, "task_id"), (6, "task_id"), (24, "task_id"),
            (25, "registration_id")} <= problems
    assert result["n_tasks"] == 21 - 3  # two bad minutes; both copies of one duplicated task id
    jsonschema.validate(result, SCHEMA)


def test_results_for_another_registration_are_refused(tmp_path: Path) -> None:
    first = _study(tmp_path, name="a")
    register_study(first, seed=1)
    _fill_results(first)
    second = _study(tmp_path, name="b")
    register_study(second, seed=2)
    (second / "results.csv").write_bytes((first / "results.csv").read_bytes())
    with pytest.raises(InputError, match="belong to registration"):
        analyze_study(second)
    res = CliRunner().invoke(main, ["study", "analyze", str(second)])
    assert res.exit_code == 2 and "results.csv:2: field 'registration_id'" in res.output
    assert "Traceback" not in res.output


def test_record_validates_and_keeps_a_backup(tmp_path: Path) -> None:
    directory = _study(tmp_path)
    register_study(directory, seed=4)
    record_result(directory, "T01", actual_minutes=40)
    before = (directory / "results.csv").read_text()
    with pytest.raises(InputError, match="must be more than zero"):
        record_result(directory, "T01", actual_minutes=-3)
    with pytest.raises(InputError, match="unknown task 'T99'"):
        record_result(directory, "T99", actual_minutes=3)
    with pytest.raises(InputError, match="unknown developer 'zoe'"):
        record_post_study(directory, "zoe", "-10%")
    assert (directory / "results.csv").read_text() == before
    record_result(directory, "T01", actual_minutes=55, notes="took longer", replace=True)
    assert (directory / "results.csv.bak").read_text() == before
    row = next(r for r in _rows(directory / "results.csv") if r["task_id"] == "T01")
    assert row["actual_minutes"] == "55" and row["notes"] == "took longer"
    res = CliRunner().invoke(main, ["study", "record", str(directory), "T02", "--minutes", "0"])
    assert res.exit_code == 2 and "must be more than zero" in res.output


def test_analyze_before_registration_and_too_few_results(tmp_path: Path) -> None:
    directory = _study(tmp_path)
    with pytest.raises(AssessError, match="not registered"):
        analyze_study(directory)
    register_study(directory, seed=4)
    with pytest.raises(AssessError, match="too few completed tasks"):
        analyze_study(directory)


def test_plan_and_simulate_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(main, ["study", "plan", "--speedup", "-30%", "--developers", "8", "--reps", "60",
                               "--json", "-"])
    assert res.exit_code == 0, res.output
    plan = json.loads(res.stdout)
    assert plan["rows"] and plan["true_speedup"] == pytest.approx(-0.3)
    res = runner.invoke(main, ["study", "plan", "--speedup", "0"])
    assert res.exit_code == 2 and "cannot be detected" in res.output
    res = runner.invoke(main, ["study", "simulate", str(tmp_path / "demo"), "--developers", "4"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["study", "simulate", str(tmp_path / "demo")])
    assert res.exit_code == 2 and "already a study folder" in res.output


def test_metr_import_reports_bad_rows(tmp_path: Path) -> None:
    from assess.speedup.importers import import_study

    header = ("dev_id,issue_id,predicted_time_no_ai,predicted_time_ai_allowed,prior_task_exposure_1_to_5,"
              "external_resource_needs_1_to_3,ai_treatment,initial_implementation_time,"
              "post_review_implementation_time\n")
    good = "".join(f"{1 + i % 2},{i},60,45,,,{i % 2}.0,{50 + i},{'' if i == 3 else 5}\n" for i in range(1, 9))
    bad = ("1,1,60,45,,,1.0,50,5\n"     # line 10: duplicate issue id
           "2,20,60,45,,,,50,5\n"       # line 11: no ai_treatment
           "2,21,-60,45,,,0.0,50,5\n"   # line 12: negative forecast
           "2,22,60,45,,,2.0,50,5\n")   # line 13: not 0/1
    source = tmp_path / "metr.csv"
    _write(source, header + good + bad)
    outcome = import_study(source, tmp_path / "m")
    assert outcome.n_tasks == 8 and outcome.imputed_review == 1
    assert {(p.line, p.field) for p in outcome.problems} == {
        (10, "issue_id"), (11, "ai_treatment"), (12, "predicted_time_no_ai"), (13, "ai_treatment")}
    rows = {r["task_id"]: r for r in _rows(tmp_path / "m" / "results.csv")}
    # issue 3 (ai_treatment 1: AI allowed) has no post-review time: it gets its arm's mean (5)
    assert rows["3"]["post_review_imputed"] == "yes" and rows["3"]["actual_minutes"] == "58"
    with pytest.raises(AssessError, match="already a study folder"):
        import_study(source, tmp_path / "m")
    _write(source, "dev_id,issue_id\n1,1\n")
    res = CliRunner().invoke(main, ["study", "import", str(source), str(tmp_path / "n")])
    assert res.exit_code == 2 and "metr.csv:1: field 'predicted_time_no_ai': missing column" in res.output


def test_degenerate_study_is_refused_in_one_line_without_warning_floods(tmp_path):
    import warnings

    import pandas as pd
    import pytest as _pytest

    from assess.errors import AssessError
    from assess.speedup import analyze_frame

    frame = pd.DataFrame({"developer": ["a", "a", "b", "b"], "ai_allowed": [1, 0, 1, 0],
                          "actual_minutes": [30.0, 40.0, 35.0, 50.0], "forecast_no_ai": [60.0] * 4,
                          "forecast_ai": [45.0] * 4, "followed": [True] * 4, "task_id": ["1", "2", "3", "4"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with _pytest.raises(AssessError, match="cannot be estimated"):
            analyze_frame(frame, bootstrap_reps=50)
