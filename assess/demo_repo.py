"""The bundled demo: a generated repository with a realistic mixed history.

Eighteen months of a five-person team: human-only work at first, then Claude Code co-authored
commits after a CLAUDE.md appears, Copilot coding-agent pull requests merged by people, a spec
folder, and in the last months most code written by agents while people write specs, tests and
review. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

from assess.synthetic import SynthCommit, write_history

TEAM = [("Alex Rivera", "alex@acme.example"), ("Bo Chen", "bo@acme.example"), ("Chidi Okafor", "chidi@acme.example"),
        ("Dana Kowalski", "dana@acme.example"), ("Eva Lindqvist", "eva@acme.example")]
COPILOT = ("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com")
DEPENDABOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")
CLAUDE_TRAILER = "\n\n\U0001f916 Generated with [Claude Code](https://claude.com/claude-code)\n\nCo-Authored-By: Claude Sonnet 4.5 <noreply@anthropic.com>\n"
MODULES = ["billing", "auth", "search", "export", "notifications", "reports", "api", "storage"]
VERBS = ["Add", "Fix", "Refactor", "Improve", "Handle", "Support", "Speed up", "Clean up"]
THINGS = ["retry on timeout", "pagination", "CSV export", "rate limiting", "empty input", "time zones",
          "error messages", "caching", "input validation", "logging", "batch mode", "unicode names"]
END = datetime(2026, 11, 13, 17, 0, tzinfo=timezone.utc)
MONTHS = 18


def _code(rng: random.Random, module: str, n: int) -> str:
    lines = [f'"""{module} module."""', ""]
    for i in range(n):
        lines.append(f"def {module}_step_{rng.randrange(10_000)}_{i}(value):")
        lines.append(f"    return value * {rng.randrange(1, 9)} + {rng.randrange(100)}")
    return "\n".join(lines) + "\n"


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.commits: list[SynthCommit] = []
        self.pr = 100

    def add(self, c: SynthCommit) -> int:
        self.commits.append(c)
        return len(self.commits)

    def work_time(self, day: datetime) -> int:
        # people commit in office hours (Europe/Berlin-ish), weekdays
        while day.weekday() >= 5:
            day += timedelta(days=1)
        t = day.replace(hour=self.rng.randint(8, 17), minute=self.rng.randrange(60), second=self.rng.randrange(60))
        return int(t.timestamp())

    def change(self, module: str, size: int) -> dict[str, str | None]:
        files: dict[str, str | None] = {f"src/acme/{module}.py": _code(self.rng, module, size)}
        if self.rng.random() < 0.5:
            files[f"tests/test_{module}.py"] = _code(self.rng, "test_" + module, max(2, size // 2))
        return files

    def subject(self) -> str:
        return f"{self.rng.choice(VERBS)} {self.rng.choice(THINGS)} in {self.rng.choice(MODULES)}"


def demo_commits(seed: int = 0) -> list[SynthCommit]:
    """The demo history as a list of commits (oldest first)."""
    b = _Builder(seed)
    rng = b.rng
    start = END - timedelta(days=30 * MONTHS)
    b.add(SynthCommit(TEAM[0], int(start.timestamp()), "Initial commit\n",
                      {"README.md": "# acme\n", "src/acme/__init__.py": "", "pyproject.toml": "[project]\nname='acme'\n"}))
    for month in range(MONTHS):
        m_start = start + timedelta(days=30 * month)
        if month == 2:
            b.add(SynthCommit(TEAM[1], b.work_time(m_start), "Add CI workflow\n",
                              {".github/workflows/ci.yml": "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n"}))
        if month == 8:
            b.add(SynthCommit(TEAM[0], b.work_time(m_start), "Add CLAUDE.md with project conventions\n",
                              {"CLAUDE.md": "# Conventions\n- run pytest before committing\n- small functions\n"}))
        if month == 10:
            b.add(SynthCommit(TEAM[2], b.work_time(m_start), "Add Copilot instructions and agent setup\n",
                              {".github/copilot-instructions.md": "Follow CLAUDE.md.\n",
                               ".github/workflows/copilot-setup-steps.yml": "jobs:\n  copilot-setup-steps:\n    runs-on: ubuntu-latest\n"}))
        if month == 12:
            b.add(SynthCommit(TEAM[3], b.work_time(m_start), "Add spec for export v2\n",
                              {"specs/001-export-v2/spec.md": "# Export v2\n\n## Requirements\n- streaming CSV\n",
                               ".claude/commands/implement-spec.md": "Implement the spec in $ARGUMENTS.\n"}))
        # adoption curve: share of commits with an agent in them
        claude_share = 0.0 if month < 8 else min(0.15 + 0.06 * (month - 8), 0.55)
        copilot_prs = 0 if month < 10 else min(1 + (month - 10), 5)
        n_commits = rng.randint(45, 70)
        month_commits: list[SynthCommit] = []
        for _ in range(n_commits):
            day = m_start + timedelta(days=rng.randrange(30))
            author = rng.choice(TEAM)
            module = rng.choice(MODULES)
            if rng.random() < claude_share:
                msg = b.subject() + CLAUDE_TRAILER
                files = b.change(module, rng.randint(6, 30))
                files[f"src/acme/{rng.choice(MODULES)}_util.py"] = _code(rng, module + "_util", rng.randint(3, 10))
            elif month >= 12 and rng.random() < 0.25:
                msg = f"Spec: refine {rng.choice(THINGS)} for {module}\n"
                files = {f"specs/00{rng.randint(1, 4)}-{module}/spec.md": f"# {module}\n\n- {rng.choice(THINGS)}\n" * rng.randint(2, 8)}
            else:
                msg = b.subject() + "\n"
                files = b.change(module, rng.randint(2, 14))
            month_commits.append(SynthCommit(author, b.work_time(day), msg, files))
        for _ in range(2):  # dependency bumps
            day = m_start + timedelta(days=rng.randrange(30))
            month_commits.append(SynthCommit(DEPENDABOT, int(day.replace(hour=6).timestamp()),
                                             f"Bump requests from 2.{month}.0 to 2.{month}.1\n",
                                             {"requirements.txt": f"requests==2.{month}.1\n"}))
        for c in sorted(month_commits, key=lambda c: c.time):
            b.add(c)
        for _ in range(copilot_prs):
            day = m_start + timedelta(days=rng.randrange(27))
            b.pr += 1
            slug = rng.choice(THINGS).replace(" ", "-")
            branch = f"copilot/{slug}-{b.pr}"
            base = len(b.commits)
            t = b.work_time(day)
            b.add(SynthCommit(COPILOT, t, "Initial plan\n", {}, branch=branch, parent=base))
            for _ in range(rng.randint(1, 4)):
                t += rng.randint(120, 900)
                b.add(SynthCommit(COPILOT, t, b.subject() + "\n\nAgent-Logs-Url: https://github.com/acme/acme/sessions/"
                                  f"{rng.getrandbits(64):016x}\n", b.change(rng.choice(MODULES), rng.randint(5, 25)),
                                  branch=branch))
            tip = len(b.commits)
            reviewer = rng.choice(TEAM)
            merge_time = t + rng.randint(3600, 3 * 86400)
            b.add(SynthCommit(reviewer, merge_time, f"Merge pull request #{b.pr} from acme/{branch}\n\n{b.subject()}\n",
                              {}, branch="main", merge=tip))
    return b.commits


def build_demo_repository(path: Path, *, seed: int = 0) -> Path:
    """Write the demo repository at ``path`` (which must not exist or be empty) and return it."""
    path = Path(path)
    write_history(path, demo_commits(seed))
    (path / ".git" / "description").write_text("assess demo repository (generated)\n")
    return path
