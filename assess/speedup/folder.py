"""The study folder: plain CSV and YAML files a team keeps in git.

```
study.yaml          name and notes (free to edit)
tasks.csv           task_id, developer, description, forecast_minutes_ai, forecast_minutes_no_ai
participants.csv    developer, expected_speedup (before the study), post_study_speedup (after it)
registration.yaml   written by `register`: frozen rows, hashes, seed, time, method, assignments
results.csv         one row per registered task: actual_minutes, followed_assignment, post_task_speedup
```
Reading never judges: each reader returns the good rows and a list of :class:`RowProblem` naming
file, line and column. Missing columns or unreadable files raise :class:`InputError`.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from assess.errors import InputError
from assess.safeio import read_bytes_bounded
from assess.speedup.scales import parse_speedup

STUDY_FILE = "study.yaml"
TASKS_FILE = "tasks.csv"
PARTICIPANTS_FILE = "participants.csv"
REGISTRATION_FILE = "registration.yaml"
RESULTS_FILE = "results.csv"

TASK_COLUMNS = ["task_id", "developer", "description", "forecast_minutes_ai", "forecast_minutes_no_ai"]
PARTICIPANT_COLUMNS = ["developer", "expected_speedup", "post_study_speedup"]
RESULT_COLUMNS = ["registration_id", "task_id", "developer", "ai_allowed", "actual_minutes",
                  "followed_assignment", "post_task_speedup", "notes"]
RESULT_REQUIRED = ["registration_id", "task_id", "actual_minutes"]

_INIT_HINT = "run `assess study init DIR` to create the study folder's templates"
_YES = {"yes", "y", "true", "1", "1.0", "followed"}
_NO = {"no", "n", "false", "0", "0.0", "not followed"}


@dataclass(frozen=True)
class RowProblem:
    """One bad row or cell; the row is left out, the rest of the file is kept."""

    path: str
    line: int | None
    field: str | None
    message: str
    task_id: str | None = None

    def __str__(self) -> str:
        where = self.path + (f":{self.line}" if self.line is not None else "")
        if self.field:
            where += f": field '{self.field}'"
        return f"{where}: {self.message}"

    def to_json(self) -> dict[str, object]:
        return {"file": self.path, "line": self.line, "field": self.field, "message": self.message,
                "task_id": self.task_id}


@dataclass(frozen=True)
class Task:
    task_id: str
    developer: str
    description: str
    forecast_ai: float
    forecast_no_ai: float
    line: int | None = None


@dataclass(frozen=True)
class Participant:
    developer: str
    expected_speedup: float | None
    post_study_speedup: float | None
    line: int | None = None


@dataclass(frozen=True)
class Result:
    task_id: str
    registration_id: str
    developer: str
    ai_allowed_column: bool | None
    actual_minutes: float | None
    followed: bool | None
    post_task_speedup: float | None
    line: int | None = None


def parse_yes_no(text: object) -> bool | None:
    """``yes``/``no`` (and true/false, 1/0); empty -> ``None``; anything else raises ``ValueError``."""
    raw = "" if text is None else str(text).strip().lower()
    if not raw:
        return None
    if raw in _YES:
        return True
    if raw in _NO:
        return False
    raise ValueError(f"'{text}' is not yes or no")


# Reason: a task in a speedup study takes minutes to days of active work; 100,000 minutes is over a
# working year and 0.01 minutes under a second, so a value outside is a typo or a unit slip (seconds,
# a timestamp). Letting 1e308 or 1e-300 through makes the log-time model overflow.
MIN_TASK_MINUTES = 0.01
MAX_TASK_MINUTES = 100_000.0


def parse_minutes(text: object) -> float | None:
    """Positive minutes; empty -> ``None``; zero, negative, implausibly small or large values and
    non-numbers raise ``ValueError``."""
    raw = "" if text is None else str(text).strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"'{raw}' is not a number of minutes") from None
    if not math.isfinite(value):
        raise ValueError(f"'{raw[:40]}' is not a finite number of minutes")
    if value <= 0:
        raise ValueError(f"{raw} minutes: must be more than zero")
    if not MIN_TASK_MINUTES <= value <= MAX_TASK_MINUTES:
        raise ValueError(f"{raw} minutes: outside {MIN_TASK_MINUTES:g} to {MAX_TASK_MINUTES:,.0f} (a typo or "
                         "another unit?)")
    return value


def read_csv_rows(path: Path, required: Iterable[str], *, missing_hint: str | None = None
                  ) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and ``(line, row)`` pairs of a CSV file; blank rows skipped; missing columns are fatal."""
    if not path.exists() and not path.is_symlink():
        raise InputError(path, "file not found", hint=missing_hint)
    raw = read_bytes_bounded(path, what="CSV file")  # regular files only, bounded in size
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text ({exc.reason})", hint="save it as UTF-8 CSV") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputError(path, "empty file: expected a header row", line=1) from None
    except csv.Error as exc:
        raise InputError(path, f"not valid CSV: {exc}", line=1) from None
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)}; the header has {', '.join(header)}",
                         line=1, field=missing[0])
    duplicates = sorted({h for h in header if h and header.count(h) > 1})
    if duplicates:
        raise InputError(path, "column named twice in the header", line=1, field=duplicates[0])
    rows: list[tuple[int, dict[str, str]]] = []
    line = 1
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header) and any(v.strip() for v in values[len(header):]):
                raise InputError(path, f"{len(values)} values but the header names {len(header)} columns",
                                 line=line)
            row = {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}
            rows.append((line, row))
    except csv.Error as exc:
        raise InputError(path, f"not valid CSV: {exc}", line=line + 1) from None
    return header, rows


def _unique_task_id(path: Path, line: int, row: dict[str, str], dups: dict[str, list[int]],
                    problems: list[RowProblem], duplicate_text: str) -> str | None:
    """The row's task id, or None (with the problem recorded) when it is empty or duplicated."""
    tid = row["task_id"]
    if not tid:
        problems.append(RowProblem(str(path), line, "task_id", "empty task id"))
        return None
    if tid in dups:
        problems.append(RowProblem(str(path), line, "task_id",
                                   f"task id '{tid}' {duplicate_text} (lines "
                                   f"{', '.join(map(str, dups[tid]))}); all its rows left out", tid))
        return None
    return tid


def _duplicates(rows: list[tuple[int, dict[str, str]]], key: str) -> dict[str, list[int]]:
    seen: dict[str, list[int]] = {}
    for line, row in rows:
        if row[key]:
            seen.setdefault(row[key], []).append(line)
    return {k: v for k, v in seen.items() if len(v) > 1}


class StudyFolder:
    """Paths and readers of one study folder."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    @property
    def study_path(self) -> Path:
        return self.directory / STUDY_FILE

    @property
    def tasks_path(self) -> Path:
        return self.directory / TASKS_FILE

    @property
    def participants_path(self) -> Path:
        return self.directory / PARTICIPANTS_FILE

    @property
    def registration_path(self) -> Path:
        return self.directory / REGISTRATION_FILE

    @property
    def results_path(self) -> Path:
        return self.directory / RESULTS_FILE

    def require(self) -> None:
        if not self.directory.is_dir():
            raise InputError(self.directory, "study folder not found",
                             hint="create one with `assess study init DIR` or `assess study simulate DIR`")

    def read_participants(self) -> tuple[dict[str, Participant], list[RowProblem]]:
        path = self.participants_path
        _, rows = read_csv_rows(path, ["developer"], missing_hint=_INIT_HINT)
        problems: list[RowProblem] = []
        out: dict[str, Participant] = {}
        dups = _duplicates(rows, "developer")
        for line, row in rows:
            dev = row["developer"]
            if not dev:
                problems.append(RowProblem(str(path), line, "developer", "empty developer"))
                continue
            if dev in dups:
                problems.append(RowProblem(str(path), line, "developer",
                                           f"developer '{dev}' listed more than once (lines "
                                           f"{', '.join(map(str, dups[dev]))}); all its rows left out"))
                continue
            values: dict[str, float | None] = {}
            for column in ("expected_speedup", "post_study_speedup"):
                try:
                    values[column] = parse_speedup(row.get(column, ""))
                except ValueError as exc:
                    # a bad estimate only loses that estimate; the developer stays known
                    problems.append(RowProblem(str(path), line, column, f"{exc}; estimate ignored"))
                    values[column] = None
            out[dev] = Participant(dev, values["expected_speedup"], values["post_study_speedup"], line)
        return out, problems

    def read_tasks(self, participants: dict[str, Participant] | None = None
                   ) -> tuple[list[Task], list[RowProblem]]:
        """Valid task rows; duplicates, bad forecasts and unknown developers are reported."""
        path = self.tasks_path
        _, rows = read_csv_rows(path, ["task_id", "developer", "forecast_minutes_ai", "forecast_minutes_no_ai"],
                                missing_hint=_INIT_HINT)
        problems: list[RowProblem] = []
        tasks: list[Task] = []
        dups = _duplicates(rows, "task_id")
        for line, row in rows:
            tid = _unique_task_id(path, line, row, dups, problems, "used more than once")
            if tid is None:
                continue
            dev = row["developer"]
            if not dev:
                problems.append(RowProblem(str(path), line, "developer", "empty developer", tid))
                continue
            if participants is not None and dev not in participants:
                problems.append(RowProblem(str(path), line, "developer",
                                           f"unknown developer '{dev}': not in {PARTICIPANTS_FILE}", tid))
                continue
            forecasts: dict[str, float] = {}
            for column in ("forecast_minutes_ai", "forecast_minutes_no_ai"):
                try:
                    value = parse_minutes(row[column])
                except ValueError as exc:
                    problems.append(RowProblem(str(path), line, column, str(exc), tid))
                    continue
                if value is None:
                    problems.append(RowProblem(str(path), line, column, "forecast missing", tid))
                    continue
                forecasts[column] = value
            if len(forecasts) < 2:
                continue
            tasks.append(Task(tid, dev, row.get("description", ""), forecasts["forecast_minutes_ai"],
                              forecasts["forecast_minutes_no_ai"], line))
        return tasks, problems

    def read_results(self) -> tuple[list[Result], list[RowProblem]]:
        """Result rows with their cells parsed; checks against the registration happen in analysis."""
        path = self.results_path
        _, rows = read_csv_rows(path, RESULT_REQUIRED)
        problems: list[RowProblem] = []
        results: list[Result] = []
        dups = _duplicates(rows, "task_id")
        for line, row in rows:
            tid = _unique_task_id(path, line, row, dups, problems, "has more than one result row")
            if tid is None:
                continue
            try:
                minutes = parse_minutes(row["actual_minutes"])
            except ValueError as exc:
                problems.append(RowProblem(str(path), line, "actual_minutes", str(exc), tid))
                continue
            followed: bool | None = None
            try:
                followed = parse_yes_no(row.get("followed_assignment", ""))
            except ValueError as exc:
                problems.append(RowProblem(str(path), line, "followed_assignment",
                                           f"{exc}; compliance treated as unknown", tid))
            post_task: float | None = None
            try:
                post_task = parse_speedup(row.get("post_task_speedup", ""))
            except ValueError as exc:
                problems.append(RowProblem(str(path), line, "post_task_speedup", f"{exc}; estimate ignored", tid))
            try:
                arm_column = parse_yes_no(row.get("ai_allowed", ""))
            except ValueError:
                arm_column = None
            results.append(Result(tid, row["registration_id"], row.get("developer", ""), arm_column, minutes,
                                  followed, post_task, line))
        return results, problems
