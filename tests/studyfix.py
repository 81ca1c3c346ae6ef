"""A small registered study folder for the hostile tests."""

from __future__ import annotations

from pathlib import Path

from assess.speedup.create import init_study
from assess.speedup.registration import register_study

DEVS = ["Alice Zebra", "Bob Quagga"]


def registered_study(tmp_path: Path, n_per_dev: int = 6, name: str = "study") -> Path:
    directory = tmp_path / name
    init_study(directory)
    (directory / "participants.csv").write_text(
        "developer,expected_speedup,post_study_speedup\n" + "".join(f"{d},-25%,\n" for d in DEVS), encoding="utf-8")
    rows = ["task_id,developer,description,forecast_minutes_ai,forecast_minutes_no_ai"]
    k = 0
    for d in DEVS:
        for i in range(n_per_dev):
            k += 1
            rows.append(f"T{k:02d},{d},task {k},{30 + 5 * i},{45 + 10 * i}")
    (directory / "tasks.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    register_study(directory, seed=11)
    return directory
