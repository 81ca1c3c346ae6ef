"""Judge a change against the policy's rules. Each result names its rule, says pass / fail /
exempt / inconclusive, why, and which commits (short SHAs) it is about.

Inconclusive means the evidence needed is not there (e.g. no forge data for a review rule, or a
level range straddling the minimum): it never fails a build and never counts as a pass in the text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from assess.ci.change import MAX_LISTED_COMMITS, SELF_ATTRIBUTED_CHANNELS
from assess.ci.sources import SourceReport
from assess.mining.evidence import work_commits

STATUSES = ("pass", "exempt", "inconclusive", "fail")


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _shas(frame: pd.DataFrame) -> tuple[list[str], int]:
    shas = [s[:10] for s in frame["sha"]]
    return shas[:MAX_LISTED_COMMITS], max(0, len(shas) - MAX_LISTED_COMMITS)


def _result(rule: dict[str, Any], status: str, message: str, commits: pd.DataFrame | None = None) -> dict[str, Any]:
    listed, more = _shas(commits) if commits is not None and len(commits) else ([], 0)
    return {"id": rule["id"], "status": status, "message": message, "commits": listed, "more_commits": more,
            "reason": rule.get("reason")}


def max_ai_share(rule: dict[str, Any], commits: pd.DataFrame, change: dict[str, Any], labels: tuple[str, ...],
                 **_: Any) -> dict[str, Any]:
    measure = rule.get("measure", "code_lines")
    limit = float(rule["max_ai_share"])
    share = {"code_lines": change["ai_share_code_lines"], "lines": change["ai_share_lines"],
             "commits": change["ai_share_commits"]}[measure]
    what = {"code_lines": "changed code lines", "lines": "changed lines", "commits": "commits"}[measure]
    ai = work_commits(commits)
    ai = ai[ai["class"] == "ai"]
    if measure == "code_lines":
        ai = ai[ai["code_lines"] > 0]
    if share is None:
        return _result(rule, "pass", f"no {what} in the change")
    if share <= limit:
        return _result(rule, "pass", f"{_pct(share)} of {what} are AI-attributed (limit {_pct(limit)})")
    exempting = [label for label in labels if label in set(rule.get("exempt_labels", []))]
    if exempting:
        return _result(rule, "exempt", f"{_pct(share)} of {what} are AI-attributed, above {_pct(limit)}, "
                       f"but the change carries the exempting label '{exempting[0]}'", ai)
    hint = (f"; a label {', '.join(repr(x) for x in rule['exempt_labels'])} exempts it"
            if rule.get("exempt_labels") else "")
    return _result(rule, "fail", f"{_pct(share)} of {what} are AI-attributed, above the limit of {_pct(limit)}{hint}",
                   ai)


def agent_attribution(rule: dict[str, Any], commits: pd.DataFrame, **_: Any) -> dict[str, Any]:
    ai = work_commits(commits)
    ai = ai[ai["class"] == "ai"]
    if ai.empty:
        return _result(rule, "pass", "no agent commits in the change")
    if rule.get("require", "self") == "marker":
        ok = ai["marker"]
        need = "a trailer or message marker naming the agent"
    else:
        ok = ai["marker"] | ai["channel"].isin(SELF_ATTRIBUTED_CHANNELS)
        need = "the agent's own identity, a trailer or a message marker"
    bad = ai[~ok.astype(bool)]
    if bad.empty:
        return _result(rule, "pass", f"all {len(ai)} agent commit(s) carry {need}")
    how = sorted(set(bad["channel"].fillna("unknown")))
    seen_as = {"branch": "only the merged agent branch's name", "committer": "only the committing bot account",
               "author": "only the agent's author identity (no trailer)"}
    ways = "; ".join(seen_as.get(h, h) for h in how)
    return _result(rule, "fail", f"{len(bad)} of {len(ai)} agent commit(s) lack {need} (seen through {ways}); "
                   "add a Co-authored-by or Assisted-by trailer", bad)


def human_review(rule: dict[str, Any], commits: pd.DataFrame, sources: dict[str, SourceReport],
                 **_: Any) -> dict[str, Any]:
    ai = work_commits(commits)
    ai = ai[(ai["class"] == "ai") & (ai["code_lines"] > 0)]
    if ai.empty:
        return _result(rule, "pass", "no agent-authored code in the change")
    forge = sources.get("forge")
    if forge is None or forge.status != "ok" or forge.review is None:
        why = (f"forge data is {forge.status if forge is not None else 'not configured'}"
               if forge is None or forge.status != "ok" else "the forge data holds no review of this change")
        return _result(rule, "inconclusive", f"the change has agent-authored code, but {why}: "
                       "git cannot show who reviewed it", ai)
    need = int(rule.get("min_approvals", 1))
    got = int(forge.review.get("human_approvals") or 0)
    if got >= need:
        return _result(rule, "pass", f"{got} human approval(s) on a change with agent-authored code (need {need})")
    return _result(rule, "fail", f"agent-authored code with {got} human approval(s); {need} needed", ai)


def min_level(rule: dict[str, Any], level: dict[str, Any], **_: Any) -> dict[str, Any]:
    need = int(rule["min_level"])
    overall = level["overall"]
    if not overall.get("placeable"):
        return _result(rule, "inconclusive", f"the repository is not placeable: {overall.get('summary', '')}")
    lo, hi = overall["range"]
    point = overall.get("level")
    where = f"Level {point}" if point is not None else f"Levels {lo}-{hi}"
    if point is not None:
        if point >= need:
            return _result(rule, "pass", f"the repository is at {where} (minimum {need})")
        return _result(rule, "fail", f"the repository is at {where}, below the minimum of Level {need}")
    if lo >= need:
        return _result(rule, "pass", f"the repository is at {where} (minimum {need})")
    if hi < need:
        return _result(rule, "fail", f"the repository is at {where}, below the minimum of Level {need}")
    # what the evidence cannot see widens the range: it never fails a gate on its own
    return _result(rule, "inconclusive", f"the evidence places the repository in {where}, which straddles the "
                   f"minimum of Level {need}")


RULES: dict[str, Callable[..., dict[str, Any]]] = {
    "max-ai-share": max_ai_share, "agent-attribution": agent_attribution, "human-review": human_review,
    "min-level": min_level,
}


def evaluate(rules: tuple[dict[str, Any], ...], *, commits: pd.DataFrame, change: dict[str, Any],
             level: dict[str, Any], labels: tuple[str, ...], sources: dict[str, SourceReport]) -> list[dict[str, Any]]:
    return [RULES[r["id"]](r, commits=commits, change=change, level=level, labels=labels, sources=sources)
            for r in rules]
