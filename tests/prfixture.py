"""A repository with a simulated pull request, built with real git: ``main`` holds a human history
with a few agent commits (so the repository has a level), and the branch ``feature`` adds a mix of
human commits, agent commits with trailers, and an agent-branch commit without any trailer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gitfixture import GitRepo

HUMAN = ("Ada Dev", "ada@example.com")
OTHER = ("Bo Coder", "bo@example.com")
CLAUDE_TRAILER = "\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"


@dataclass
class PullRequest:
    repo: GitRepo
    base: str  # sha of main when the branch was cut
    head: str  # sha of the branch tip
    trailer_commits: list[str]  # agent commits that carry a trailer
    untrailed_commits: list[str]  # agent-branch commits with no trailer
    human_commits: list[str]


def _code(n: int, tag: str) -> str:
    return "".join(f"def {tag}_{i}(x):\n    return x + {i}\n\n" for i in range(n))


def build_pr(path: Path, *, agent_branch: bool = True, agent_commits: int = 2) -> PullRequest:
    repo = GitRepo(path)
    day = 0

    def date() -> str:
        nonlocal day
        day += 1
        return f"2026-{1 + (day // 28) % 11:02d}-{1 + day % 28:02d}T10:00:00+00:00"

    for i in range(30):  # the history the repository's level rests on
        author = HUMAN if i % 2 else OTHER
        msg = f"feat: module {i}"
        if i % 5 == 0:
            msg += CLAUDE_TRAILER
        repo.commit(msg, {f"src/m{i}.py": _code(5, f"m{i}"), f"tests/test_m{i}.py": _code(1, f"t{i}")},
                    author=author, date=date())
    base = repo.head()
    repo.branch("feature")
    humans = [repo.commit("fix: handle empty input", {"src/m1.py": _code(8, "m1")}, author=HUMAN, date=date())]
    trailed = []
    for i in range(agent_commits):
        trailed.append(repo.commit(f"feat: agent change {i}{CLAUDE_TRAILER}", {f"src/agent{i}.py": _code(20, f"a{i}")},
                                   author=HUMAN, date=date()))
    untrailed = []
    if agent_branch:
        repo.branch("claude/add-parser")
        untrailed.append(repo.commit("add parser", {"src/parser.py": _code(10, "p")}, author=HUMAN, date=date()))
        repo.checkout("feature")
        repo.merge("claude/add-parser", "Merge branch 'claude/add-parser' into feature", date=date())
    humans.append(repo.commit("docs: explain", {"README.md": "# Project\n\nMore words.\n"}, author=OTHER, date=date()))
    return PullRequest(repo, base, repo.head(), trailed, untrailed, humans)
