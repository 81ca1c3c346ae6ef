"""The document `assess sessions summary` writes (schema `assess/schemas/sessions.schema.json`)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from assess.sessions import prices
from assess.sessions.collect import Collection
from assess.sessions.metrics import (
    IDLE_MINUTES,
    SessionMetrics,
    aggregate,
    cost_distribution,
    headless_chains,
    session_metrics,
)
from assess.sessions.model import Tokens
from assess.sessions.pseudonym import pseudonym, pseudonym_key

SCHEMA = "assess-sessions-summary/1"


_HOME = re.compile(r"^(?:/(?:Users|home)/|[A-Za-z]:[\\/]Users[\\/])([^/\\]+)")


def person_of(cwd: str | None, local: str, repository: str | None) -> str:
    """Who ran a session: the home folder in its working directory (sessions.md §12), else this machine's
    user for local logs, else unknown (a transcript committed by someone else)."""
    m = _HOME.match(cwd or "")
    if m:
        return f"home:{m.group(1)}"
    return "unknown" if repository else local


def file_label(path: str, show_paths: bool) -> str:
    """How outputs name a log file: its path only with --show-paths; otherwise a stable pseudonymous
    label (log paths embed user and project names, e.g. ~/.claude/projects/-home-alice-secretproj/)."""
    if show_paths:
        return path
    return f"<log {hashlib.sha256(path.encode('utf-8', 'surrogateescape')).hexdigest()[:10]}>"


def all_metrics(coll: Collection, idle_minutes: float = IDLE_MINUTES,
                show_identities: bool = False) -> list[SessionMetrics]:
    key = None if show_identities else pseudonym_key()
    out = []
    for s in coll.sessions.values():
        m = session_metrics(s, idle_minutes)
        m.person = person_of(s.cwd, s.person, s.repository)
        if not show_identities:
            m.person = pseudonym(m.person, key)
        out.append(m)
    out.sort(key=lambda m: (m.start or 0, m.session_id))
    return out


def summarise(coll: Collection, ms: list[SessionMetrics] | None = None, *, idle_minutes: float = IDLE_MINUTES,
              show_paths: bool = False, show_identities: bool = False) -> dict[str, Any]:
    ms = ms if ms is not None else all_metrics(coll, idle_minutes, show_identities)
    tokens = Tokens()
    models: dict[str, int] = {}
    for m in ms:
        tokens.add(m.tokens)
        for k, v in m.models.items():
            models[k] = models.get(k, 0) + v
    active = sum(m.agent_active_seconds for m in ms)
    touch = sum(m.touch_points for m in ms)
    chains = headless_chains(ms, idle_minutes)
    longest_chain = max(chains, default=(0.0, []))
    person_days = aggregate(ms, "person-day", idle_minutes)
    sources: dict[str, int] = {}
    for m in ms:
        sources[m.source] = sources.get(m.source, 0) + 1
    from assess.stamp import build_stamp

    return {
        "schema": SCHEMA,
        "stamp": build_stamp(price_table=prices.table_identity()),
        "price_table": prices.table_version(),
        "idle_minutes": idle_minutes,
        "factory_marker_usd_per_engineer_day": 1000.0,
        "sessions": [m.as_dict(show_paths) | {"person": m.person} for m in ms],
        "totals": {
            "sessions": len(ms),
            "sources": dict(sorted(sources.items())),
            "tokens": tokens.as_dict(),
            "cost_usd": round(sum(m.cost_usd for m in ms), 4),
            "agent_active_hours": round(active / 3600, 3),
            "touch_points": touch,
            "touch_points_per_agent_hour": round(touch / (active / 3600), 3) if active > 0 else None,
            "human_prompts": sum(m.human_prompts for m in ms),
            "program_prompts": sum(m.program_prompts for m in ms),
            "interrupts": sum(m.interrupts for m in ms),
            "headless_sessions": sum(1 for m in ms if m.headless),
            "longest_unattended_minutes": round(max([m.longest_unattended_seconds for m in ms] + [longest_chain[0]],
                                                    default=0.0) / 60, 2),
            "longest_headless_chain": {"minutes": round(longest_chain[0] / 60, 2), "sessions": longest_chain[1]},
            "models": dict(sorted(models.items())),
            "unpriced_models": sorted({u for m in ms for u in m.unpriced_models}),
            "output_tokens_lower_bound": any(m.output_lower_bound for m in ms),
            "sessions_without_tokens": sum(1 for m in ms if not m.tokens_recorded),
            "sessions_cost_unknown": sum(1 for m in ms if not m.cost_known),
        },
        "person_days": person_days,
        "team_weeks": aggregate(ms, "team-week", idle_minutes),
        "team_months": aggregate(ms, "team-month", idle_minutes),
        "cost_per_engineer_day": cost_distribution([d["cost_usd"] for d in person_days
                                                    if not d["sessions_cost_unknown"]]),
        "skipped_lines": [{**s.as_dict(), "file": file_label(s.file, show_paths)} for s in coll.skipped],
        "skipped_line_count": coll.skipped_count,
        "files_read": coll.files,
        "duplicates": {"usage_lines": coll.usage_duplicates, "entries": coll.entry_duplicates},
        "notes": _notes(ms),
    }


def _notes(ms: list[SessionMetrics]) -> list[str]:
    notes = []
    if any(m.output_lower_bound for m in ms):
        notes.append("Claude Code 2.1.x writes a placeholder output_tokens on each line; output totals "
                     "from those sessions are lower bounds (cost is dominated by cache reads).")
    if any(m.source in ("specstory",) for m in ms):
        notes.append("SpecStory transcripts carry no tokens and (before Markdown v2) no per-message times.")
    tokenless = sorted({m.source for m in ms if not m.tokens_recorded})
    if tokenless:
        notes.append(f"{sum(1 for m in ms if not m.tokens_recorded)} of {len(ms)} sessions ({', '.join(tokenless)}) "
                     "carry no usable token counts: their tokens and cost are unknown, not zero; totals cover the "
                     "other sessions, and engineer-days with such a session are left out of cost per engineer-day.")
    if any(m.unpriced_models for m in ms):
        notes.append("Some models are not in the price table; their tokens are counted but not priced, and "
                     "engineer-days with such a session are left out of cost per engineer-day.")
    return notes
