"""A team without exposing anyone: per-engineer bundles of daily aggregates, and their combination.

`make_bundle` keeps, per day, only counts, durations, tokens, cost and model names under a
pseudonymous id; never prompt text (it is not even read), file paths or repository names unless
`include_repositories` is set. `describe_bundle` says in plain words what a bundle holds, so the
engineer can check it before it is written. `combine_bundles` merges bundles and applies the
anonymity floor: a group (team label, month) with fewer distinct engineers than the floor is not
shown on its own; its numbers only reach the team totals.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import warnings
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from assess.errors import AssessWarning, InputError
from assess.sessions import prices
from assess.sessions.metrics import FACTORY_USD_PER_ENGINEER_DAY, SessionMetrics, aggregate, run_histogram
from assess.sessions.timeutil import utc_day

BUNDLE_SCHEMA = "assess-sessions-bundle/1"
DEFAULT_FLOOR = 5
MAX_BUNDLE_BYTES = 64 * 1024 * 1024
_DAY_NUMBERS = ("sessions", "headless_sessions", "human_prompts", "program_prompts", "interrupts",
                "touch_points", "subagents")


def make_bundle(ms: list[SessionMetrics], person_id: str, *, group: str | None = None,
                include_repositories: bool = False) -> dict[str, Any]:
    days = []
    by_day: dict[str, list[SessionMetrics]] = defaultdict(list)
    for m in ms:
        if m.start is not None:
            by_day[utc_day(m.start)].append(m)
    rows = {r["day"]: r for r in aggregate([m for m in ms if m.start is not None], "person-day")}
    for day, members in sorted(by_day.items()):
        r = rows[day]
        entry: dict[str, Any] = {
            "day": day,
            "sessions": len(members),
            "headless_sessions": sum(1 for m in members if m.headless),
            "agent_active_minutes": round(sum(m.agent_active_seconds for m in members) / 60, 2),
            "longest_unattended_minutes": r["longest_unattended_minutes"],
            "unattended_runs_minutes": sorted(round(x / 60, 2) for m in members for x in m.unattended_runs),
            "human_prompts": r["human_prompts"], "program_prompts": r["program_prompts"],
            "interrupts": r["interrupts"], "touch_points": r["touch_points"],
            "parallel_sessions": r["parallel_sessions"], "subagents": r["subagents"],
            "tokens": r["tokens"], "cost_usd": r["cost_usd"], "models": r["models"],
            # false when a session's logs record no tokens or its model has no price: cost unknown, not 0
            "cost_known": not r["sessions_cost_unknown"],
        }
        if include_repositories:
            entry["repositories"] = sorted({os.path.basename(m.cwd.rstrip("/\\")) for m in members if m.cwd})
        days.append(entry)
    return {"schema": BUNDLE_SCHEMA, "person": person_id, "group": group or "team",
            "created": datetime.now(timezone.utc).date().isoformat(), "price_table": prices.table_version(),
            "includes_repositories": include_repositories, "days": days}


def describe_bundle(bundle: dict[str, Any]) -> list[str]:
    days = bundle["days"]
    lines = [
        f"This bundle holds daily aggregates for pseudonymous id {bundle['person']} (group '{bundle['group']}'):",
        f"  {len(days)} day(s)" + (f", {days[0]['day']} to {days[-1]['day']}" if days else ""),
        "  per day: numbers of sessions, prompts, interrupts and touch points; active and unattended minutes;",
        "  tokens by kind (input, output, cache read, cache write); cost in USD and whether it is known; model names.",
        f"  totals: {sum(d['sessions'] for d in days)} sessions, "
        f"{sum(d['tokens']['input'] + d['tokens']['output'] + d['tokens']['cache_read'] + d['tokens']['cache_write'] for d in days):,} tokens, "
        f"${sum(d['cost_usd'] for d in days):,.2f}",
        f"  models: {', '.join(sorted({k for d in days for k in d['models']})) or 'none'}",
        "  It holds no prompt text, no file paths" + (
            "; repository NAMES are included (--include-repositories)." if bundle.get("includes_repositories")
            else " and no repository names."),
    ]
    return lines


def load_bundle(path: Path) -> dict[str, Any]:
    try:
        size = path.stat().st_size
        if size > MAX_BUNDLE_BYTES:
            raise InputError(path, f"bundle larger than {MAX_BUNDLE_BYTES} bytes")
        data = orjson.loads(path.read_bytes())
    except OSError as exc:
        raise InputError(path, f"cannot read bundle: {exc.strerror or exc}") from None
    except orjson.JSONDecodeError as exc:
        raise InputError(path, f"not valid JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("schema") != BUNDLE_SCHEMA:
        raise InputError(path, f"not a sessions bundle (expected schema {BUNDLE_SCHEMA})", field="schema")
    if not isinstance(data.get("person"), str) or not isinstance(data.get("days"), list):
        raise InputError(path, "bundle lacks 'person' or 'days'", field="days")
    for i, d in enumerate(data["days"]):
        if not isinstance(d, dict) or not isinstance(d.get("day"), str) or not isinstance(d.get("tokens"), dict):
            raise InputError(path, "malformed day entry", field=f"days.{i}")
        for k in _DAY_NUMBERS + ("cost_usd", "agent_active_minutes", "longest_unattended_minutes"):
            v = d.get(k, 0)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                raise InputError(path, "must be a non-negative number", field=f"days.{i}.{k}")
    return data


def bundle_paths(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir() if q.is_file() and q.suffix == ".json"))
        else:
            out.append(p)
    return out


@dataclass
class MergedBundles:
    days: dict[tuple[str, str], tuple[str, dict[str, Any]]]   # (pseudonym, day) -> (group, figures)
    bundles: int          # distinct bundles read
    duplicates: int       # files identical in content to one already read (not counted twice)
    conflicts: list[str]  # engineer-days held by several bundles with different figures (summed)


def _content_hash(bundle: dict[str, Any]) -> str:
    # `created` is the export date: the same data exported twice is the same bundle
    body = {k: v for k, v in bundle.items() if k != "created"}
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _sum_days(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """One engineer-day held by two bundles (two machines, or an export of a day not yet over):
    counts, minutes, tokens and cost add up; the longest stretch and parallelism are maxima."""
    out = dict(a)
    for k in _DAY_NUMBERS + ("cost_usd", "agent_active_minutes"):
        out[k] = a.get(k, 0) + b.get(k, 0)
    out["cost_usd"] = round(out["cost_usd"], 4)
    out["cost_known"] = a.get("cost_known", True) is not False and b.get("cost_known", True) is not False
    for k in ("longest_unattended_minutes", "parallel_sessions"):
        out[k] = max(a.get(k, 0) or 0, b.get(k, 0) or 0)
    out["tokens"] = {k: (a["tokens"].get(k, 0) or 0) + (b["tokens"].get(k, 0) or 0)
                     for k in ("input", "output", "cache_read", "cache_write")}
    models: dict[str, int] = dict(a.get("models", {}))
    for k, v in b.get("models", {}).items():
        models[k] = models.get(k, 0) + v
    out["models"] = models
    out["unattended_runs_minutes"] = sorted(list(a.get("unattended_runs_minutes", []))
                                            + list(b.get("unattended_runs_minutes", [])))
    return out


def merge_bundles(paths: list[str | Path]) -> MergedBundles:
    """Every engineer-day of the bundles once. Identical bundles (same content hash) count once; the
    same day in the same bundle figures counts once; different figures for one engineer-day (two
    machines) are summed and listed as conflicts with an `AssessWarning`, never dropped."""
    days: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
    seen_bundles: set[str] = set()
    seen_day_entries: dict[tuple[str, str], set[str]] = defaultdict(set)
    duplicates = 0
    conflicts: list[str] = []
    for p in bundle_paths([Path(x) for x in paths]):
        b = load_bundle(p)
        h = _content_hash(b)
        if h in seen_bundles:
            duplicates += 1
            continue
        seen_bundles.add(h)
        for d in b["days"]:
            key = (b["person"], d["day"])
            dh = hashlib.sha256(orjson.dumps(d, option=orjson.OPT_SORT_KEYS)).hexdigest()
            if dh in seen_day_entries[key]:
                continue   # a re-export overlapping an earlier one: the same day, the same figures
            if key in days:
                conflicts.append(f"{p}: day {d['day']}")
                days[key] = (days[key][0], _sum_days(days[key][1], d))
            else:
                days[key] = (b.get("group", "team"), d)
            seen_day_entries[key].add(dh)
    if conflicts:
        warnings.warn(f"{len(conflicts)} engineer-day(s) appear in several bundles of one pseudonym with different "
                      f"figures (two machines?); they are summed, e.g. {'; '.join(conflicts[:3])}",
                      AssessWarning, stacklevel=2)
    return MergedBundles(days, len(seen_bundles), duplicates, conflicts)


def combine_bundles(paths: list[str | Path], floor: int = DEFAULT_FLOOR) -> dict[str, Any]:
    """Team view of many engineers' bundles with the anonymity floor applied."""
    merged = merge_bundles(paths)
    days = merged.days
    persons = {p for p, _ in days}
    out: dict[str, Any] = {"schema": "assess-sessions-team/1", "anonymity_floor": floor,
                           "bundles": merged.bundles, "duplicate_bundles": merged.duplicates,
                           "summed_engineer_days": len(merged.conflicts),
                           "engineers": len(persons) if len(persons) >= floor else None,
                           "totals": _totals(list(days.items()))}
    hidden: list[str] = []
    for label, keyf in (("groups", lambda k, g: g), ("months", lambda k, g: k[1][:7])):
        grouped: dict[str, list] = defaultdict(list)
        for k, (g, d) in days.items():
            grouped[keyf(k, g)].append((k, (g, d)))
        rows = []
        for name, items in sorted(grouped.items()):
            n = len({k[0] for k, _ in items})
            if n < floor:
                hidden.append(f"{label[:-1]} {name}")
                continue
            rows.append({"name": name, "engineers": n, **_totals(items)})
        out[label] = rows
    out["hidden_below_floor"] = hidden
    if len(persons) < floor:
        # one or a few people's totals are their own figures: nothing is published below the floor
        out["note"] = (f"Fewer than {floor} engineers: every figure is withheld (anonymity floor); "
                       "only the number of bundles is shown.")
        out["totals"] = None
    return out


def _totals(items: list) -> dict[str, Any]:
    tokens = {"input": 0, "output": 0, "cache_read": 0, "cache_write": 0}
    models: dict[str, int] = defaultdict(int)
    cost = active = 0.0
    nums = dict.fromkeys(_DAY_NUMBERS, 0)
    runs: list[float] = []
    per_day_cost = []
    for _, (_, d) in items:
        for k in tokens:
            v = d["tokens"].get(k, 0)
            tokens[k] += v if isinstance(v, int) and v > 0 else 0
        for k, v in d.get("models", {}).items():
            models[k] += v if isinstance(v, int) else 0
        for k in nums:
            nums[k] += d.get(k, 0)
        cost += d.get("cost_usd", 0)
        active += d.get("agent_active_minutes", 0)
        runs.extend(x for x in d.get("unattended_runs_minutes", []) if isinstance(x, (int, float)))
        if d.get("cost_known", True) is not False:  # bundles written before the flag: as before
            per_day_cost.append(d.get("cost_usd", 0))
    touch_rate = nums["touch_points"] / (active / 60) if active > 0 else None
    return {
        **nums, "engineer_days": len(items), "agent_active_hours": round(active / 60, 3),
        "touch_points_per_agent_hour": round(touch_rate, 3) if touch_rate is not None else None,
        "tokens": tokens, "cost_usd": round(cost, 2),
        "cost_usd_per_engineer_day": {
            "mean": round(sum(per_day_cost) / len(per_day_cost), 2) if per_day_cost else None,
            "median": round(statistics.median(per_day_cost), 2) if per_day_cost else None,
            "share_at_or_above_factory_marker": round(sum(1 for c in per_day_cost if c >= FACTORY_USD_PER_ENGINEER_DAY)
                                                      / len(per_day_cost), 4) if per_day_cost else None,
        },
        "unattended_run_minutes": _quantiles(runs),
        "unattended_run_histogram": run_histogram(runs),
        "models": dict(sorted(models.items())),
    }


def _quantiles(xs: list[float]) -> dict[str, float | None]:
    if not xs:
        return {"count": 0, "median": None, "p90": None}
    xs = sorted(xs)
    return {"count": len(xs), "median": round(statistics.median(xs), 2), "p90": round(xs[int(0.9 * (len(xs) - 1))], 2)}


def is_bundle_input(path: Path) -> bool:
    """True when `path` is a bundle file or a folder holding bundle files (not raw logs)."""
    candidates = bundle_paths([path]) if path.is_dir() else [path]
    for p in candidates[:20]:
        if p.suffix != ".json":
            continue
        try:
            with open(p, "rb") as fh:
                head = fh.read(4096)
        except OSError:
            continue
        if BUNDLE_SCHEMA.encode() in head:
            return True
    return False


def engineer_day_units(paths: list[str | Path]) -> list[dict[str, Any]]:
    """One unit per (pseudonymous engineer, day) for the placement: numbers only, no ids beyond the
    pseudonym the bundle already carries."""
    units = []
    per_day: dict[str, int] = defaultdict(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssessWarning)   # combine_bundles already said so
        merged = merge_bundles(paths)
    for (person, day), (_, d) in sorted(merged.days.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        per_day[day] += 1
        # refs name the day and an ordinal, not the pseudonym: units cannot be linked across days
        units.append({"id": f"engineer-day {day} #{per_day[day]}", "human": d.get("human_prompts", 0),
                      "program": d.get("program_prompts", 0), "touch": d.get("touch_points", 0),
                      "active_minutes": d.get("agent_active_minutes", 0),
                      "longest": d.get("longest_unattended_minutes", 0), "day": (person, day)})
    return units
