"""The bundled example: a generated repository with a mixed human/agent history, a dozen simulated
questionnaire responses, a simulated randomised study and generated agent session logs, assessed into
the full report. Offline."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from assess.errors import AssessError
from assess.fileio import write_text
from assess.report.outputs import ReportFiles

MARKER = ".assess-demo"
PARTS = ("acme", "survey", "study", "sessions", "report.html", "report.json", "report.md")


def _prepare(directory: Path) -> None:
    """Create ``directory``, or clear a previous demo in it; refuse to touch anything else."""
    if directory.exists() and not directory.is_dir():
        raise AssessError(f"{directory}: exists and is not a folder", hint="choose another folder with -o")
    if directory.is_dir() and any(directory.iterdir()):
        if not (directory / MARKER).is_file():
            raise AssessError(f"{directory}: folder is not empty and holds no earlier demo",
                              hint="choose a new or empty folder with -o")
        for name in PARTS:
            target = directory / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
    directory.mkdir(parents=True, exist_ok=True)
    write_text(directory / MARKER, "This folder was written by `assess demo`; running it again replaces it.\n")


def build_demo(directory: str | Path = "assess-demo", *, seed: int = 0,
               on_step: Callable[[str], None] | None = None) -> ReportFiles:
    """Build the example inputs in ``directory`` and write report.html/.json/.md there."""
    from assess.demo_repo import build_demo_repository
    from assess.report import build_report, write_report
    from assess.speedup import simulate_study
    from assess.survey import simulate_responses

    step = on_step or (lambda _message: None)
    root = Path(directory)
    _prepare(root)
    step("Generating a repository with a mixed human and agent history")
    repo = build_demo_repository(root / "acme", seed=seed)
    step("Simulating 12 questionnaire responses")
    simulate_responses(root / "survey", n=12, seed=seed)
    step("Simulating a randomised speedup study")
    study = simulate_study(root / "study", seed=7 + seed)
    step("Generating agent session logs for 6 engineers")
    _demo_sessions(root / "sessions", Path(repo), seed)
    step("Mining, placing and writing the report")
    report = build_report([repo], [root / "survey"], study, use_cache=False, sessions=[root / "sessions"])
    return write_report(report, root / "report.html")


def _demo_sessions(folder: Path, repo: Path, seed: int) -> None:
    """Claude Code logs for six engineers over the repository's last three weeks: three delegate
    tasks, two pair with the agent, one leaves it running for hours (a team around Level 3)."""
    import subprocess
    from datetime import datetime, timedelta, timezone

    from assess.sessions.synthetic import write_claude_logs

    out = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%ct"], capture_output=True, text=True)
    last = datetime.fromtimestamp(int(out.stdout.strip() or 0), timezone.utc) if out.returncode == 0 else None
    start = (last or datetime(2026, 3, 2, tzinfo=timezone.utc)) - timedelta(days=21)
    start = start.replace(hour=9, minute=0, second=0, microsecond=0)
    styles = ("delegating", "delegating", "delegating", "pairing", "pairing", "unattended")
    write_claude_logs(folder, engineers=6, days=21, start=start, seed=seed,
                      style_of=lambda e, d: styles[e])
