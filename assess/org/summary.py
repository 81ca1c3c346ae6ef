"""The organisation document (org.json): every repository's status and level, and every team's
pooled placement with its quarters, agents and the gate that holds it back.

Levels come from the placement (``place_repository`` in each task, ``place_team`` for each team's
pooled repositories); this module only gathers and counts them."""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter
from typing import Any

from assess import __version__
from assess.levels import place_team
from assess.org.options import OrgOptions, RepoSource
from assess.org.store import OrgStore, team_slug
from assess.org.teams import Team, Teams

ORG_SCHEMA_VERSION = "1.0"
QUARTERS_SHOWN = 4
DEFAULT_MIN_GROUP = 5  # the same anonymity floor as the questionnaire's


def quarter_of(month: str) -> str:
    year, m = month.split("-")
    return f"{year}-Q{(int(m) - 1) // 3 + 1}"


def quarters(timeline: list[dict[str, Any]], shown: int = QUARTERS_SHOWN) -> list[dict[str, Any]]:
    """The team's standing at the end of each of its last quarters: the level of the quarter's last
    month that has one (a month with too little evidence carries none)."""
    by_quarter: dict[str, dict[str, Any]] = {}
    for m in timeline:
        q = by_quarter.setdefault(quarter_of(m["month"]), {"quarter": quarter_of(m["month"]), "level": None,
                                                            "range": None, "month": None})
        if m.get("level") is not None:
            q.update(level=m["level"], range=m["range"], month=m["month"])
    return [by_quarter[k] for k in sorted(by_quarter)][-shown:]


def _move(qs: list[dict[str, Any]]) -> int | None:
    placed = [q["level"] for q in qs if q["level"] is not None]
    return placed[-1] - placed[-2] if len(placed) >= 2 else None


def repository_rows(specs: list[RepoSource], rows: dict[str, dict[str, Any]],
                    entries: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for spec in specs:
        row = rows.get(spec.key) or {"status": "failed", "error": "not run", "head": None, "seconds": None}
        entry = entries.get(spec.key) or {}
        status = row["status"]
        level = entry.get("level") if status in ("ok", "skipped-unchanged") else None
        out.append({"source": spec.source, "name": spec.name, "key": spec.key, "origin": spec.origin, "status": status,
                    "error": row.get("error") if status in ("failed", "timeout") else None,
                    "head": row.get("head") or entry.get("head"), "seconds": row.get("seconds"),
                    "commits": row.get("commits") if status == "ok" else entry.get("commits"), "level": level})
    return out


def _team_evidence(team: Team, owners: dict[str, set[str]], specs: list[RepoSource], usable: set[str],
                   store: OrgStore) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """``owners``: each repository's owning teams, computed once for all teams (asking every team
    about every repository again for each team grew with the cube of the organisation's size)."""
    evidences, owned, via_people = [], [], []
    names: Counter[str] = Counter()
    for spec in specs:
        if spec.key not in usable:
            continue
        if team.name in owners[spec.key]:
            e = store.evidence(spec.key)
            owned.append(spec.name)
        elif not owners[spec.key] and (team.emails or team.ids):
            e = store.people_evidence(spec.key).get(team.name)
            if e is None:
                continue
            via_people.append(spec.name)
        else:
            continue
        names[spec.name] += 1
        if names[spec.name] > 1:  # two repositories of one name stay apart in the pooled links
            e = copy.copy(e)
            e["repository"] = dict(e["repository"], name=f"{spec.name} ({names[spec.name]})")
        evidences.append(e)
    return evidences, owned, via_people


def team_rows(teams: Teams, specs: list[RepoSource], repos: list[dict[str, Any]], store: OrgStore,
              options: OrgOptions, min_group: int,
              on_team: Any = None) -> list[dict[str, Any]]:
    """Each team's pooled placement (``place_team``), or why it is withheld or empty."""
    usable = {r["key"] for r in repos if r["status"] in ("ok", "skipped-unchanged")}
    owners = {spec.key: set(teams.owners(spec)) for spec in specs}
    out = []
    for team in teams.teams:
        evidences, owned, via_people = _team_evidence(team, owners, specs, usable, store)
        row: dict[str, Any] = {"name": team.name, "repositories": owned, "people_in": via_people,
                               "people_at_least": 0, "withheld": None, "level": None, "dimensions": {},
                               "quarters": [], "move": None, "agents": {}, "held_back_by": None, "report": None}
        if not evidences:
            row["withheld"] = "no assessed repository and no commits by its people"
            out.append(row)
            continue
        # distinct people across repositories cannot be told apart here (ids are per repository):
        # the largest single count is a lower bound, so the floor never lets a smaller team through
        row["people_at_least"] = max(int(e["identities"]["humans"]) for e in evidences)
        if row["people_at_least"] < min_group:
            row["withheld"] = (f"fewer than {min_group} people can be counted in its commits: its level is not "
                               "shown (anonymity floor, --min-group)")
            out.append(row)
            continue
        placement = place_team(evidences, rubric_path=options.rubric)
        overall = placement["overall"]
        qs = quarters(placement["timeline"])
        agents: Counter[str] = Counter()
        for e in evidences:
            agents.update({k: int(v) for k, v in e["attribution"]["by_agent"].items()})
        gate = overall.get("failed_gate")
        row.update(level=overall, quarters=qs, move=_move(qs), agents=dict(agents.most_common()),
                   dimensions={k: {"level": d["level"], "range": d["range"], "confidence": d["confidence"]}
                               for k, d in placement["dimensions"].items()},
                   held_back_by={"level": gate["level"], "dimension": gate["dimension"]} if gate else None)
        if on_team is not None:
            row["report"] = on_team(team.name, evidences, placement)
        out.append(row)
    return out


def distribution(teams: list[dict[str, Any]]) -> dict[str, int]:
    counts = {str(lvl): 0 for lvl in range(6)} | {"range only": 0, "not placeable": 0, "withheld": 0}
    for t in teams:
        if t["withheld"]:
            counts["withheld"] += 1
        elif not t["level"]["placeable"]:
            counts["not placeable"] += 1
        elif t["level"]["level"] is None:
            counts["range only"] += 1
        else:
            counts[str(t["level"]["level"])] += 1
    return counts


def gates(teams: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The teams each gate holds back: the next level they miss and the dimension that misses it."""
    groups: dict[tuple[int, str], list[str]] = {}
    for t in teams:
        if t["held_back_by"]:
            groups.setdefault((t["held_back_by"]["level"], t["held_back_by"]["dimension"]), []).append(t["name"])
    return [{"level": lvl, "dimension": dim, "teams": names} for (lvl, dim), names in sorted(groups.items())]


def build_org(*, specs: list[RepoSource], rows: dict[str, dict[str, Any]], store: OrgStore, teams: Teams,
              options: OrgOptions, min_group: int, run: dict[str, Any], on_team: Any = None) -> dict[str, Any]:
    repos = repository_rows(specs, rows, store.entries())
    team_list = team_rows(teams, specs, repos, store, options, min_group, on_team)
    status = Counter(r["status"] for r in repos)
    by_key = {s.key: s for s in specs}
    people_in = {name for t in team_list for name in t["people_in"]}
    from assess.stamp import build_stamp

    stamp = build_stamp(catalogue=[options.signatures] if options.signatures else None, rubric=options.rubric,
                        repositories=[{"name": r.get("name"), "head": r.get("head")} for r in repos])
    return {
        "schema_version": ORG_SCHEMA_VERSION,
        "stamp": stamp,
        "tool": {"name": "assess", "version": __version__},
        "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "run": run,
        "teams_source": teams.source or "one team per repository",
        "min_group": min_group,
        "counts": {"repositories": len(repos), **{s: status.get(s, 0) for s in
                                                  ("ok", "failed", "timeout", "skipped-unchanged")}},
        "distribution": distribution(team_list),
        "gates": gates(team_list),
        "repositories": repos,
        "teams": team_list,
        "unassigned": [r["name"] for r in repos if teams.source and not teams.owners(by_key[r["key"]])
                       and r["name"] not in people_in],
        "methods": [
            "Each repository is mined and placed on its own, as `assess repo` does; its level is that placement.",
            "A team's level pools the evidence of the repositories it owns (counts add up, maxima take the "
            "largest, medians the median of the repositories' medians) and is placed by the same rubric.",
            "In a repository no team owns, each commit counts for the team whose people wrote it "
            "(people who work across teams count where they commit).",
            f"A team's level is withheld when fewer than {min_group} people can be counted in its commits; "
            "people are told apart within a repository only, so the largest single-repository count is used.",
            "A quarter's level is the team's level in the last month of that quarter that has enough evidence.",
        ],
    }


__all__ = ["DEFAULT_MIN_GROUP", "build_org", "quarters", "team_slug"]
