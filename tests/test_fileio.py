"""Atomic output: never a half-written file, never a clobbered device."""

from __future__ import annotations

import os
import stat

import pytest

from assess.errors import AssessError
from assess.fileio import atomic_open, write_json, write_text


def test_failure_keeps_previous_contents_and_leaves_no_temp(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_open(target) as fh:
            fh.write("partial")
            raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_backup_and_replace(tmp_path):
    target = tmp_path / "data.csv"
    target.write_text("v1")
    write_text(target, "v2", backup=True)
    assert target.read_text() == "v2" and (tmp_path / "data.csv.bak").read_text() == "v1"


def test_devices_are_written_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    write_json(fifo, {"a": 1})
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still a pipe, not a regular file
    assert b'"a": 1' in os.read(reader, 100)
    os.close(reader)
    write_text(os.devnull, "ignored")
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_missing_directory_and_directory_target(tmp_path):
    with pytest.raises(AssessError, match="does not exist"):
        write_text(tmp_path / "nope" / "x.txt", "x")
    with pytest.raises(AssessError, match="is a directory"):
        write_text(tmp_path, "x")


def test_unwritable_places_give_one_line_errors(tmp_path):
    afile = tmp_path / "plain.txt"
    afile.write_text("x")
    with pytest.raises(AssessError, match="is not a directory"):
        write_text(afile / "out.json", "x")
    with pytest.raises(AssessError, match="cannot write"):
        write_text("/proc/assess-test.json", "x")


def test_report_set_is_all_or_nothing_and_survey_only_reports_render(tmp_path):
    from assess.report import build_report, write_report
    from assess.survey import simulate_responses

    simulate_responses(tmp_path / "survey", n=6, seed=1)
    report = build_report(survey=[tmp_path / "survey"])  # no repository, no study
    (tmp_path / "r.md").mkdir()
    (tmp_path / "r.json").write_text("OLD")
    with pytest.raises(AssessError, match="is a directory"):
        write_report(report, tmp_path / "r.html")
    assert (tmp_path / "r.json").read_text() == "OLD"
    assert not (tmp_path / "r.html").exists()
    files = write_report(report, tmp_path / "ok" / "r.html")
    assert "No repository was given" in files.html.read_text()


def test_json_never_contains_nan_or_infinity(tmp_path):
    import json
    import math

    import numpy as np

    write_json(tmp_path / "x.json", {"a": math.nan, "b": [np.float64("inf"), 1.5], "c": np.int64(3)})
    assert json.loads((tmp_path / "x.json").read_text()) == {"a": None, "b": [None, 1.5], "c": 3}
