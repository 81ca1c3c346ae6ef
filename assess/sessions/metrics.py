"""Metrics per session, per person-day and per team-week, computed once here (sessions.md §12).

Agent-active time: gaps of at most `idle_minutes` between consecutive agent events (messages, tool
calls and results) are summed; longer gaps are idle (the recipe of sessions.md §12; a quick human reply
inside a turn does not stop the clock). The longest unattended stretch is the longest run of agent activity
(gaps within `idle_minutes`) without a human touch point (prompt, interrupt, rejection, approval,
steering). Headless sessions in the same folder and branch that follow each other within
`idle_minutes` are chained, because each restart brings a program-written prompt, not a person.
Every aggregate lists the sessions it came from.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from assess.sessions import prices
from assess.sessions.model import Session, Tokens
from assess.sessions.timeutil import iso, iso_week, utc_day

IDLE_MINUTES = 10.0
# bins of the unattended-run distribution, in minutes (upper bounds; the last is open)
RUN_BINS: tuple[tuple[str, float], ...] = (("under 5 min", 5), ("5-15 min", 15), ("15-60 min", 60),
                                            ("1-2 h", 120), ("2-4 h", 240), ("4 h or more", float("inf")))
FACTORY_USD_PER_ENGINEER_DAY = 1000.0  # StrongDM's marker of a dark factory
# Formats whose logs carry no usable token counts: SpecStory writes none, and the Markdown transcripts'
# header figure is not de-duplicated (see claude_markdown). Their tokens and cost are unknown, not zero,
# so engineer-days with such a session are left out of cost per engineer-day.
TOKENLESS_SOURCES = frozenset({"specstory", "claude-markdown"})


@dataclass
class SessionMetrics:
    session_id: str
    source: str
    person: str
    start: float | None
    end: float | None
    cwd: str | None
    branch: str | None
    repository: str | None
    headless: bool
    agent_active_seconds: float
    longest_unattended_seconds: float
    unattended_runs: list[float]
    touch_points: int
    human_prompts: int
    program_prompts: int
    interrupts: int
    rejections: int
    approvals: int
    steering: int
    commands: int
    tool_calls: int
    subagents: int
    compactions: int
    tokens: Tokens
    cost_usd: float
    unpriced_models: list[str]
    models: dict[str, int]
    output_lower_bound: bool
    files: list[str]
    commit_shas: list[str]
    base_commits: list[str]

    @property
    def tokens_recorded(self) -> bool:
        return self.source not in TOKENLESS_SOURCES

    @property
    def cost_known(self) -> bool:
        """Tokens recorded and every model priced (a model the table lacks costs unknown, not $0)."""
        return self.tokens_recorded and not self.unpriced_models

    @property
    def touch_per_agent_hour(self) -> float | None:
        hours = self.agent_active_seconds / 3600
        return self.touch_points / hours if hours > 0 else None

    def as_dict(self, show_paths: bool = True) -> dict[str, Any]:
        return {
            "session_id": self.session_id, "source": self.source, "start": iso(self.start), "end": iso(self.end),
            "headless": self.headless,
            "agent_active_minutes": round(self.agent_active_seconds / 60, 2),
            "longest_unattended_minutes": round(self.longest_unattended_seconds / 60, 2),
            "unattended_runs_minutes": [round(r / 60, 2) for r in self.unattended_runs],
            "human_prompts": self.human_prompts, "program_prompts": self.program_prompts,
            "interrupts": self.interrupts, "rejections": self.rejections, "approvals": self.approvals,
            "steering": self.steering, "commands": self.commands, "touch_points": self.touch_points,
            "touch_points_per_agent_hour": _round(self.touch_per_agent_hour),
            "tool_calls": self.tool_calls, "subagents": self.subagents, "compactions": self.compactions,
            "tokens": self.tokens.as_dict(), "output_tokens_lower_bound": self.output_lower_bound,
            "cost_usd": round(self.cost_usd, 4), "unpriced_models": self.unpriced_models,
            "models": dict(sorted(self.models.items())),
            **({"cwd": self.cwd, "branch": self.branch, "files": self.files} if show_paths else {}),
        }


def session_metrics(s: Session, idle_minutes: float = IDLE_MINUTES) -> SessionMetrics:
    idle = idle_minutes * 60
    timeline = sorted([(t, False) for t in s.agent_times] + [(t, True) for t, _ in s.touch_times])
    active = 0.0
    runs: list[float] = []
    run_start: float | None = None
    last_agent: float | None = None
    prev: float | None = None
    for t in sorted(s.agent_times):
        if prev is not None and t - prev <= idle:
            active += t - prev
        prev = t
    for t, touch in timeline:
        if touch:
            if run_start is not None and last_agent is not None:
                runs.append(last_agent - run_start)
            run_start = last_agent = None
            continue
        if run_start is None or last_agent is None or t - last_agent > idle:
            if run_start is not None and last_agent is not None:
                runs.append(last_agent - run_start)
            run_start = t
        last_agent = t
    if run_start is not None and last_agent is not None:
        runs.append(last_agent - run_start)
    c = s.counts
    total_cost = 0.0
    unpriced = []
    for model, tok in s.tokens_by_model.items():
        value = prices.cost(model, tok) if model != "unknown" else None
        if value is None:
            if tok.total():
                unpriced.append(model)
        else:
            total_cost += value
    if unpriced and s.reported_cost_usd:
        total_cost += s.reported_cost_usd  # the tool's own figure for models the table lacks
    touch = sum(c.get(k, 0) for k in ("human_prompt", "interrupt", "rejection", "approval", "steering"))
    return SessionMetrics(
        session_id=s.session_id, source=s.source, person=s.person, start=s.start, end=s.end, cwd=s.cwd,
        branch=s.branch, repository=s.repository, headless=s.headless, agent_active_seconds=active,
        longest_unattended_seconds=max(runs, default=0.0), unattended_runs=[r for r in runs if r > 0],
        touch_points=touch, human_prompts=c.get("human_prompt", 0), program_prompts=c.get("program_prompt", 0),
        interrupts=c.get("interrupt", 0), rejections=c.get("rejection", 0), approvals=c.get("approval", 0),
        steering=c.get("steering", 0), commands=c.get("command", 0), tool_calls=c.get("tool_call", 0),
        subagents=max(len(s.subagents), c.get("subagent", 0)), compactions=c.get("compaction", 0), tokens=s.tokens(),
        cost_usd=total_cost, unpriced_models=sorted(unpriced), models=dict(s.models),
        output_lower_bound=s.output_lower_bound, files=sorted(s.files), commit_shas=sorted(s.commit_shas),
        base_commits=sorted(s.base_commits))


def headless_chains(ms: Iterable[SessionMetrics], idle_minutes: float = IDLE_MINUTES) -> list[tuple[float, list[str]]]:
    """(length in seconds, session ids) of chains of headless, untouched sessions in one folder and branch."""
    groups: dict[tuple, list[SessionMetrics]] = defaultdict(list)
    for m in ms:
        if m.headless and m.touch_points == 0 and m.start is not None and m.end is not None:
            groups[(m.person, m.cwd, m.branch)].append(m)
    chains = []
    for members in groups.values():
        members.sort(key=lambda m: m.start)  # type: ignore[arg-type,return-value]
        cur: list[SessionMetrics] = []
        for m in members:
            if cur and m.start - cur[-1].end > idle_minutes * 60:  # type: ignore[operator]
                chains.append(cur)
                cur = []
            cur.append(m)
        if cur:
            chains.append(cur)
    return [(c[-1].end - c[0].start, [m.session_id for m in c]) for c in chains]  # type: ignore[operator]


def run_histogram(minutes: Iterable[float]) -> list[dict[str, Any]]:
    """Counts of unattended runs per bin of :data:`RUN_BINS`."""
    counts = [0] * len(RUN_BINS)
    for m in minutes:
        for i, (_, upper) in enumerate(RUN_BINS):
            if m < upper:
                counts[i] += 1
                break
    return [{"label": label, "count": n} for (label, _), n in zip(RUN_BINS, counts)]


def _max_parallel(intervals: list[tuple[float, float]]) -> int:
    points = sorted([(a, 1) for a, _ in intervals] + [(b, -1) for _, b in intervals], key=lambda p: (p[0], p[1]))
    cur = best = 0
    for _, d in points:
        cur += d
        best = max(best, cur)
    return best


def aggregate(ms: list[SessionMetrics], key: str, idle_minutes: float = IDLE_MINUTES) -> list[dict[str, Any]]:
    """Aggregates per `person-day`, `team-week` or `team-month` of the sessions' start times (UTC)."""
    groups: dict[tuple, list[SessionMetrics]] = defaultdict(list)
    for m in ms:
        if m.start is None:
            continue
        if key == "person-day":
            groups[(m.person, utc_day(m.start))].append(m)
        elif key == "team-week":
            groups[(iso_week(m.start),)].append(m)
        elif key == "team-month":
            groups[(datetime.fromtimestamp(m.start, timezone.utc).strftime("%Y-%m"),)].append(m)
        else:
            raise ValueError(key)
    out = []
    for gkey, members in sorted(groups.items()):
        tokens = Tokens()
        models: dict[str, int] = defaultdict(int)
        for m in members:
            tokens.add(m.tokens)
            for model, n in m.models.items():
                models[model] += n
        active = sum(m.agent_active_seconds for m in members)
        touch = sum(m.touch_points for m in members)
        person_days = {(m.person, utc_day(m.start)) for m in members}  # type: ignore[arg-type]
        cost = sum(m.cost_usd for m in members)
        # cost per engineer-day only over the days whose every session recorded its tokens
        unknown_days = {(m.person, utc_day(m.start)) for m in members if not m.cost_known}  # type: ignore[arg-type]
        priced_days = person_days - unknown_days
        priced_cost = sum(m.cost_usd for m in members if (m.person, utc_day(m.start)) in priced_days)  # type: ignore[arg-type]
        chains = headless_chains(members, idle_minutes)
        longest = max([m.longest_unattended_seconds for m in members] + [c[0] for c in chains])
        row: dict[str, Any] = {
            "sessions": sorted(m.session_id for m in members),
            "session_count": len(members),
            "engineer_days": len(person_days),
            "engineers": len({p for p, _ in person_days}),
            "agent_active_hours": round(active / 3600, 3),
            "touch_points": touch,
            "touch_points_per_agent_hour": _round(touch / (active / 3600) if active > 0 else None),
            "human_prompts": sum(m.human_prompts for m in members),
            "program_prompts": sum(m.program_prompts for m in members),
            "interrupts": sum(m.interrupts for m in members),
            "longest_unattended_minutes": round(longest / 60, 2),
            "subagents": sum(m.subagents for m in members),
            "max_subagents_per_session": max(m.subagents for m in members),
            "tokens": tokens.as_dict(),
            "cost_usd": round(cost, 4),
            "cost_usd_per_engineer_day": round(priced_cost / len(priced_days), 4) if priced_days else None,
            "sessions_without_tokens": sum(1 for m in members if not m.tokens_recorded),
            "sessions_cost_unknown": sum(1 for m in members if not m.cost_known),
            "models": dict(sorted(models.items())),
        }
        if key == "person-day":
            row = {"person": gkey[0], "day": gkey[1],
                   "parallel_sessions": _max_parallel([(m.start, m.end) for m in members  # type: ignore[misc]
                                                       if m.end is not None]), **row}
        elif key == "team-week":
            row = {"week": gkey[0], **row}
        else:
            row = {"month": gkey[0], **row}
        out.append(row)
    return out


def _round(v: float | None, n: int = 3) -> float | None:
    return None if v is None else round(v, n)


def cost_distribution(costs: list[float]) -> dict[str, Any]:
    """Cost per engineer-day against the factory marker: the one place its median is computed."""
    if not costs:
        return {"marker": FACTORY_USD_PER_ENGINEER_DAY, "median": None, "mean": None, "p90": None,
                "share_at_or_above_marker": None}
    xs = sorted(costs)
    return {"marker": FACTORY_USD_PER_ENGINEER_DAY, "median": round(statistics.median(xs), 2),
            "mean": round(sum(xs) / len(xs), 2), "p90": round(xs[int(0.9 * (len(xs) - 1))], 2),
            "share_at_or_above_marker": round(sum(1 for c in xs if c >= FACTORY_USD_PER_ENGINEER_DAY) / len(xs), 4)}
