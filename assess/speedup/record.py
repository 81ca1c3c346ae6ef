"""Recording what happened: one task's result, or a developer's post-study estimate.

Both rewrite a CSV in place, keeping every other row and column as it was and leaving the previous
version beside it as ``.bak``.
"""

from __future__ import annotations

from pathlib import Path

from assess.errors import AssessError, InputError
from assess.locking import lock_directory
from assess.speedup.folder import (
    PARTICIPANT_COLUMNS,
    StudyFolder,
    parse_minutes,
    parse_yes_no,
    read_csv_rows,
)
from assess.speedup.registration import load_registration
from assess.speedup.results import read_results_table, write_rows, yes_no
from assess.speedup.scales import parse_speedup


class AlreadyRecorded(AssessError):
    """Recording a task again would overwrite a value: needs ``replace=True`` (``--replace``)."""


def record_result(directory: str | Path, task_id: str, *, actual_minutes: float | str | None = None,
                  followed: bool | str | None = None, post_task_speedup: float | str | None = None,
                  notes: str | None = None, replace: bool = False) -> dict[str, str]:
    """Fill in one registered task's row of results.csv; values not given are left as they were.

    A value already recorded is only overwritten with ``replace=True``; an empty value is an error
    (it would erase the result). The read-modify-write holds the study folder's lock, so parallel
    calls (one per developer) never lose each other's rows."""

    folder = StudyFolder(directory)
    folder.require()
    updates: dict[str, str] = {}
    if actual_minutes is not None:
        if isinstance(actual_minutes, str) and not actual_minutes.strip():
            raise InputError(folder.results_path, "--minutes is empty; give the minutes the task took",
                             field="actual_minutes")
        try:
            minutes = parse_minutes(actual_minutes)
        except ValueError as exc:
            raise InputError(folder.results_path, str(exc), field="actual_minutes") from None
        if minutes is None:
            raise InputError(folder.results_path, "no minutes given", field="actual_minutes")
        updates["actual_minutes"] = f"{minutes:g}"
    if followed is not None:
        try:
            value = followed if isinstance(followed, bool) else parse_yes_no(followed)
        except ValueError as exc:
            raise InputError(folder.results_path, str(exc), field="followed_assignment") from None
        if value is None:
            raise InputError(folder.results_path, "--followed is empty; give yes or no", field="followed_assignment")
        updates["followed_assignment"] = yes_no(value)
    if post_task_speedup is not None:
        try:
            parsed = parse_speedup(post_task_speedup)
        except ValueError as exc:
            raise InputError(folder.results_path, str(exc), field="post_task_speedup") from None
        if parsed is None:
            raise InputError(folder.results_path, "--ai-effect is empty", field="post_task_speedup")
        updates["post_task_speedup"] = str(post_task_speedup).strip()
    if notes is not None:
        updates["notes"] = notes
    if not updates:
        raise AssessError("nothing to record", hint="give --minutes, --followed, --ai-effect or --notes")
    with lock_directory(folder.directory):
        registration = load_registration(directory)
        if registration is None:
            raise AssessError(f"{folder.directory}: not registered yet", hint="run `assess study register` first")
        registration.refuse_if_arms_changed(folder.registration_path)
        registered = registration.tasks.get(task_id)
        if registered is None:
            raise InputError(folder.registration_path, f"unknown task '{task_id}': not registered", field="task_id")
        path = folder.results_path
        header, table = read_results_table(path)
        matches = [r for r in table if r["task_id"] == task_id]
        if len(matches) > 1:
            raise InputError(path, f"task '{task_id}' has more than one row; fix the file first", field="task_id")
        if matches:
            row = matches[0]
            if row.get("registration_id") and row["registration_id"] != registration.registration_id:
                raise InputError(path, f"row for '{task_id}' belongs to registration {row['registration_id']}, "
                                 f"this study is {registration.registration_id}", field="registration_id")
        else:
            row = {"task_id": task_id}
            table.append(row)
        changed = [k for k, v in updates.items() if (row.get(k) or "").strip() and row[k].strip() != v.strip()]
        if changed and not replace:
            raise AlreadyRecorded(f"{path}: task '{task_id}' already has {', '.join(changed)} recorded "
                                  f"({', '.join(f'{k}={row[k]}' for k in changed)})",
                                  hint="pass --replace to overwrite it")
        row.update({"registration_id": registration.registration_id, "developer": registered.developer,
                    "ai_allowed": yes_no(registered.ai_allowed)})
        row.update(updates)
        write_rows(path, header, table)
    return {h: row.get(h, "") for h in header}


def record_post_study(directory: str | Path, developer: str, speedup: float | str,
                      *, column: str = "post_study_speedup", replace: bool = False) -> dict[str, str]:
    """Set one developer's post-study (or, with ``column='expected_speedup'``, pre-study) estimate."""
    if column not in ("post_study_speedup", "expected_speedup"):
        raise ValueError(column)
    folder = StudyFolder(directory)
    folder.require()
    path = folder.participants_path
    try:
        parse_speedup(speedup)
    except ValueError as exc:
        raise InputError(path, str(exc), field=column) from None
    with lock_directory(folder.directory):
        return _record_post_study_locked(path, developer, speedup, column, replace)


def _record_post_study_locked(path: Path, developer: str, speedup: float | str, column: str,
                              replace: bool) -> dict[str, str]:
    header, rows = read_csv_rows(path, ["developer"])
    for c in PARTICIPANT_COLUMNS:
        if c not in header:
            header.append(c)
    table = [r for _, r in rows]
    matches = [r for r in table if r["developer"] == developer]
    if not matches:
        raise InputError(path, f"unknown developer '{developer}'", field="developer",
                         hint=f"add them to {path.name} first")
    if len(matches) > 1:
        raise InputError(path, f"developer '{developer}' listed more than once", field="developer")
    old = (matches[0].get(column) or "").strip()
    new = str(speedup).strip()
    if not new:
        raise InputError(path, "the estimate is empty", field=column)
    if old and old != new and not replace:
        raise AlreadyRecorded(f"{path}: {column} is already recorded for this developer ({old})",
                              hint="pass --replace to overwrite it")
    matches[0][column] = new
    write_rows(path, header, table)
    return {h: matches[0].get(h, "") for h in header}
