"""Assemble the report data (report.schema.json) from evidence, survey, study and placement.
Every number the HTML and Markdown show comes from this dict; nothing is filled in that an input
did not provide — a missing input leaves ``null`` and a line in ``missing``."""

from __future__ import annotations

import datetime as _dt
import re
from collections import defaultdict
from typing import Any

from assess import __version__
from assess.findings import DIMENSIONS
from assess.redact import sanitize_remote
from assess.report.escape import fill_template

SCHEMA_VERSION = "2.0"  # 2.0: one gaps block, placement-owned shares and timeline

LEVEL_NAMES = {0: "spicy autocomplete", 1: "coding intern", 2: "junior developer", 3: "developer",
               4: "engineering team", 5: "dark factory"}

GIT_BLIND_SPOTS = [
    "Autocomplete and chat leave no trace in git: Levels 0-2 are mostly invisible there, so repository "
    "evidence is a lower bound on how much AI is used.",
    "Agents can be configured not to sign their commits (no trailer, no agent author); such work counts as human.",
    "Whether people read the diffs they merge, and how they plan and spend, is not in git; the questionnaire covers it.",
    "Scenario suites and specifications kept outside the repository on purpose (common at Level 5) are not seen.",
    "Squash merges keep one author per pull request; who wrote the individual commits is lost.",
]


def level_text(level: int | None, rng: list[int] | None = None) -> str:
    """``3 (developer)``, or ``2–4`` for a range without a point, or ``not placed``."""
    if level is not None:
        return f"{level} ({LEVEL_NAMES.get(level, '?')})"
    if rng and rng[0] != rng[1] and list(rng) != [0, 5]:
        return f"{rng[0]}\u2013{rng[1]}"
    if rng and rng[0] == rng[1]:
        return f"{rng[0]} ({LEVEL_NAMES.get(rng[0], '?')})"
    return "not placed"


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _blob_template(commit_url: str | None) -> str | None:
    """A file-link template with ``{rev}`` and ``{path}`` derived from the commit-link template."""
    if not commit_url:
        return None
    rules = [(r"/-/commit/\{sha\}$", "/-/blob/{rev}/{path}"),  # GitLab
             (r"codeberg\.org/(.+)/commit/\{sha\}$", None),
             (r"/commits/\{sha\}$", "/src/{rev}/{path}"),  # Bitbucket
             (r"/commit/\{sha\}$", "/blob/{rev}/{path}")]  # GitHub and lookalikes
    for pattern, repl in rules:
        if re.search(pattern, commit_url):
            if repl is None:  # Codeberg (Forgejo)
                return commit_url.replace("/commit/{sha}", "/src/commit/{rev}/{path}")
            return re.sub(pattern, repl, commit_url)
    return None


class _Links:
    """Commit and file links for the repositories of the report (only for known forges)."""

    def __init__(self, evidences: list[dict[str, Any]], commit_repository: dict[str, str] | None = None) -> None:
        self.repos = {e["repository"]["name"]: e["repository"] for e in evidences}
        self.only = evidences[0]["repository"] if len(evidences) == 1 else None
        # which repository each commit the placement cites belongs to (several repositories pooled)
        self.commit_repository = commit_repository or {}

    def _repo(self, repository: str | None) -> dict[str, Any] | None:
        if repository is not None and repository in self.repos:
            return self.repos[repository]
        return self.only

    def commit(self, sha: str, repository: str | None = None) -> dict[str, Any]:
        repo = self._repo(repository or self.commit_repository.get(sha))
        url = fill_template(repo.get("commit_url"), sha=sha) if repo else None
        return {"sha": sha, "short": sha[:10], "url": url, "repository": repo["name"] if repo else repository}

    def path(self, path: str, repository: str | None = None) -> dict[str, Any]:
        if repository is None and self.only is None and ":" in path:
            # pooled artefact paths read "<repository>:<path>"
            name, _, rest = path.partition(":")
            if name in self.repos:
                repository, path = name, rest
        repo = self._repo(repository)
        tmpl = _blob_template(repo.get("commit_url")) if repo else None
        url = fill_template(tmpl, rev=repo["head"], path=path) if repo and tmpl else None
        return {"path": path, "url": url, "repository": repo["name"] if repo else repository}


def _evidence_items(dimension: dict[str, Any], links: _Links) -> list[dict[str, Any]]:
    items = []
    for ev in dimension.get("evidence", []):
        refs = ev.get("refs") or {}
        repos = refs.get("repositories") or [None]
        repo = repos[0] if len(repos) == 1 else None
        items.append({
            **{k: ev.get(k) for k in ("signal", "text", "supports", "source", "level", "inferred", "value")},
            "commits": [links.commit(s, repo) for s in refs.get("commits", [])],
            "paths": [links.path(p, repo) for p in refs.get("paths", [])],
            "survey_items": list(refs.get("survey_items", [])),
            "repositories": [r for r in repos if r is not None],
            # refs of other sources (sessions, pull_requests, ...): ids as the source gave them
            "other_refs": {k: list(v) for k, v in refs.items()
                           if k not in ("commits", "paths", "survey_items", "repositories")},
        })
    return items


def _dimensions(team: dict[str, Any], survey: dict[str, Any] | None, links: _Links) -> list[dict[str, Any]]:
    out = []
    for name in DIMENSIONS:
        dim = team.get("dimensions", {}).get(name)
        sdim = (survey or {}).get("dimensions", {}).get(name) if survey and survey.get("respondents") else None
        if dim is None and sdim is None:
            continue
        dim = dim or {}
        items = _evidence_items(dim, links)
        out.append({
            "name": name, "level": dim.get("level"), "range": dim.get("range"),
            "confidence": dim.get("confidence", "none"), "source": dim.get("source", "none"),
            "summary": dim.get("summary", "Not placed from evidence."),
            "survey_score": _num(sdim.get("score")) if sdim else None,
            "survey_level": sdim.get("level") if sdim else None,
            "for": [i for i in items if i["supports"] == "for"],
            "against": [i for i in items if i["supports"] == "against"],
            "context": [i for i in items if i["supports"] == "context"],
        })
    return out


def _timeline(evidences: list[dict[str, Any]], team: dict[str, Any]) -> dict[str, Any]:
    """The placement's timeline, with agent names for the legend (numbers as the placement pooled them)."""
    names: dict[str, str] = {}
    for e in evidences:
        for a in e["attribution"]["agents"]:
            names.setdefault(a["id"], a["name"])
    keys = ("month", "commits", "ai_commits", "lines", "ai_lines", "ai_share_commits", "ai_share_lines", "by_agent",
            "level", "range")
    rows = [{k: m.get(k) for k in keys} for m in team.get("timeline", []) if "commits" in m]
    agents = sorted({a for r in rows for a in r["by_agent"]},
                    key=lambda a: -sum(r["by_agent"].get(a, 0) for r in rows))
    return {"months": rows, "agents": [{"id": a, "name": names.get(a, a)} for a in agents],
            "changes": list(team.get("level_changes", []))}


def _agents(evidences: list[dict[str, Any]], links: _Links) -> list[dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for e in evidences:
        repo = e["repository"]["name"]
        for a in e["attribution"]["agents"]:
            m = merged.setdefault(a["id"], {"id": a["id"], "name": a["name"], "commits": 0, "first_seen": None,
                                            "last_seen": None, "repositories": [], "channels": defaultdict(int),
                                            "confidence": defaultdict(int), "examples": []})
            m["commits"] += a["commits"]
            m["repositories"].append(repo)
            for key, pick in (("first_seen", min), ("last_seen", max)):
                values = [v for v in (m[key], a[key]) if v]
                m[key] = pick(values, key=_sort_time) if values else None
            for k, v in a["channels"].items():
                m["channels"][k] += v
            for k, v in a["confidence"].items():
                m["confidence"][k] += v
            m["examples"] += [links.commit(s, repo) for s in a["example_commits"][:3]]
    out = [{**m, "channels": dict(m["channels"]), "confidence": dict(m["confidence"])} for m in merged.values()]
    return sorted(out, key=lambda a: (_sort_time(a["first_seen"]) if a["first_seen"] else "9999", a["name"]))


def _sort_time(iso: str) -> str:
    try:
        return _dt.datetime.fromisoformat(iso).astimezone(_dt.timezone.utc).isoformat()
    except (TypeError, ValueError):
        return str(iso)


def _artefacts(evidences: list[dict[str, Any]], links: _Links) -> list[dict[str, Any]]:
    out = []
    for e in evidences:
        repo = e["repository"]["name"]
        for a in e["artefacts"]:
            out.append({"repository": repo, "path": a["path"], "kind": a["kind"], "tool": a.get("tool"),
                        "level_hint": a["level_hint"], "files": a["files"], "present_at_head": a["present_at_head"],
                        "first_seen": a["first_seen"], "location": a["location"],
                        "first_commit": links.commit(a["first_commit"], repo) if a["first_commit"] else None,
                        "link": links.path(a["path"], repo)["url"] if a["present_at_head"] else None})
    return sorted(out, key=lambda a: (_sort_time(a["first_seen"]) if a["first_seen"] else "9999", a["path"]))


def pseudonymise_study(study: dict[str, Any]) -> dict[str, Any]:
    """Study analysis with developers renamed ``Developer 1..n`` (in order of appearance)."""
    names = {d["developer"]: f"Developer {i + 1}" for i, d in enumerate(study["per_developer"])}
    out = dict(study)
    out["per_developer"] = [{**d, "developer": names[d["developer"]]} for d in study["per_developer"]]
    # names also appear inside warnings and row problems ("No per-developer estimate for Ana, ...",
    # "'Ana' but task 'T3' was registered for 'Ben'"): every string is rewritten, longest name first
    ordered = sorted((n for n in names if n), key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(n) for n in ordered)) if ordered else None

    def rename(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(lambda m: names[m.group(0)], value) if pattern else value
        if isinstance(value, list):
            return [rename(v) for v in value]
        if isinstance(value, dict):
            return {k: rename(v) for k, v in value.items()}
        return value

    for key in ("warnings", "summary", "integrity"):
        if key in out:
            out[key] = rename(out[key])
    integrity = out.get("integrity")
    if isinstance(integrity, dict) and isinstance(integrity.get("row_problems"), list):
        # a name the analysis did not use (a misspelt developer) is still a name: quoted values of
        # the developer field are withheld
        integrity["row_problems"] = [
            {**p, "message": re.sub(r"'[^']*'(?= but task)", "'(withheld)'", str(p.get("message", "")))}
            if isinstance(p, dict) and p.get("field") == "developer" else p
            for p in integrity["row_problems"]]
    out["identities_shown"] = False
    return out


def _study_notes(study: dict[str, Any]) -> list[str]:
    integ = study.get("integrity") or {}
    notes = []
    if not integ:
        notes.append("Analysed from a bare table: no registration, so changes after randomisation cannot be checked.")
        return notes
    notes.append(f"Registration {integ['registration_id']}: "
                 + ("hash verified; the task list is unchanged since randomisation."
                    if integ["registration_hash_ok"] else "HASH MISMATCH: the registered task list was changed."))
    if integ["tampered_blocks"]:
        notes.append(f"Blocks changed after registration: {', '.join(map(str, integ['tampered_blocks']))}.")
    if integ["changed_tasks"]:
        notes.append(f"{len(integ['changed_tasks'])} task(s) changed after registration "
                     + ("(included because changes were allowed)." if integ["allow_changed"] else "(excluded)."))
    if integ["excluded_tasks"]:
        notes.append(f"{len(integ['excluded_tasks'])} task(s) excluded from the analysis.")
    if integ["unregistered_tasks"]:
        notes.append(f"{len(integ['unregistered_tasks'])} result row(s) for tasks that were never registered.")
    nc = integ["not_completed"]
    if nc["task_ids"]:
        notes.append(f"{len(nc['task_ids'])} registered task(s) without a result "
                     f"({nc['ai_allowed']} AI-allowed, {nc['ai_disallowed']} AI-disallowed).")
    comp = integ["non_compliance"]
    if comp["task_ids"]:
        notes.append(f"{len(comp['task_ids'])} task(s) did not follow their assignment; {comp['analysis']}.")
    if integ["row_problems"]:
        notes.append(f"{len(integ['row_problems'])} result row(s) had problems and were left out.")
    return notes


def _sample_sizes(evidences: list[dict[str, Any]], survey: dict[str, Any] | None,
                  study: dict[str, Any] | None) -> list[dict[str, Any]]:
    rows = []
    for e in evidences:
        w = e["attribution"]["window"]
        rows.append({"what": f"Repository {e['repository']['name']}",
                     "n": e["repository"]["commits"], "unit": "commits in history",
                     "detail": f"{w['commits']} work commits in the {e['window']['days']}-day window, "
                               f"{w['ai_commits']} AI-attributed; {e['identities']['humans']} human contributors"})
    if survey is not None:
        rows.append({"what": "Questionnaire", "n": survey["respondents"], "unit": "respondents",
                     "detail": f"{survey['rejected_count']} response(s) rejected; {survey['anonymity']['note']}"})
    if study is not None:
        rows.append({"what": "Randomised study", "n": study["n_tasks"], "unit": "completed tasks",
                     "detail": f"{study['n_developers']} developers; {study['arms']['ai_allowed']} AI-allowed, "
                               f"{study['arms']['ai_disallowed']} AI-disallowed"})
    return rows


def _caveats(evidences: list[dict[str, Any]], survey: dict[str, Any] | None, study: dict[str, Any] | None,
             team: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for e in evidences:
        out += [{"source": f"git: {e['repository']['name']}", "text": c} for c in e["caveats"]]
    if survey is not None:
        for name, d in survey["dimensions"].items():
            if d.get("alpha_flag") in ("low", "not_computable") and d.get("alpha_note"):
                out.append({"source": "questionnaire", "text": f"{name}: {d['alpha_note']}"})
        if survey["rejected_count"]:
            out.append({"source": "questionnaire",
                        "text": f"{survey['rejected_count']} response(s) were rejected and not scored."})
    if study is not None:
        out += [{"source": "study", "text": w} for w in study["warnings"]]
    out += [{"source": "placement", "text": f"{c['dimension']}: {c['text']}"} for c in team.get("contradictions", [])]
    return out


def _rubric_rows(rubric: dict[str, Any]) -> list[dict[str, str]]:
    """The rubric flattened to ``key path = value`` rows (whatever its shape), for the methods table."""
    rows: list[dict[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for i, v in enumerate(value):
                walk(f"{prefix}[{i}]", v)
        else:
            rows.append({"key": prefix, "value": value if isinstance(value, str) else repr(value)})

    walk("", {k: v for k, v in rubric.items() if k not in ("file", "version")})
    return rows[:400]


def assemble_report(*, evidences: list[dict[str, Any]], team: dict[str, Any],
                    repo_levels: list[dict[str, Any] | None] | None = None, survey: dict[str, Any] | None = None,
                    study: dict[str, Any] | None = None, show_identities: bool = False,
                    generated_at: str | None = None) -> dict[str, Any]:
    """The report document: the data behind every number of the HTML and Markdown outputs."""
    repo_levels = repo_levels or [None] * len(evidences)
    links = _Links(evidences, team.get("commit_repository"))
    if study is not None and not show_identities:
        study = pseudonymise_study(study)
    has_survey = bool(survey and survey.get("respondents"))
    missing = []
    if not evidences:
        missing.append("No repository was given: nothing is mined from git, so the evidenced level, the AI share "
                       "of code and the timeline are missing (use --repo PATH).")
    if survey is None:
        missing.append("No questionnaire responses were given: the claimed level, the perceived AI share and the "
                       "perceived speedup are missing, and so is the organisation dimension (use --survey).")
    elif not has_survey:
        missing.append("The questionnaire input held no valid responses: the claimed level and perceptions are missing.")
    if study is None:
        missing.append("No randomised study was given: the measured speedup is missing, so the speedup gap "
                       "compares beliefs only (use --study DIR; `assess study init` starts one).")
    overall = team["overall"]
    if not overall.get("placeable", True) or overall.get("level") is None:
        if overall.get("level") is None and overall.get("summary"):
            missing.append(f"No single overall level: {overall['summary']}")
    share = team.get("shares")
    gaps = team["gaps"]
    claimed = gaps["level"]["claimed"] if gaps["level"] else None
    headline = {
        "evidenced_level": overall.get("level"), "evidenced_range": overall.get("range"),
        "evidenced_text": level_text(overall.get("level"), overall.get("range")) if overall.get("placeable", True)
        else "not placed",
        "claimed_level": claimed,
        "claimed_text": (f"{claimed:g}" + (f" ({LEVEL_NAMES[int(claimed)]})" if float(claimed).is_integer() else ""))
        if claimed is not None else None,
        "confidence": overall.get("confidence", "none"), "placeable": overall.get("placeable", True),
        "summary": overall.get("summary", ""),
        "sources": {k: bool((team.get("sources") or {}).get(k)) for k in ("git", "survey", "study")},
    }
    repositories = []
    for e, lv in zip(evidences, repo_levels):
        w = e["attribution"]["window"]
        repositories.append({
            "name": e["repository"]["name"], "path": e["repository"]["path"], "head": e["repository"]["head"],
            "commits": e["repository"]["commits"], "first": e["repository"]["first"], "last": e["repository"]["last"],
            "remote": sanitize_remote(e["repository"]["remote"]), "window_commits": w["commits"],
            "ai_share_commits": w["ai_share_commits"], "ai_share_lines": w["ai_share_lines"],
            "humans": e["identities"]["humans"], "level": lv,
            "level_text": level_text(lv["overall"]["level"], lv["overall"]["range"]) if lv else None,
        })
    failed = overall.get("failed_gate")
    current = overall.get("level")
    free_text = []
    if has_survey:
        for key, block in survey.get("free_text", {}).items():
            if "next" in key and block.get("answers"):
                free_text += block["answers"]
    next_level = {"current": current, "target": failed["level"] if failed else (current + 1 if current is not None
                                                                                and current < 5 else None),
                  "failed_gate": failed, "steps": list(team.get("next_steps", [])), "team_says": free_text,
                  "team_says_withheld": bool(has_survey and any(b.get("withheld")
                                                               for b in survey.get("free_text", {}).values()))}
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "assess", "version": __version__},
        "generated_at": generated_at or _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        "options": {"show_identities": show_identities},
        "inputs": {"repositories": [r["name"] for r in repositories], "survey": survey is not None,
                   "survey_respondents": survey["respondents"] if survey is not None else None,
                   "study": study is not None, "placement": team.get("rubric", {}).get("file") is not None},
        "missing": missing,
        "headline": headline,
        "gaps": gaps,
        "ai_share_window": share,
        "dimensions": _dimensions(team, survey, links),
        "repositories": repositories,
        "timeline": _timeline(evidences, team),
        "agents": _agents(evidences, links),
        # observational companion from history: labelled, kept apart from the randomised study
        "observational": [{"repository": e["repository"]["name"], **e["observational_speedup"]}
                          for e in evidences if e.get("observational_speedup")],
        "automation": [{"repository": e["repository"]["name"], **a} for e in evidences
                       for a in e["attribution"]["automation"]],
        "artefacts": _artefacts(evidences, links),
        "study": None if study is None else {**study, "notes": _study_notes(study)},
        "next_level": next_level,
        "methods": {
            "rubric": {"file": team.get("rubric", {}).get("file"), "version": team.get("rubric", {}).get("version"),
                       "rows": _rubric_rows(team.get("rubric", {}))},
            "sample_sizes": _sample_sizes(evidences, survey, study),
            "caveats": _caveats(evidences, survey, study, team),
            "git_blind_spots": GIT_BLIND_SPOTS if evidences else [],
            "definitions": (evidences[0]["attribution"].get("definitions", {}) if evidences else {}),
            "survey_anonymity": survey["anonymity"] if survey is not None else None,
        },
        # the placement without the blocks shown above (one gaps block, one shares block)
        "team_level": {k: v for k, v in team.items() if k not in ("gaps", "shares")},
        "survey": survey,
        "evidence": evidences,
    }
