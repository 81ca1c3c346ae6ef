"""The change under review: the commits of base..head, attributed in the context of the whole
history up to head (agent branches merged earlier still count), with their AI shares.

Collection only: no thresholds here. Shares follow the evidence document's definitions
(:func:`assess.mining.evidence.share_block`), plus the share of changed *code* lines, classified
by the bundled path catalogue (tests, docs, specs and configuration are not code).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from assess.errors import AssessError
from assess.mining.catalogue import Catalogue
from assess.mining.evidence import share_block, work_commits
from assess.mining.miner import RepoMining
from assess.mining.share import line_weight
from assess.mining.signals import load_path_rules, path_kinds

MAX_LISTED_COMMITS = 20  # short SHAs listed per agent or rule; the JSON says how many more
# channels where the commit itself says an agent wrote it (its own identity, a trailer or marker in
# its message, or a line-level record); "branch" (only the merged branch's name) and "committer"
# (only the committing account) do not
SELF_ATTRIBUTED_CHANNELS = {"author", "co-author", "message", "assisted", "line-record"}


@dataclass(frozen=True)
class Range:
    base: str  # full shas
    head: str
    base_given: str
    head_given: str
    shas: tuple[str, ...]  # commits in base..head, newest first


def resolve_range(mining: RepoMining, base: str | None, head_given: str) -> Range:
    """The commits of ``base..head``; a branch name is also tried as ``origin/<name>`` (what a CI
    checkout has). A base that is missing or unrelated is a usage error, never an empty change."""
    repo = mining.repo
    if not base:
        raise AssessError("no base for the change", hint="pass --base REF (in CI: GITHUB_BASE_REF or "
                          "CI_MERGE_REQUEST_DIFF_BASE_SHA are read when set)")
    base_sha = None
    for candidate in (base, f"origin/{base}", f"refs/remotes/origin/{base}"):
        base_sha = repo.rev_parse(candidate)
        if base_sha:
            break
    shallow = " (the clone is shallow: fetch the whole history, e.g. actions/checkout with fetch-depth: 0)" \
        if mining.shallow else ""
    if base_sha is None:
        raise AssessError(f"{repo.path}: base '{base}' not found{shallow}",
                          hint="check --base, and that the base branch was fetched")
    if repo.run("merge-base", base_sha, mining.head).returncode != 0:
        raise AssessError(f"{repo.path}: base '{base}' and head '{head_given}' share no history{shallow}",
                          hint="fetch the whole history, or check --base/--head")
    shas = tuple(repo.git("rev-list", f"{base_sha}..{mining.head}").decode().split())
    return Range(base=base_sha, head=mining.head, base_given=base, head_given=head_given, shas=shas)


def _message_marks(catalogue: Catalogue) -> list[Any]:
    return [r for r in catalogue.rules()
            if r.field in ("trailer", "message", "subject") and catalogue.kind_of(r.entry_id) == "agent"]


def _carries_marker(row: Any, rules: list[Any]) -> bool:
    """The commit's own message names an agent (a catalogue trailer or message rule matches)."""
    text = f"{row.subject}\n{row.body}"
    for rule in rules:
        if rule.field == "trailer":
            if any(rule.key is not None and rule.key.fullmatch(k) and rule.pattern.search(v) for k, v in row.trailers):
                return True
        elif rule.field == "subject":
            if rule.pattern.search(row.subject):
                return True
        elif rule.pattern.search(text):
            return True
    return False


def range_commits(mining: RepoMining, rng: Range) -> pd.DataFrame:
    """The attributed commits of the range with per-commit code lines and attribution markers."""
    c = mining.commits
    commits = c[c["sha"].isin(set(rng.shas))].copy()
    files = mining.files[mining.files["sha"].isin(set(rng.shas))]
    if not files.empty:
        f = files[["sha", "path", "added", "deleted"]].copy()
        f["code"] = path_kinds(f["path"], load_path_rules()) == "code"
        code = (f["added"] + f["deleted"]).where(f["code"], 0).groupby(f["sha"]).sum()
        commits["code_lines"] = commits["sha"].map(code).fillna(0).astype("int64")
    else:
        commits["code_lines"] = 0
    rules = _message_marks(mining.catalogue)
    commits["marker"] = [_carries_marker(r, rules) for r in commits.itertuples(index=False)]
    return commits


def _share(part: float, whole: float) -> float | None:
    return None if not whole else round(float(part) / float(whole), 4)


def change_block(mining: RepoMining, rng: Range, commits: pd.DataFrame) -> dict[str, Any]:
    """The JSON block describing the change: counts, shares, agents (with short SHAs)."""
    work = work_commits(commits)
    ai = work[work["class"] == "ai"]
    cat = mining.catalogue
    agents = []
    for agent_id, group in ai.groupby("agent", sort=False):
        entry = cat.entries.get(agent_id)
        agents.append({"id": str(agent_id), "name": entry.name if entry else str(agent_id),
                       "commits": int(len(group)), "code_lines": int(group["code_lines"].sum()),
                       "shas": [s[:10] for s in group["sha"].head(MAX_LISTED_COMMITS)]})
    agents.sort(key=lambda a: (-a["commits"], a["id"]))
    code_lines = int(work["code_lines"].sum())
    # one definition of AI lines (assess/mining/share.py): in-session lines count at the rubric's weight
    ai_code_lines = int(round(float((work["code_lines"] * line_weight(work)).sum())))
    return {
        "base": rng.base, "head": rng.head, "base_given": rng.base_given, "head_given": rng.head_given,
        "commits_in_range": len(rng.shas),
        "by_class": {k: int((commits["class"] == k).sum()) for k in ("human", "ai", "automation")},
        "merges": int(commits["is_merge"].sum()),
        **share_block(commits),
        "code_lines": code_lines, "ai_code_lines": ai_code_lines,
        "ai_share_code_lines": _share(ai_code_lines, code_lines),
        "agents": agents,
        "definitions": {
            "ai_share_code_lines": "code lines added+deleted by AI-attributed commits, weighted as every AI share is "
                                   "(in-session co-authored lines count at the rubric's ai_share.session_line_weight) / "
                                   "all code lines changed by people or agents in the range (tests, docs, specs, "
                                   "config excluded)",
        },
    }
