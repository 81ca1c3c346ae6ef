"""results.csv, the study's table of task results: reading it with every standard column, writing it
back in place (previous version kept as ``.bak``), and adding template rows for newly registered tasks.

Shared by registration (which adds rows) and recording (which fills them in), so neither imports
the other.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from assess.fileio import atomic_open
from assess.speedup.folder import RESULT_COLUMNS, StudyFolder, read_csv_rows


class TaskAssignment(Protocol):
    """What a results row needs of a registered task."""

    task_id: str
    developer: str
    ai_allowed: bool


def write_rows(path: Path, header: list[str], rows: Iterable[dict[str, str]]) -> None:
    # the study folder holds developer names: owner-only when new; never written through a device link
    with atomic_open(path, "w", newline="", backup=True, private=True, allow_device=False) as fh:
        writer = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({h: row.get(h, "") for h in header})


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def read_results_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """results.csv as (header with every standard column, rows); empty when the file is new."""
    if not path.exists():
        return list(RESULT_COLUMNS), []
    header, rows = read_csv_rows(path, ["task_id"])
    for column in RESULT_COLUMNS:
        if column not in header:
            header.append(column)
    return header, [r for _, r in rows]


def add_result_rows(folder: StudyFolder, registration_id: str, tasks: Iterable[TaskAssignment]) -> None:
    """Append a template row to results.csv for each newly registered task (creating the file)."""
    path = folder.results_path
    header, kept = read_results_table(path)
    present = {r["task_id"] for r in kept}
    for t in tasks:
        if t.task_id in present:
            continue
        kept.append({"registration_id": registration_id, "task_id": t.task_id, "developer": t.developer,
                     "ai_allowed": yes_no(t.ai_allowed)})
    write_rows(path, header, kept)
