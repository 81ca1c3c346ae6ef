"""From a study folder to the table the analysis uses, checking it against the registration.

The analysis uses the registered (frozen) forecasts and assignments. Tasks whose rows in tasks.csv
changed after registration are flagged by id and left out unless the user allows them (then their
current values are used). Result rows for unknown tasks or another registration are reported by
line; non-compliance is reported and the task kept in its assigned arm (intention to treat).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from assess.errors import AssessError, InputError
from assess.speedup.folder import Participant, RowProblem, StudyFolder
from assess.speedup.registration import Registration, load_registration, row_digest


@dataclass
class StudyData:
    """Everything the analysis needs from a folder."""

    frame: pd.DataFrame  # analysed tasks: task_id, developer, ai_allowed, actual_minutes, forecasts, ...
    participants: dict[str, Participant]
    registration: Registration
    integrity: dict[str, Any]
    problems: list[RowProblem] = field(default_factory=list)
    name: str = ""


def _changed_fields(current: Any, registered: Any) -> list[str]:
    fields = []
    if current.developer != registered.developer:
        fields.append("developer")
    if float(current.forecast_ai) != registered.forecast_ai:
        fields.append("forecast_minutes_ai")
    if float(current.forecast_no_ai) != registered.forecast_no_ai:
        fields.append("forecast_minutes_no_ai")
    return fields or ["description"]


def load_study(directory: str | Path, *, allow_changed: bool = False) -> StudyData:
    """Read and cross-check a registered study folder."""
    folder = StudyFolder(directory)
    folder.require()
    registration = load_registration(directory)
    if registration is None:
        raise AssessError(f"{folder.directory}: not registered yet",
                          hint="run `assess study register` before recording and analysing")
    registration.refuse_if_arms_changed(folder.registration_path)
    participants, problems = folder.read_participants()
    tasks, task_problems = folder.read_tasks(participants)
    problems += task_problems
    current = {t.task_id: t for t in tasks}
    registered = registration.tasks

    changed: list[dict[str, Any]] = []
    missing_from_tasks: list[str] = []
    use: dict[str, dict[str, Any]] = {}
    for tid, reg in registered.items():
        row = {"task_id": tid, "developer": reg.developer, "ai_allowed": int(reg.ai_allowed),
               "forecast_ai": reg.forecast_ai, "forecast_no_ai": reg.forecast_no_ai, "block": reg.block}
        now = current.get(tid)
        if now is None:
            missing_from_tasks.append(tid)
        elif row_digest(now) != reg.row_sha256:
            changed.append({"task_id": tid, "fields": _changed_fields(now, reg),
                            "included": allow_changed})
            if not allow_changed:
                continue
            row.update(developer=now.developer, forecast_ai=now.forecast_ai, forecast_no_ai=now.forecast_no_ai)
        use[tid] = row
    unregistered = sorted(t for t in current if t not in registered)

    results, result_problems = folder.read_results() if folder.results_path.exists() else ([], [])
    problems += result_problems
    rid = registration.registration_id
    stamped = [r for r in results if r.registration_id]
    if stamped and not any(r.registration_id == rid for r in stamped):
        first = stamped[0]
        raise InputError(folder.results_path, f"these results belong to registration {first.registration_id}, "
                         f"but this study's registration is {rid}", line=first.line, field="registration_id",
                         hint="was the file copied from another study folder?")
    recorded: dict[str, Any] = {}
    for r in results:
        path = str(folder.results_path)
        if r.registration_id and r.registration_id != rid:
            problems.append(RowProblem(path, r.line, "registration_id",
                                       f"belongs to registration {r.registration_id}, not {rid}; row left out",
                                       r.task_id))
            continue
        reg = registered.get(r.task_id)
        if reg is None:
            problems.append(RowProblem(path, r.line, "task_id", f"unknown task '{r.task_id}': not registered; "
                                       "row left out", r.task_id))
            continue
        if r.developer and r.developer != reg.developer:
            problems.append(RowProblem(path, r.line, "developer",
                                       f"'{r.developer}' but task '{r.task_id}' was registered for "
                                       f"'{reg.developer}'; the registration is used", r.task_id))
        if r.ai_allowed_column is not None and r.ai_allowed_column != reg.ai_allowed:
            problems.append(RowProblem(path, r.line, "ai_allowed",
                                       f"says {'yes' if r.ai_allowed_column else 'no'} but the registered "
                                       f"arm is {'yes' if reg.ai_allowed else 'no'}; the registration is used",
                                       r.task_id))
        recorded[r.task_id] = r

    rows = []
    not_completed = []
    for tid, row in use.items():
        r = recorded.get(tid)
        if r is None or r.actual_minutes is None:
            not_completed.append(tid)
            continue
        rows.append({**row, "actual_minutes": r.actual_minutes, "followed": r.followed,
                     "post_task_speedup": r.post_task_speedup})
    columns = ["task_id", "developer", "ai_allowed", "forecast_ai", "forecast_no_ai", "block",
               "actual_minutes", "followed", "post_task_speedup"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["followed"] = frame["followed"].astype(object)

    name = folder.directory.name
    if folder.study_path.exists():
        from assess.yamlfile import load_yaml

        try:
            meta = load_yaml(folder.study_path).data or {}
            if isinstance(meta, dict) and meta.get("name"):
                name = str(meta["name"])
        except InputError as exc:
            problems.append(RowProblem(str(folder.study_path), exc.line, None, f"{exc.message}; ignored"))
    arm_of = {tid: registered[tid].ai_allowed for tid in registered}
    noncompliant = sorted(frame.loc[frame["followed"] == False, "task_id"])  # noqa: E712
    integrity = {
        "registration_id": rid,
        "registration_hash_ok": not registration.tampered_blocks(),
        "tampered_blocks": registration.tampered_blocks(),
        "blocks": [{"block": b.number, "registered_at": b.registered_at, "seed": b.seed,
                    "n_tasks": len(b.tasks), "sha256": b.sha256} for b in registration.blocks],
        "n_registered": len(registered),
        "allow_changed": allow_changed,
        "changed_tasks": changed,
        "excluded_tasks": sorted(c["task_id"] for c in changed if not c["included"]),
        "missing_from_tasks_file": sorted(missing_from_tasks),
        "unregistered_tasks": unregistered,
        "not_completed": {
            "task_ids": sorted(not_completed),
            "ai_allowed": sum(1 for t in not_completed if arm_of[t]),
            "ai_disallowed": sum(1 for t in not_completed if not arm_of[t]),
        },
        "non_compliance": {
            "task_ids": noncompliant,
            "ai_allowed": sum(1 for t in noncompliant if arm_of[t]),
            "ai_disallowed": sum(1 for t in noncompliant if not arm_of[t]),
            "unknown": int(frame["followed"].isna().sum()),
            "analysis": "intention to treat: every task is analysed in the arm it was assigned",
        },
        "row_problems": [p.to_json() for p in problems],
    }
    return StudyData(frame, participants, registration, integrity, problems, name)
