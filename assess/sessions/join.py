"""Join sessions to commits, strongest evidence first (sessions.md §12):

1. `checkpoint_trailer`: a commit's `Entire-Checkpoint: <id>` trailer names a checkpoint holding the session;
2. `printed_sha`: the transcript printed the commit's SHA (git commit output, Aider's `> Commit <sha>`);
3. `base_commit`: the agent recorded its starting commit (Codex `session_meta.git.commit_hash`); commits
   descending from it inside the session's time window belong to it;
4. `cwd_branch_time` / `cwd_time`: the session ran in the repository (or its transcript is committed
   there) and the commit was authored between the session's start and `window_minutes` after its end;
   when the session's branch exists as a ref, only commits reached from that branch count.
   A session with no known duration (only a start time) uses 1 h before to 6 h after its start.
   Time-window joins are weak in a shared repository (a teammate's commit in the window is joined
   too), so the share of commits with an explicit link (1-3) is reported beside the total.

Commits that only add transcripts (`.specstory/`, `.claude/transcripts/`, `.aider*`) are not counted.
"""

from __future__ import annotations

import os
import subprocess
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assess.errors import AssessError
from assess.sessions.entire import TRAILER
from assess.sessions.metrics import SessionMetrics

METHODS = ("checkpoint_trailer", "printed_sha", "base_commit", "cwd_branch_time", "cwd_time")
WINDOW_MINUTES = 30.0
UNTIMED_BEFORE, UNTIMED_AFTER = 3600.0, 6 * 3600.0
_TRANSCRIPT_PREFIXES = (".specstory/", ".claude/transcripts/", ".aider", ".entire/")


@dataclass
class Commit:
    sha: str
    parents: list[str]
    author_time: float
    sources: set[str] = field(default_factory=set)   # refs it was reached from
    checkpoints: list[str] = field(default_factory=list)
    code: bool = False


def read_commits(repo: Path, max_commits: int = 200_000) -> list[Commit]:
    fmt = f"@@%H%x1f%P%x1f%at%x1f%S%x1f%(trailers:key={TRAILER},valueonly,separator=%x1e)"
    try:
        out = subprocess.run(["git", "-C", str(repo), "log", "--exclude=refs/heads/entire/*",
                              "--exclude=refs/remotes/*/entire/*", "--all", "--source", "--no-merges", "--no-renames",
                              f"--max-count={max_commits}", f"--format={fmt}", "--name-only"],
                             capture_output=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AssessError(f"{repo}: cannot read git history: {exc}") from None
    if out.returncode != 0:
        lines = out.stderr.decode("utf-8", "replace").strip().splitlines()
        raise AssessError(f"{repo}: cannot read the git history for the join", hint=lines[-1] if lines else None)
    commits: dict[str, Commit] = {}
    cur: Commit | None = None
    for row in out.stdout.decode("utf-8", "replace").splitlines():
        if row.startswith("@@"):
            parts = row[2:].split("\x1f")
            if len(parts) < 5:
                cur = None
                continue
            sha, parents, at, source, trailers = parts[:5]
            cur = commits.get(sha)
            if cur is None:
                cur = commits[sha] = Commit(sha, parents.split(), float(at or 0))
                cur.checkpoints = [t.strip() for t in trailers.split("\x1e") if t.strip()]
            cur.sources.add(source.removeprefix("refs/heads/").removeprefix("refs/remotes/origin/"))
        elif row.strip() and cur is not None and not row.startswith(_TRANSCRIPT_PREFIXES):
            cur.code = True
    return list(commits.values())


def _in_repo(m: SessionMetrics, repo: Path) -> bool:
    if m.repository and os.path.realpath(m.repository) == os.path.realpath(repo):
        return True
    if m.cwd:
        root = os.path.realpath(repo)
        cwd = os.path.normpath(m.cwd)
        return cwd == root or cwd.startswith(root + os.sep)
    return False


def join(ms: list[SessionMetrics], repo: Path, checkpoints: dict[str, set[str]] | None = None,
         window_minutes: float = WINDOW_MINUTES) -> dict[str, Any]:
    """Links between the sessions and the code commits of `repo`, and the join rates both ways."""
    commits = [c for c in read_commits(repo) if c.code]
    by_prefix: dict[str, list[Commit]] = defaultdict(list)
    for c in commits:
        by_prefix[c.sha[:7]].append(c)
    children: dict[str, list[Commit]] = defaultdict(list)
    for c in commits:
        for p in c.parents:
            children[p].append(c)
    sessions = {m.session_id: m for m in ms}
    links: dict[tuple[str, str], str] = {}   # (commit, session) -> strongest method

    def link(commit: str, sid: str, method: str) -> None:
        prior = links.get((commit, sid))
        if prior is None or METHODS.index(method) < METHODS.index(prior):
            links[(commit, sid)] = method

    for c in commits:
        for cid in c.checkpoints:
            for sid in (checkpoints or {}).get(cid, ()):
                if sid in sessions:
                    link(c.sha, sid, "checkpoint_trailer")
    window = window_minutes * 60
    for m in ms:
        for sha in m.commit_shas:
            for c in by_prefix.get(sha[:7], []):
                if c.sha.startswith(sha):
                    link(c.sha, m.session_id, "printed_sha")
        if m.start is None or m.end is None:
            continue
        lo, hi = m.start - 60, m.end + window
        frontier = list(m.base_commits)
        seen: set[str] = set()
        while frontier:
            sha = frontier.pop()
            for c in children.get(sha, []):
                if c.sha in seen:
                    continue
                seen.add(c.sha)
                if lo <= c.author_time <= hi:
                    link(c.sha, m.session_id, "base_commit")
                    frontier.append(c.sha)
    relevant = [m for m in ms if _in_repo(m, repo)]
    timeline = sorted(commits, key=lambda c: c.author_time)
    refs = {r for c in commits for r in c.sources}
    times = [c.author_time for c in timeline]
    for m in relevant:
        if m.start is None or m.end is None:
            continue
        lo, hi = m.start - 60, m.end + window
        if m.end - m.start < 60:
            # no duration known (SpecStory before Markdown v2 keeps only the start): the alignment window
            # of real-transcripts.md, 1 h before to 6 h after the start
            lo, hi = m.start - UNTIMED_BEFORE, m.start + UNTIMED_AFTER
        branch_known = bool(m.branch) and m.branch in refs
        for c in timeline[bisect_left(times, lo):bisect_right(times, hi)]:
            if branch_known:
                # the session's branch exists: commits reached only from other branches are someone else's
                if m.branch in c.sources:
                    link(c.sha, m.session_id, "cwd_branch_time")
            else:
                link(c.sha, m.session_id, "cwd_time")
    linked_sessions = {sid for _, sid in links}
    in_scope = {m.session_id for m in relevant} | linked_sessions
    commit_method: dict[str, str] = {}
    for (sha, _), method in links.items():
        if sha not in commit_method or METHODS.index(method) < METHODS.index(commit_method[sha]):
            commit_method[sha] = method
    by_method = {k: sum(1 for v in commit_method.values() if v == k) for k in METHODS}
    explicit = sum(1 for v in commit_method.values() if v in METHODS[:3])
    return {
        "repository": repo.resolve().name,
        "window_minutes": window_minutes,
        "code_commits": len(commits),
        "commits_with_session": len(commit_method),
        "commit_share_with_session": _share(len(commit_method), len(commits)),
        "commit_share_with_explicit_link": _share(explicit, len(commits)),
        "sessions": len(in_scope),
        "sessions_with_commit": len(linked_sessions & in_scope),
        "session_share_with_commit": _share(len(linked_sessions & in_scope), len(in_scope)),
        "commits_by_method": by_method,
        "links": [{"commit": sha, "session_id": sid, "method": method}
                  for (sha, sid), method in sorted(links.items())],
        "unmatched_printed_shas": len({s for m in ms for s in m.commit_shas
                                       if not any(c.sha.startswith(s) for c in by_prefix.get(s[:7], []))}),
    }


def _share(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None
