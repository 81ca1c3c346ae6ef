"""The sessions section of the report: picks the figures the sessions source computed (summary of logs
or the team view of bundles); computes nothing new beyond arranging and the distribution of
cost per engineer-day against the factory marker."""

from __future__ import annotations

from typing import Any

from assess.sessions.metrics import FACTORY_USD_PER_ENGINEER_DAY, cost_distribution, run_histogram

_JOIN_KEYS = ("repository", "code_commits", "commits_with_session", "commit_share_with_session",
              "commit_share_with_explicit_link", "sessions", "sessions_with_commit", "session_share_with_commit",
              "commits_by_method")


def report_section(evidence: dict[str, Any] | None) -> dict[str, Any] | None:
    if not evidence:
        return None
    from assess.sessions.source import below_floor

    if below_floor(evidence):
        return _withheld(evidence)
    if evidence.get("kind") == "bundles":
        return _from_bundles(evidence)
    if not isinstance(evidence.get("totals"), dict):
        return None  # not a sessions summary (e.g. a substitute source in tests)
    t = evidence["totals"]
    days = evidence.get("person_days", [])
    costs = [d["cost_usd"] for d in days if not d.get("sessions_cost_unknown", d.get("sessions_without_tokens"))]
    runs = [x for s in evidence.get("sessions", []) for x in s.get("unattended_runs_minutes", [])]
    return {
        "kind": "logs",
        "sessions": t["sessions"], "engineer_days": len(days),
        "engineers": len({d["person"] for d in days}),
        "price_table": evidence["price_table"],
        "agent_active_hours": t["agent_active_hours"],
        "touch_points_per_agent_hour": t["touch_points_per_agent_hour"],
        "human_prompts": t["human_prompts"], "program_prompts": t["program_prompts"], "interrupts": t["interrupts"],
        "longest_unattended_minutes": t["longest_unattended_minutes"],
        "unattended_runs": run_histogram(runs),
        "tokens": t["tokens"], "cost_usd": t["cost_usd"], "models": t["models"],
        "output_tokens_lower_bound": t.get("output_tokens_lower_bound", False),
        "sessions_without_tokens": t.get("sessions_without_tokens", 0),
        "cost_per_engineer_day": evidence.get("cost_per_engineer_day") or cost_distribution(costs),
        "months": [_month(m) for m in evidence.get("team_months", [])],
        "joins": [{k: j.get(k) for k in _JOIN_KEYS} for j in evidence.get("joins", [])],
        "notes": evidence.get("notes", []),
    }


def _withheld(evidence: dict[str, Any]) -> dict[str, Any]:
    team = evidence if evidence.get("kind") == "bundles" else evidence.get("bundles")
    floor = (evidence.get("anonymity") or {}).get("floor") or team["anonymity_floor"]
    return {"kind": evidence.get("kind", "logs"), "withheld": True, "anonymity_floor": floor,
            "reason": f"Fewer than {floor} engineers contributed session logs or bundles: their sessions, tokens, "
                      "cost and joins are withheld so that no one person's figures are published (the anonymity "
                      "floor, --min-group). The placement may still use them; its evidence carries no figures."}


def _month(m: dict[str, Any]) -> dict[str, Any]:
    return {"month": m["month"], "engineer_days": m["engineer_days"], "sessions": m["session_count"],
            "agent_active_hours": m["agent_active_hours"], "touch_points_per_agent_hour": m["touch_points_per_agent_hour"],
            "tokens": m["tokens"], "cost_usd": m["cost_usd"], "cost_usd_per_engineer_day": m["cost_usd_per_engineer_day"],
            "sessions_without_tokens": m.get("sessions_without_tokens", 0),
            "reaches_factory_marker": (None if m["cost_usd_per_engineer_day"] is None
                                       else m["cost_usd_per_engineer_day"] >= FACTORY_USD_PER_ENGINEER_DAY)}


def _from_bundles(team: dict[str, Any]) -> dict[str, Any]:
    t = team["totals"]
    per_day = t.get("cost_usd_per_engineer_day")
    return {
        "kind": "bundles", "sessions": t["sessions"], "engineer_days": t["engineer_days"],
        "engineers": team.get("engineers"), "anonymity_floor": team["anonymity_floor"],
        "price_table": None,
        "agent_active_hours": t["agent_active_hours"], "touch_points_per_agent_hour": t["touch_points_per_agent_hour"],
        "human_prompts": t["human_prompts"], "program_prompts": t["program_prompts"], "interrupts": t["interrupts"],
        "longest_unattended_minutes": None,
        "unattended_runs": t.get("unattended_run_histogram", []),
        "tokens": t["tokens"], "cost_usd": t["cost_usd"], "models": t["models"], "output_tokens_lower_bound": False,
        "sessions_without_tokens": 0,  # bundles carry per-day figures only; see export
        "cost_per_engineer_day": ({"marker": FACTORY_USD_PER_ENGINEER_DAY, "median": per_day["median"],
                                   "mean": per_day["mean"], "p90": None,
                                   "share_at_or_above_marker": per_day["share_at_or_above_factory_marker"]}
                                  if per_day else cost_distribution([])),
        "months": [{"month": m["name"], "engineer_days": m["engineer_days"], "sessions": m["sessions"],
                    "agent_active_hours": m["agent_active_hours"],
                    "touch_points_per_agent_hour": m["touch_points_per_agent_hour"], "tokens": m["tokens"],
                    "cost_usd": m["cost_usd"], "cost_usd_per_engineer_day": m["cost_usd_per_engineer_day"]["mean"],
                    "sessions_without_tokens": 0,
                    "reaches_factory_marker": (None if m["cost_usd_per_engineer_day"]["mean"] is None
                                               else m["cost_usd_per_engineer_day"]["mean"] >= FACTORY_USD_PER_ENGINEER_DAY)}
                   for m in team.get("months", [])],
        "joins": [],
        "notes": ([team["note"]] if team.get("note") else []) + (
            [f"Hidden below the anonymity floor: {', '.join(team['hidden_below_floor'])}."]
            if team.get("hidden_below_floor") else []),
    }
