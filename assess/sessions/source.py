"""The sessions source of the assessment pipeline (`assess.pipeline.SOURCES["sessions"]`).

Inputs are session log locations (read and summarised here) or bundles written by
`assess sessions export` (combined under the anonymity floor). The evidence is the summary document
(or the team view of the bundles) with the joins to the repositories being assessed; the findings
judge autonomy and review with the rubric's `sessions:` thresholds.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from assess.errors import AssessError
from assess.findings import Finding
from assess.sessions import findings as _findings
from assess.sessions.export import DEFAULT_FLOOR, combine_bundles, engineer_day_units, is_bundle_input


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise AssessError(f"--{name}: '{value}' is not a date", hint="use YYYY-MM-DD") from None


def collect(inputs: tuple[str, ...], options: Any) -> dict[str, Any]:
    """Evidence document: `kind` is `logs` (a summary, schema sessions.schema.json) or `bundles`."""
    paths = [Path(p) for p in inputs]
    for p in paths:
        if not p.exists():
            raise AssessError(f"{p}: no such file or folder", hint="--sessions takes log folders or bundle files")
    bundles = [p for p in paths if is_bundle_input(p)]
    logs = [p for p in paths if p not in bundles]
    doc: dict[str, Any] = {}
    if logs:
        from assess.sessions.collect import collect as collect_logs
        from assess.sessions.join import join
        from assess.sessions.summary import all_metrics, summarise

        coll = collect_logs(logs, since=_day(getattr(options, "since", None), "since"),
                            until=_day(getattr(options, "until", None), "until"))
        show = bool(getattr(options, "show_identities", False))
        ms = all_metrics(coll, show_identities=show)
        doc = summarise(coll, ms, show_identities=show)
        doc["kind"] = "logs"
        repos = [Path(r) for r in getattr(options, "repos", ()) if Path(r).is_dir()]
        for r in coll.repositories:
            if all(r.resolve() != x.resolve() for x in repos):
                repos.append(r)
        doc["joins"] = [join(ms, r, coll.checkpoints) for r in repos]
        floor = int(getattr(options, "min_group", DEFAULT_FLOOR))   # --min-group lowers it explicitly
        engineers = len({m.person for m in ms})
        doc["anonymity"] = {"floor": floor, "withheld": 0 < engineers < floor,
                            "engineers": engineers if engineers >= floor else None}
    if bundles:
        floor = max(DEFAULT_FLOOR, int(getattr(options, "min_group", DEFAULT_FLOOR)))
        team = combine_bundles(bundles, floor=floor)
        if doc:
            doc["bundles"] = team
        else:
            doc = {"kind": "bundles", **team}
        doc["units"] = engineer_day_units(bundles)
    return doc


def below_floor(evidence: dict[str, Any]) -> bool:
    """True when fewer engineers than the anonymity floor contributed (logs or bundles)."""
    team = evidence if evidence.get("kind") == "bundles" else evidence.get("bundles")
    if isinstance(team, dict) and team.get("engineers") is None and team.get("bundles", 0) > 0:
        return True
    return bool((evidence.get("anonymity") or {}).get("withheld"))


def findings(evidence: dict[str, Any], rubric: dict[str, Any]) -> list[Finding]:
    if evidence.get("kind") == "logs" and "units" in evidence:
        # logs and bundles together: judge the engineer-days of the bundles and the logs' sessions apart
        # would double count a person who also exported; the bundles (the team) take precedence
        out = _findings.findings({"units": evidence["units"]}, rubric)
    else:
        out = _findings.findings(evidence, rubric)
    return [_findings.without_figures(f) for f in out] if below_floor(evidence) else out
