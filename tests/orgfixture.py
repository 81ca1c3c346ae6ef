"""Generated organisations for the `assess org` tests and benchmark: many small repositories
written with `git fast-import`, plus an empty one and a broken one."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

from assess.synthetic import SynthCommit, write_history

PEOPLE = [(f"Dev {i}", f"dev{i}@team{i % 3}.example.com") for i in range(9)]
AGENT_TRAILERS = ["", "", "\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n",
                  "\n\nCo-authored-by: Codex <noreply@openai.com>\n"]


def repo_commits(n: int, seed: int, ai_bias: float = 0.3):
    rng = random.Random(seed)
    t = 1_700_000_000 + seed * 3600
    for i in range(n):
        t += rng.randint(600, 40_000)
        trailer = rng.choice(AGENT_TRAILERS[2:]) if rng.random() < ai_bias else ""
        files = {f"src/m{rng.randrange(20)}.py": f"x = {i}\n" * rng.randint(1, 20)}
        if rng.random() < 0.3:
            files[f"tests/test_m{rng.randrange(20)}.py"] = f"assert {i}\n" * rng.randint(1, 5)
        yield SynthCommit(rng.choice(PEOPLE), t, f"change {i}{trailer}\n", files)


def make_repo(path: Path, commits: int, seed: int, ai_bias: float = 0.3) -> Path:
    write_history(path, repo_commits(commits, seed, ai_bias), checkout=False)
    return path


def make_empty(path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(path)], check=True, capture_output=True)
    return path


def make_broken(path: Path) -> Path:
    """A clone whose commits are there but one of their trees is gone (a damaged object store)."""
    from gitfixture import GitRepo

    repo = GitRepo(path)
    repo.commit("first", {"a.py": "a = 1\n"})
    repo.commit("second", {"b/c.py": "c = 1\n"})
    tree = repo.git("rev-parse", "HEAD:b").strip()
    obj = path / ".git" / "objects" / tree[:2] / tree[2:]
    obj.chmod(0o644)
    obj.unlink()
    return path


def make_org(root: Path, n: int, *, sizes: tuple[int, ...] = (8, 15, 30), empty: bool = True,
             broken: bool = True) -> list[Path]:
    """``n`` repositories under ``root`` (the last two the empty and the broken one when asked)."""
    root.mkdir(parents=True, exist_ok=True)
    out = []
    k = n - int(empty) - int(broken)
    for i in range(k):
        out.append(make_repo(root / f"repo-{i:03d}", sizes[i % len(sizes)], seed=i, ai_bias=(i % 5) / 5))
    if empty:
        out.append(make_empty(root / "zz-empty"))
    if broken:
        out.append(make_broken(root / "zz-broken"))
    return out
