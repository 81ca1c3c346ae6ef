"""Attack class: lost or wrong results (races, empty values, silent overwrites, forged arms)."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from studyfix import registered_study

from assess.cli import main
from assess.errors import AssessError, InputError
from assess.speedup.analysis import analyze_study
from assess.speedup.record import record_result
from assess.speedup.registration import load_registration

ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {r["task_id"]: r for r in csv.DictReader(fh)}


def test_ten_parallel_records_keep_all_ten(tmp_path):
    study = registered_study(tmp_path, n_per_dev=5)
    procs = [subprocess.Popen([sys.executable, "-m", "assess", "study", "record", str(study), f"T{k:02d}",
                               "--minutes", str(20 + k)], env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for k in range(1, 11)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    rows = _rows(study / "results.csv")
    assert {k: rows[f"T{k:02d}"]["actual_minutes"] for k in range(1, 11)} == {k: str(20 + k) for k in range(1, 11)}


def test_two_parallel_registers_leave_one_randomisation(tmp_path):
    study = registered_study(tmp_path, n_per_dev=4)
    for f in ("registration.yaml", "results.csv"):
        (study / f).unlink()
    procs = [subprocess.Popen([sys.executable, "-m", "assess", "study", "register", str(study), "--seed", str(s)],
                              env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE) for s in (1, 2)]
    codes = [p.wait(timeout=120) for p in procs]
    assert sorted(codes) == [0, 2]  # one registers, the other finds it already registered
    reg = load_registration(study)
    rows = _rows(study / "results.csv")
    assert {r["registration_id"] for r in rows.values()} == {reg.registration_id}
    assert all(rows[t.task_id]["ai_allowed"] == ("yes" if t.ai_allowed else "no") for t in reg.tasks.values())


def test_empty_minutes_is_an_error_and_rerecording_needs_replace(tmp_path):
    study = registered_study(tmp_path)
    record_result(study, "T01", actual_minutes=30)
    res = CliRunner().invoke(main, ["study", "record", str(study), "T01", "--minutes", ""])
    assert res.exit_code == 2 and "--minutes is empty" in res.output
    assert _rows(study / "results.csv")["T01"]["actual_minutes"] == "30"
    res = CliRunner().invoke(main, ["study", "record", str(study), "T01", "--minutes", "45"])
    assert res.exit_code == 2 and "--replace" in res.output
    assert _rows(study / "results.csv")["T01"]["actual_minutes"] == "30"
    res = CliRunner().invoke(main, ["study", "record", str(study), "T01", "--minutes", "45", "--replace"])
    assert res.exit_code == 0 and _rows(study / "results.csv")["T01"]["actual_minutes"] == "45"
    record_result(study, "T01", actual_minutes=45)  # the same value again is not a change


def test_flipped_arms_with_a_recomputed_hash_are_refused(tmp_path):
    study = registered_study(tmp_path)
    for t in load_registration(study).tasks.values():
        record_result(study, t.task_id, actual_minutes=t.forecast_no_ai)
    path = study / "registration.yaml"
    doc = yaml.safe_load(path.read_text())
    for task in doc["blocks"][0]["tasks"]:
        task["ai_allowed"] = not task["ai_allowed"]
    b = doc["blocks"][0]
    block_payload = {k: v for k, v in b.items() if k != "sha256"}  # what the hash covers
    b["sha256"] = hashlib.sha256(json.dumps(block_payload, sort_keys=True, separators=(",", ":"),
                                            ensure_ascii=False).encode()).hexdigest()
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    assert load_registration(study).tampered_blocks() == []  # the unkeyed hash alone would pass
    with pytest.raises(InputError, match="frozen seed"):
        analyze_study(study, bootstrap_reps=0)
    with pytest.raises(AssessError, match="frozen seed"):
        record_result(study, "T01", notes="x")
