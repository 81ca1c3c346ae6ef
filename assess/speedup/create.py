"""`init`: a new, empty study folder with templates and a README for the team."""

from __future__ import annotations

from pathlib import Path

import yaml

from assess.errors import AssessError
from assess.fileio import write_text
from assess.speedup.folder import PARTICIPANT_COLUMNS, TASK_COLUMNS, StudyFolder
from assess.speedup.scales import SCALE_NOTE

README = """# Speedup study

A randomised study in the style of METR (2025): each task is AI-allowed or AI-disallowed at random,
and the time it took is compared, adjusted for the developer's own forecast.

1. List developers in `participants.csv`, each with `expected_speedup`: how much they expect AI to
   change their time, before the study.
2. List real tasks in `tasks.csv`, each with two forecasts made **before** randomisation:
   `forecast_minutes_no_ai` (if you could not use AI) and `forecast_minutes_ai` (using AI as well as
   you can). Split tasks over about two hours.
3. `assess study register DIR` freezes the list (hashes, seed, time) and assigns each task an arm.
   Later tasks go in a new block: `assess study register DIR --new-block`.
4. After each task fill in its row of `results.csv` (or `assess study record DIR TASK ...`):
   `actual_minutes` of active work, `followed_assignment` (yes/no), and `post_task_speedup`, your
   estimate of how much AI changed the time.
5. After the study, each developer fills in `post_study_speedup` in `participants.csv`.
6. `assess study analyze DIR` (add `--json FILE` for the report).

All speedups use one scale: {scale}.
Do not edit `registration.yaml`, or tasks and forecasts after registering: the analysis detects it.
"""


def init_study(directory: str | Path, *, name: str | None = None) -> list[Path]:
    """Create a study folder with templates; refuses to touch an existing study."""
    folder = StudyFolder(directory)
    target = folder.directory
    existing = [p for p in (folder.tasks_path, folder.participants_path, folder.registration_path,
                            folder.results_path, folder.study_path) if p.exists()]
    if existing:
        raise AssessError(f"{target}: already a study folder ({existing[0].name} exists)",
                          hint="choose a new directory")
    target.mkdir(parents=True, exist_ok=True)
    study = {"name": name or target.resolve().name, "speedup_scale": SCALE_NOTE,
             "outcome": "active minutes to complete the task"}
    written = []
    write_text(folder.study_path, yaml.safe_dump(study, sort_keys=False, allow_unicode=True))
    write_text(folder.tasks_path, ",".join(TASK_COLUMNS) + "\n")
    write_text(folder.participants_path, ",".join(PARTICIPANT_COLUMNS) + "\n")
    write_text(target / "README.md", README.format(scale=SCALE_NOTE))
    written += [folder.study_path, folder.tasks_path, folder.participants_path, target / "README.md"]
    return written
