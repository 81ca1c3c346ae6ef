"""Fuzzing every reader of user files: whatever the bytes, only the tool's own one-line error (or a
rejection) comes out; a 50 MB file is refused in bounded time and memory; and no identity from
the input reaches an output without --show-identities."""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from studyfix import registered_study

from assess.errors import AssessError
from assess.mining.linerecords import parse_agent_trace
from assess.report.inputs import load_repository, load_study, load_survey
from assess.speedup.folder import StudyFolder
from assess.speedup.registration import load_registration
from assess.survey import load_questionnaire, load_responses, score_survey, simulate_responses
from assess.yamlfile import load_yaml

FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
Q = load_questionnaire()
IDENTITY = "Zacharias Uniquename"
EMAIL = "zach.unique@corp.example"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=30)
raw_bytes = st.binary(max_size=3000)


def _only_our_errors(call):
    try:
        return call()
    except AssessError as exc:
        text = str(exc)
        assert "\n" not in text.strip(), text  # one line
        return exc


def _write(path: Path, data: bytes | str) -> Path:
    if isinstance(data, str):
        data = data.encode("utf-8", errors="surrogatepass")
    path.write_bytes(data)
    return path


@FUZZ
@given(data=raw_bytes | json_values.map(lambda v: json.dumps(v).encode()))
def test_response_json_files(tmp_path_factory, data):
    path = _write(tmp_path_factory.mktemp("j") / "r.json", data)
    result = load_responses([path], Q)  # rejections, never an exception
    assert len(result.responses) + len(result.rejected) >= 0


@FUZZ
@given(answers=st.dictionaries(st.sampled_from([i.id for i in Q.items] + ["x"]), json_values, max_size=8),
       respondent=st.dictionaries(st.sampled_from(["name", "email", "team"]), st.text(max_size=10), max_size=3))
def test_response_records_with_fuzzed_answers(tmp_path_factory, answers, respondent):
    record = {"format": "assess-survey-response/1", "questionnaire": {"id": Q.id, "version": Q.version},
              "response_id": "r1", "respondent": respondent, "answers": answers}
    path = _write(tmp_path_factory.mktemp("a") / "r.json", json.dumps(record))
    result = load_responses([path], Q)
    summary = score_survey(Q, result, min_group=5)
    json.dumps(summary, allow_nan=False)


@FUZZ
@given(text=st.text(max_size=2000), header=st.lists(st.text(max_size=20), max_size=6))
def test_response_csv_files(tmp_path_factory, text, header):
    d = tmp_path_factory.mktemp("c")
    load_responses([_write(d / "a.csv", text)], Q)
    titled = ",".join(json.dumps(h) for h in header) + "\n" + text
    load_responses([_write(d / "b.csv", titled)], Q)


@FUZZ
@given(data=raw_bytes, cells=st.lists(st.lists(st.none() | st.text(max_size=15) | st.integers() | st.floats(
    allow_nan=False, allow_infinity=False), max_size=6), max_size=6))
@example(data=b"", cells=[[1.7976931348623155e+308], ["9" * 400], [float("inf")]])  # found by this test
def test_response_xlsx_files(tmp_path_factory, data, cells):
    import openpyxl

    d = tmp_path_factory.mktemp("x")
    load_responses([_write(d / "raw.xlsx", data)], Q)
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in [[f"[{i.id}] q" for i in Q.items[:6]], *cells]:
        ws.append([c if not isinstance(c, str) else "".join(ch for ch in c if ch.isprintable()) for c in row])
    wb.save(d / "made.xlsx")
    load_responses([d / "made.xlsx"], Q)


@pytest.fixture(scope="module")
def study_template(tmp_path_factory):
    return registered_study(tmp_path_factory.mktemp("study"))


def _study_copy(template: Path, where: Path) -> Path:
    import shutil

    target = where / "s"
    shutil.copytree(template, target)
    return target


@FUZZ
@given(tasks=st.text(max_size=1500), results=st.text(max_size=1500))
def test_study_csv_files(tmp_path_factory, study_template, tasks, results):
    study = _study_copy(study_template, tmp_path_factory.mktemp("sc"))
    _write(study / "tasks.csv", "task_id,developer,description,forecast_minutes_ai,forecast_minutes_no_ai\n" + tasks)
    _write(study / "results.csv", "registration_id,task_id,developer,ai_allowed,actual_minutes\n" + results)
    _only_our_errors(lambda: StudyFolder(study).read_tasks())
    _only_our_errors(lambda: load_study(study, bootstrap_reps=0))


@FUZZ
@given(text=st.text(max_size=1500) | json_values.map(lambda v: json.dumps(v)))
def test_study_yaml_files(tmp_path_factory, study_template, text):
    study = _study_copy(study_template, tmp_path_factory.mktemp("sy"))
    _write(study / "registration.yaml", text)
    _only_our_errors(lambda: load_registration(study))
    _write(study / "study.yaml", text)
    _only_our_errors(lambda: load_yaml(study / "study.yaml"))


@FUZZ
@given(data=raw_bytes | json_values.map(lambda v: json.dumps(v).encode()))
def test_evidence_and_summary_json(tmp_path_factory, data):
    d = tmp_path_factory.mktemp("e")
    _only_our_errors(lambda: load_repository(_write(d / "evidence.json", data)))
    _only_our_errors(lambda: load_survey([_write(d / "summary.json", data)]))
    _only_our_errors(lambda: load_study(_write(d / "analysis.json", data)))


@FUZZ
@given(lines=st.lists(json_values.map(json.dumps) | st.text(max_size=200), max_size=20))
def test_agent_trace_records(lines):
    frame = parse_agent_trace("\n".join(lines))
    assert list(frame.columns) == ["sha", "ai_lines", "agent", "source"]


# ---------------------------------------------------------------- 50 MB inputs, every reader


def _sparse(path: Path, size: int = 50 * 1024 * 1024) -> Path:
    with path.open("wb") as fh:
        fh.truncate(size)  # 50 MB on paper, nothing written: cheap to build, just as big to read
    return path


@pytest.mark.parametrize("reader", ["response-json", "response-csv", "response-xlsx", "study-csv", "study-yaml",
                                    "evidence-json", "summary-json", "rubric-yaml"])
def test_a_50_mb_input_costs_bounded_time_and_memory(tmp_path, reader):
    from assess.levels import load_rubric

    if reader.startswith("response-"):
        path = _sparse(tmp_path / f"big.{reader.split('-')[1]}")
        call = lambda: load_responses([path], Q)  # noqa: E731
    elif reader.startswith("study-"):
        study = registered_study(tmp_path)
        path = _sparse(study / ("tasks.csv" if reader == "study-csv" else "registration.yaml"))
        call = lambda: load_study(study, bootstrap_reps=0)  # noqa: E731
    elif reader == "evidence-json":
        call = lambda: load_repository(_sparse(tmp_path / "big.json"))  # noqa: E731
    elif reader == "summary-json":
        call = lambda: load_survey([_sparse(tmp_path / "big.json")])  # noqa: E731
    else:
        call = lambda: load_rubric(_sparse(tmp_path / "big.yaml"))  # noqa: E731
    tracemalloc.start()
    start = time.process_time()  # CPU time: independent of the machine's load
    try:
        result = _only_our_errors(call)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.process_time() - start < 15 and peak < 64 * 1024 * 1024, (reader, peak)
    if isinstance(result, AssessError):
        text = str(result)
    elif isinstance(result, dict):  # a survey summary whose only input was rejected
        text = json.dumps(result["rejected"])
    else:
        text = json.dumps([r.to_json() for r in result.rejected])
    assert "MB" in text  # refused by its size, with a message that says so


# ---------------------------------------------------------------- identities from the input


def test_no_identity_from_the_inputs_reaches_an_output(tmp_path):
    from assess.report import build_report, write_report

    responses = tmp_path / "responses"
    paths = simulate_responses(responses, n=6, seed=4)
    for p in paths:
        doc = json.loads(p.read_text())
        doc["respondent"] = {"name": IDENTITY, "email": EMAIL}
        p.write_text(json.dumps(doc))
    (responses / "form.csv").write_text(f"Timestamp,Email address,Name,[{Q.items[0].id}] q\n"
                                        f"2024-01-01,{EMAIL},{IDENTITY},\"=cmd|' /C calc'!A0\"\n")
    report = build_report([], [str(responses)], None)
    (tmp_path / "out").mkdir()
    files = write_report(report, tmp_path / "out" / "report.html")
    for f in (files.html, files.json, files.markdown):
        text = f.read_text()
        assert IDENTITY not in text and EMAIL not in text and "Uniquename" not in text, f
    summary = load_survey([responses])
    assert IDENTITY not in json.dumps(summary) and EMAIL not in json.dumps(summary)
