"""Turning a per-task file from elsewhere into a study folder (`assess study import`).

``metr``: the per-task data METR released with its 2025 study (``data_complete.csv``). Its
``ai_treatment`` is 1 for AI-allowed tasks (136 rows, the paper's AI-allowed count; the source README
states the opposite). The outcome is total implementation time, initial plus post-review minutes,
with a missing post-review time imputed as the mean post-review time of the task's arm, exactly as
the released ``regression.py`` does.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import yaml

from assess.csvcells import neutralise
from assess.errors import AssessError, InputError
from assess.fileio import write_text
from assess.safeio import read_bytes_bounded
from assess.speedup.folder import (
    MAX_TASK_MINUTES,
    MIN_TASK_MINUTES,
    PARTICIPANT_COLUMNS,
    RowProblem,
    StudyFolder,
    Task,
    read_csv_rows,
)
from assess.speedup.registration import Registration, block_from_rows, now_utc
from assess.speedup.results import write_rows
from assess.speedup.scales import SCALE_NOTE

FORMATS = ("metr",)
METR_COLUMNS = ["dev_id", "issue_id", "predicted_time_no_ai", "predicted_time_ai_allowed", "ai_treatment",
                "initial_implementation_time", "post_review_implementation_time"]
METR_METHOD = ("imported: METR 2025 per-issue assignment as recorded (a simulated fair coin flip per issue; "
               "25 early issues block-randomised); ai_treatment 1 = AI allowed")


@dataclass
class ImportOutcome:
    directory: Path
    n_tasks: int
    n_developers: int
    n_ai_allowed: int
    n_ai_disallowed: int
    imputed_review: int
    problems: list[RowProblem]


@dataclass(frozen=True)
class _MetrRow:
    task_id: str
    developer: str
    forecast_no_ai: float
    forecast_ai: float
    ai_allowed: bool
    initial: float
    post_review: float | None


def _parse_metr_row(path: str, line: int, row: dict[str, str], seen: dict[str, int],
                    problems: list[RowProblem]) -> _MetrRow | None:
    tid = row["issue_id"]
    if not tid:
        problems.append(RowProblem(path, line, "issue_id", "empty issue id"))
        return None
    if tid in seen:
        problems.append(RowProblem(path, line, "issue_id", f"issue id '{tid}' already on line {seen[tid]}; "
                                   "row left out", tid))
        return None
    seen[tid] = line
    if not row["dev_id"]:
        problems.append(RowProblem(path, line, "dev_id", "empty developer id", tid))
        return None
    values: dict[str, float | None] = {}
    ok = True
    for column in ("predicted_time_no_ai", "predicted_time_ai_allowed", "initial_implementation_time",
                   "post_review_implementation_time", "ai_treatment"):
        try:
            v = _number(row[column])
        except ValueError:
            problems.append(RowProblem(path, line, column, f"'{row[column]}' is not a number", tid))
            ok = False
            continue
        values[column] = v
        message = None
        if v is None:
            if column != "post_review_implementation_time":
                message = "missing value; row left out"
        elif column == "ai_treatment" and v not in (0.0, 1.0):
            message = f"{v:g}: expected 0 or 1"
        elif column == "post_review_implementation_time" and v < 0:
            message = f"{v:g} minutes: negative"
        elif column != "post_review_implementation_time" and column != "ai_treatment" and v <= 0:
            message = f"{v:g} minutes: must be more than zero"
        elif column != "ai_treatment" and v > MAX_TASK_MINUTES:
            message = f"{v:g} minutes: more than {MAX_TASK_MINUTES:,.0f} (a typo or another unit?)"
        elif column != "ai_treatment" and 0 < v < MIN_TASK_MINUTES:
            message = f"{v:g} minutes: less than {MIN_TASK_MINUTES:g} (a typo or another unit?)"
        if message:
            problems.append(RowProblem(path, line, column, message, tid))
            ok = False
    if not ok:
        return None
    # the ids are written to tasks/participants/results.csv, which people open in a spreadsheet: an id
    # from a foreign file such as "=HYPERLINK(...)" is kept as text, the same everywhere (registration too)
    return _MetrRow(neutralise(tid), neutralise(row["dev_id"]), float(values["predicted_time_no_ai"] or 0),
                    float(values["predicted_time_ai_allowed"] or 0), values["ai_treatment"] == 1.0,
                    float(values["initial_implementation_time"] or 0), values["post_review_implementation_time"])


def _number(text: str) -> float | None:
    if not text.strip():
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _fmt(value: float) -> str:
    return str(int(round(value))) if abs(value - round(value)) < 1e-9 else repr(float(value))


def import_study(source: str | Path, directory: str | Path, *, fmt: str = "metr") -> ImportOutcome:
    """Make a registered study folder (with results) from ``source``; refuses to touch an existing study."""
    if fmt not in FORMATS:
        raise AssessError(f"unknown import format '{fmt}'", hint=f"one of: {', '.join(FORMATS)}")
    source = Path(source)
    folder = StudyFolder(directory)
    for p in (folder.tasks_path, folder.registration_path, folder.results_path, folder.participants_path):
        if p.exists():
            raise AssessError(f"{folder.directory}: already a study folder ({p.name} exists)",
                              hint="import into a new directory")
    _, rows = read_csv_rows(source, METR_COLUMNS)
    problems: list[RowProblem] = []
    good: list[_MetrRow] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        parsed = _parse_metr_row(str(source), line, row, seen, problems)
        if parsed is not None:
            good.append(parsed)
    if not good:
        raise InputError(source, "no usable rows" + (f"; first problem: {problems[0]}" if problems else ""))

    # impute a missing post-review time with its arm's mean (METR regression.py)
    arm_mean: dict[bool, float] = {}
    for arm in (False, True):
        observed = [g.post_review for g in good if g.ai_allowed == arm and g.post_review is not None]
        arm_mean[arm] = sum(observed) / len(observed) if observed else 0.0
    folder.directory.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(read_bytes_bounded(source, what="CSV file")).hexdigest()
    tasks_rows, results_rows, pairs = [], [], []
    imputed = 0
    for g in good:
        review = g.post_review if g.post_review is not None else arm_mean[g.ai_allowed]
        imputed += g.post_review is None
        total = g.initial + review
        task = Task(g.task_id, g.developer, "", g.forecast_ai, g.forecast_no_ai)
        pairs.append((task, g.ai_allowed))
        tasks_rows.append({"task_id": task.task_id, "developer": task.developer, "description": "",
                           "forecast_minutes_ai": _fmt(task.forecast_ai),
                           "forecast_minutes_no_ai": _fmt(task.forecast_no_ai)})
        results_rows.append({"task_id": task.task_id, "developer": task.developer,
                             "ai_allowed": "yes" if g.ai_allowed else "no", "actual_minutes": _fmt(total),
                             "initial_minutes": _fmt(g.initial),
                             "post_review_minutes": "" if g.post_review is None else _fmt(g.post_review),
                             "post_review_imputed": "yes" if g.post_review is None else "no"})
    block = block_from_rows(1, pairs, seed=None, method=METR_METHOD, registered_at=now_utc(),
                            source=f"{source.name} sha256:{digest}")
    registration = Registration([block])
    for r in results_rows:
        r["registration_id"] = registration.registration_id
    devs = sorted({t.developer for t, _ in pairs}, key=lambda d: (len(d), d))
    study = {"name": f"Imported from {source.name}", "speedup_scale": SCALE_NOTE,
             "outcome": "total implementation minutes: initial + post-review (a missing post-review time is "
                        "imputed as its arm's mean, as METR's regression.py does)",
             "imported": {"format": fmt, "source": str(source), "sha256": digest, "rows": len(good),
                          "rows_left_out": len(problems), "post_review_imputed": imputed,
                          "post_review_arm_means": {"ai_allowed": arm_mean[True], "ai_disallowed": arm_mean[False]}}}
    write_text(folder.study_path, yaml.safe_dump(study, sort_keys=False, allow_unicode=True), backup=True)
    write_rows(folder.tasks_path, ["task_id", "developer", "description", "forecast_minutes_ai",
                                    "forecast_minutes_no_ai"], tasks_rows)
    write_rows(folder.participants_path, PARTICIPANT_COLUMNS, [{"developer": d} for d in devs])
    write_text(folder.registration_path, registration.to_yaml(), backup=True)
    write_rows(folder.results_path, ["registration_id", "task_id", "developer", "ai_allowed", "actual_minutes",
                                      "followed_assignment", "post_task_speedup", "notes", "initial_minutes",
                                      "post_review_minutes", "post_review_imputed"], results_rows)
    n_ai = sum(1 for _, a in pairs if a)
    return ImportOutcome(folder.directory, len(pairs), len(devs), n_ai, len(pairs) - n_ai, imputed, problems)
