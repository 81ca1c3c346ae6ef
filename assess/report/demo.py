"""The bundled example: a generated repository with a mixed human/agent history, a dozen simulated
questionnaire responses, a simulated randomised study, generated agent session logs and a generated
forge store of pull requests with their reviews, assessed into the full report. Offline."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from assess.errors import AssessError
from assess.fileio import write_text
from assess.report.outputs import ReportFiles

MARKER = ".assess-demo"
PARTS = ("acme", "survey", "study", "sessions", "forge", "report.html", "report.json", "report.md")


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
    from assess.forge.synthetic import generate, write_store
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
    step("Generating a forge store of the team's pull requests and their reviews")
    forge = write_store(root / "forge", generate("reads-every-diff", n=120, seed=seed, repo="acme/acme"))
    step("Mining, placing and writing the report")
    report = build_report([repo], [root / "survey"], study, use_cache=False, sessions=[root / "sessions"],
                          forge=[forge])
    return write_report(report, root / "report.html")


def _demo_sessions(folder: Path, repo: Path, seed: int) -> None:
    """Claude Code logs for six engineers over the repository's last three weeks: three delegate
    tasks, two pair with the agent, one leaves it running for hours (a team around Level 3). Each
    agent-co-authored commit of those weeks comes from a session that printed its SHA when it
    committed (as `git commit` does: "[main 1a2b3c4] subject"), so the demo joins logs to commits."""
    import random
    import subprocess
    from datetime import datetime, timedelta, timezone

    import orjson

    from assess.sessions.synthetic import session_lines, write_claude_logs

    out = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%ct"], capture_output=True, text=True)
    last = datetime.fromtimestamp(int(out.stdout.strip() or 0), timezone.utc) if out.returncode == 0 else None
    start = (last or datetime(2026, 3, 2, tzinfo=timezone.utc)) - timedelta(days=21)
    start = start.replace(hour=9, minute=0, second=0, microsecond=0)
    styles = ("delegating", "delegating", "delegating", "pairing", "pairing", "unattended")
    write_claude_logs(folder, engineers=6, days=21, start=start, seed=seed,
                      style_of=lambda e, d: styles[e], project="acme")
    log = subprocess.run(["git", "-C", str(repo), "log", "--all", f"--since={int(start.timestamp())}",
                          "--grep=Generated with \\[Claude Code\\]", "--format=%H %ct %s"],
                         capture_output=True, text=True)
    rng = random.Random(seed + 101)
    for row in log.stdout.splitlines() if log.returncode == 0 else []:
        sha, ct, subject = row.split(" ", 2)
        when = datetime.fromtimestamp(int(ct), timezone.utc)
        e = rng.randrange(3)   # the delegating engineers commit through the agent
        t0 = when - timedelta(minutes=rng.uniform(15, 45))
        sid = f"{rng.getrandbits(32):08x}-demo-{sha[:4]}-{sha[4:8]}-{sha[8:20]}"
        lines = list(session_lines(rng, sid, t0, "delegating", f"/home/dev{e + 1}/acme"))
        at = next((i for i, line in enumerate(lines) if orjson.loads(line)["timestamp"] > when.isoformat()
                   .replace("+00:00", ".000Z")), len(lines))
        base = orjson.loads(lines[max(0, at - 1)])
        printed = {**base, "type": "user", "uuid": f"{sid[:8]}-commit", "parentUuid": base["uuid"],
                   "timestamp": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                   "message": {"role": "user", "content": [{"tool_use_id": "toolu_commit", "type": "tool_result",
                                                            "is_error": False,
                                                            "content": f"[main {sha[:7]}] {subject}"}]}}
        printed.pop("requestId", None)
        lines.insert(at, orjson.dumps(printed))
        target = folder / f"engineer-{e + 1}" / "projects" / f"-home-dev{e + 1}-acme" / f"{sid}.jsonl"
        target.write_bytes(b"\n".join(lines) + b"\n")
