"""The review dimension as the forge sees it: who reads agents' pull requests, how closely.

Judged on merged agent-authored pull requests whose reviews are known, with thresholds from the
rubric's ``forge:`` section:

- bots or auto-merge land most of them with no person reviewing → 5 (machines merge on green checks);
- people merge most of them with no comment and no requested change, while they are large or are
  approved within the hour → 4 (outcomes are checked, not diffs);
- people comment on or request changes in nearly all of them → 3 (people read every agent diff);
- anything between → 3, with a range up to 4.

Few pull requests make a low-confidence finding with a wider range; no agent pull requests, no
finding (the forge then says nothing git's own review judgement does not).
"""

from __future__ import annotations

from typing import Any

from assess.findings import EvidenceItem, Finding


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.0f}%"


def _ci(p: dict[str, Any]) -> str:
    ci = p.get("ci95")
    return f" (95% CI {_pct(ci[0])}–{_pct(ci[1])})" if ci else ""


def findings(summary: dict[str, Any], rubric: dict[str, Any]) -> list[Finding]:
    r = rubric["forge"]
    agent = (summary.get("classes") or {}).get("agent") or {}
    n = int(agent.get("merged_with_reviews_known") or 0)
    if n == 0:
        return []
    refs = summary.get("evidence_refs") or {}
    engaged = agent["human_engaged"]
    unread = agent["merged_unread_by_people"]
    machine = agent["machine_merged_unreviewed"]
    silent = agent["approved_without_comment"]
    size = agent["size_lines"]
    approval = agent["hours_to_first_human_approval"]

    def share(p: dict[str, Any]) -> float:
        return p["share"] or 0.0

    big = size["median"] is not None and size["median"] >= r["level4_min_median_lines"]
    fast = approval["median"] is not None and approval["median"] <= r["level4_max_hours_to_approval"]
    ev = [
        EvidenceItem("forge_agent_prs_human_engaged", engaged["share"],
                     f"People commented on or requested changes in {engaged['count']} of {engaged['of']} merged "
                     f"agent pull requests ({_pct(engaged['share'])}{_ci(engaged)}).",
                     "for" if share(engaged) >= r["level3_human_engaged_share"] else "context", level=3,
                     refs={"pull_requests": refs.get("human_engaged", [])}),
        EvidenceItem("forge_agent_prs_merged_unread", unread["share"],
                     f"People merged {unread['count']} of {unread['of']} agent pull requests without a comment or "
                     f"a requested change ({_pct(unread['share'])}{_ci(unread)}); {silent['count']} had only a "
                     "silent approval.",
                     "for" if share(unread) >= r["level4_unread_share"] else "context", level=4,
                     refs={"pull_requests": refs.get("merged_unread_by_people", [])}),
        EvidenceItem("forge_agent_prs_machine_merged", machine["share"],
                     f"Bots or auto-merge landed {machine['count']} of {machine['of']} agent pull requests with no "
                     f"person reviewing ({_pct(machine['share'])}{_ci(machine)}).",
                     "for" if share(machine) >= r["level5_machine_merge_share"] else "context", level=5,
                     refs={"pull_requests": refs.get("machine_merged_unreviewed", [])}),
        EvidenceItem("forge_agent_prs_ci_green", agent["ci_green"]["share"],
                     f"Checks were green on {agent['ci_green']['count']} of {agent['ci_green']['of']} merged agent pull "
                     "requests with a known CI status." if agent["ci_green"]["of"]
                     else "No CI status is known for the merged agent pull requests.", "context"),
        EvidenceItem("forge_agent_pr_size", size["median"],
                     f"Median agent pull request: {size['median']:.0f} changed lines over {size['n']}."
                     if size["median"] is not None else "Agent pull request sizes are unknown in this store.",
                     "context"),
        EvidenceItem("forge_agent_pr_hours_to_approval", approval["median"],
                     f"Median time from opening to a person's approval: {approval['median']:.1f} h over "
                     f"{approval['n']} agent pull requests." if approval["median"] is not None
                     else "No timed approval by a person on agent pull requests.", "context"),
    ]
    if share(machine) >= r["level5_machine_merge_share"]:
        level, lo, hi = 5, 4, 5
        why = "machines merge agent pull requests that no person reviewed"
    elif share(unread) >= r["level4_unread_share"] and (big or fast):
        level, lo, hi = 4, 4, 4
        why = ("people merge agent pull requests without commenting, "
               + ("large ones" if big else "") + (" and " if big and fast else "") + ("within the hour" if fast else "")
               + ": they check outcomes, not diffs")
    elif share(engaged) >= r["level3_human_engaged_share"]:
        level, lo, hi = 3, 3, 3
        why = "people comment on or ask for changes in nearly every agent pull request"
    else:
        level, lo, hi = 3, 3, 4
        why = "people read some agent pull requests closely and wave others through"
    if n >= r["confident_agent_pull_requests"]:
        confidence = "high"
    elif n >= r["min_agent_pull_requests"]:
        confidence = "medium"
    else:
        confidence = "low"
        lo, hi = max(2, lo - 1), min(5, hi + 1)
        why += f" (only {n} merged agent pull requests: thin evidence)"
    return [Finding("review", "forge", level, lo, hi, confidence,
                    f"Forge: {why}. Observational, over {n} merged agent pull requests.", events=n,
                    evidence=tuple(ev))]
