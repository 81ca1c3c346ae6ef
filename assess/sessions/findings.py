"""What session logs say about autonomy and review, judged only with the rubric's `sessions:` thresholds.

Autonomy: prompts written by programs only -> 5; a quarter of sessions with stretches of hours without a
touch point and under one touch point per agent-hour -> 4; delegated stretches (median longest stretch
of a quarter hour or more) with few touch points -> 3; a person touching the agent every few minutes is
pairing or supervising -> range 2-3 with no point level (presence does not say whether diffs are read). Review follows from the same observation but only indirectly (the logs do not show who
read the diff afterwards), so its confidence is one step lower and the evidence is marked inferred.
Thin evidence (fewer sessions than `min_sessions`) gives low confidence and a range one level wide
each way, never a lower level.
"""

from __future__ import annotations

import dataclasses
import statistics
from typing import Any

from assess.findings import CONFIDENCES, EvidenceItem, Finding

SOURCE = "sessions"


def findings(summary: dict[str, Any], rubric: dict[str, Any]) -> list[Finding]:
    """Findings for `autonomy` and `review` from a sessions summary (`assess.sessions.summary.summarise`)
    or a combination of bundles (`assess.sessions.source`, judged per engineer-day)."""
    r = rubric["sessions"]
    if "units" in summary:   # combined bundles: the unit is an engineer-day, not a session
        units = summary["units"]
        unit_name = "engineer-days"
    else:
        units = [{"id": s["session_id"], "human": s["human_prompts"], "program": s["program_prompts"],
                  "touch": s.get("touch_points", s["human_prompts"] + s["interrupts"]),
                  "active_minutes": s.get("agent_active_minutes", 0), "longest": s["longest_unattended_minutes"],
                  "day": (s.get("person"), s["start"][:10])}
                 # only sessions whose duration is known: a start time alone says nothing about
                 # unattended stretches (SpecStory before Markdown v2, one-prompt Aider launches)
                 for s in summary.get("sessions", []) if s.get("start") and s.get("end") and s["end"] > s["start"]]
        unit_name = "sessions"
    if not units:
        return []
    ids = [u["id"] for u in units]
    human = sum(u["human"] for u in units)
    program = sum(u["program"] for u in units)
    active_h = sum(u["active_minutes"] for u in units) / 60
    touch = sum(u["touch"] for u in units)
    rate = touch / active_h if active_h > 0 else None
    longest = [u["longest"] for u in units]
    median_longest = statistics.median(longest)
    long_ids = [u["id"] for u in units if u["longest"] >= r["level4_unattended_minutes"]]
    long_share = len(long_ids) / len(units)
    prompts = human + program
    program_share = program / prompts if prompts else 0.0
    engineer_days = len({u["day"] for u in units})
    sessions = units
    ev = [
        EvidenceItem("touch_points_per_agent_hour", None if rate is None else round(rate, 2),
                     f"{touch} human touch points over {active_h:.1f} agent-active hours"
                     + (f" ({rate:.1f} per hour)" if rate is not None else ""), refs={"sessions": ids}),
        EvidenceItem("median_longest_unattended_minutes", round(median_longest, 1),
                     f"median of each {unit_name[:-1]}'s longest stretch without a touch point: {median_longest:.1f} min "
                     f"(max {max(longest):.0f} min)", refs={"sessions": ids}),
        EvidenceItem("long_unattended_share", round(long_share, 3),
                     f"{len(long_ids)} of {len(units)} {unit_name} ran {r['level4_unattended_minutes']}+ min "
                     "without a touch point", refs={"sessions": long_ids}),
        EvidenceItem("program_prompt_share", round(program_share, 3),
                     f"{program} of {prompts} prompts written by programs (headless runs)",
                     refs={"sessions": [u["id"] for u in units if u["program"]]}),
    ]
    if program >= r["level5_min_program_prompts"] and program_share >= r["level5_program_prompt_share"]:
        level, why = 5, "prompts are written by programs, not people"
    elif long_share >= r["level4_long_run_share"] and rate is not None and rate <= r["level4_max_touch_per_hour"]:
        level, why = 4, (f"{long_share:.0%} of {unit_name} ran {r['level4_unattended_minutes']}+ min unattended, "
                         f"{rate:.1f} touch points per agent-hour")
    elif median_longest >= r["level3_unattended_minutes"] and (rate is None or rate < r["pairing_touch_per_hour"]):
        level, why = 3, f"agents work delegated stretches (median longest {median_longest:.0f} min) between touch points"
    else:
        # A person in the loop every few minutes is pairing or supervising: the logs show presence,
        # not whether the person reads each diff afterwards (Level 3 teams prompt just as often), so
        # this observation bounds the range (2-3) but sets no point level; git's judgement stands.
        level, why = None, ("a person steps in every few minutes: pairing or supervised delegation (Levels 2-3)"
                            if rate is not None and rate >= r["pairing_touch_per_hour"]
                            else "short stretches between human prompts (Levels 2-3)")
    if len(sessions) < r["min_sessions"]:
        confidence = "low"
        lo, hi = (max(0, level - 1), min(5, level + 1)) if level is not None else (1, 3)
        why += f"; only {len(sessions)} {unit_name}, fewer than {r['min_sessions']}"
    else:
        confidence = ("high" if len(sessions) >= r["confident_sessions"]
                      and engineer_days >= r["confident_engineer_days"] else "medium")
        lo, hi = (level, level) if level is not None else (2, 3)
    ev = [EvidenceItem(e.signal, e.value, e.text, e.supports, level, e.refs) for e in ev]
    autonomy = Finding("autonomy", SOURCE, level, lo, hi, confidence,
                       f"Session logs: {'Level ' + str(level) if level is not None else 'Levels 2-3'}: {why}.",
                       events=len(sessions), evidence=tuple(ev))
    review_conf = CONFIDENCES[max(1, CONFIDENCES.index(confidence) - 1)]
    review_ev = tuple(EvidenceItem(e.signal, e.value, e.text, e.supports, level, e.refs, inferred=True) for e in ev)
    review = Finding("review", SOURCE, level, max(0, lo - (0 if level is None or level < 4 else 1)), hi, review_conf,
                     f"Session logs: people {'are in the loop every few minutes' if level is None else 'check outcomes rather than each step' if level >= 4 else 'review delegated work between stretches'} "
                     "(inferred: logs do not show who reads the diff afterwards).",
                     events=len(sessions), evidence=review_ev)
    return [autonomy, review]


WITHHELD = "figures withheld: fewer engineers than the anonymity floor contributed session logs"


def without_figures(f: Finding) -> Finding:
    """The same placement with no figure of the few people behind it (below the anonymity floor):
    level, range and confidence stay; values, texts with numbers and session ids go."""
    ev = tuple(dataclasses.replace(e, value=None, text=WITHHELD, refs={}) for e in f.evidence)
    where = f"Level {f.level}" if f.level is not None else f"Levels {f.lo}-{f.hi}"
    return dataclasses.replace(f, summary=f"Session logs: {where} ({WITHHELD}).", evidence=ev)
