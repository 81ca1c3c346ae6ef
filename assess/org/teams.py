"""Teams of an organisation: a YAML mapping of teams to repositories and people, or a CODEOWNERS
style file mapping repository-name patterns to owning teams.

YAML::

    teams:
      payments:
        repositories: [payments-api, "billing-*"]   # repository names or sources; shell patterns
        people: ["*@payments.example.com", "p-3f2a9c0d1e4b"]   # e-mail patterns or pseudonymous ids

A repository matched by a team's ``repositories`` counts for that team with all its commits. In a
repository no team owns, each commit counts for the team(s) whose ``people`` wrote it: people who
work across teams count where they commit.

CODEOWNERS style (the file is named ``CODEOWNERS``)::

    payments-*   @acme/payments
    billing      @acme/payments @acme/finance
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path

from assess.errors import InputError
from assess.org.options import RepoSource, TeamPeople
from assess.safeio import read_text_bounded
from assess.yamlfile import load_yaml

_PERSON_ID = re.compile(r"^p-[0-9a-f]{12}$")
MAX_TEAMS = 10_000


@dataclass
class Team:
    name: str
    repositories: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()  # repositories named exactly (one team per repository)

    def owns(self, spec: RepoSource) -> bool:
        return spec.key in self.keys or any(fnmatch.fnmatchcase(spec.name, p) or fnmatch.fnmatchcase(spec.source, p) for p in self.repositories)


@dataclass
class Teams:
    teams: list[Team] = field(default_factory=list)
    source: str | None = None  # the file they came from; None: one team per repository

    def owners(self, spec: RepoSource) -> list[str]:
        return [t.name for t in self.teams if t.owns(spec)]

    def people(self) -> tuple[TeamPeople, ...]:
        return tuple(TeamPeople(t.name, t.emails, t.ids) for t in self.teams if t.emails or t.ids)


def _strings(doc, value, *keys) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise doc.error("expected a list of non-empty strings", *keys)
    return tuple(v.strip() for v in value)


def load_teams(path: str | Path) -> Teams:
    """Read a teams YAML file or a CODEOWNERS-style file; errors name the file, line and field."""
    p = Path(path)
    if p.name.upper() == "CODEOWNERS":
        return _codeowners(p)
    doc = load_yaml(p)
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("teams"), dict):
        raise doc.error("expected a mapping with a 'teams' mapping (team name -> repositories/people)", "teams")
    unknown = sorted(set(data) - {"teams"})
    if unknown:
        raise doc.error(f"unknown key '{unknown[0]}' (expected 'teams')", unknown[0])
    if len(data["teams"]) > MAX_TEAMS:
        raise doc.error(f"more than {MAX_TEAMS:,} teams", "teams")
    teams = []
    for name, spec in data["teams"].items():
        if not isinstance(name, str) or not name.strip():
            raise doc.error("a team name must be a non-empty string", "teams")
        if not isinstance(spec, dict):
            raise doc.error("expected a mapping with 'repositories' and/or 'people'", "teams", name)
        bad = sorted(set(spec) - {"repositories", "people"})
        if bad:
            raise doc.error(f"unknown key '{bad[0]}' (expected 'repositories' or 'people')", "teams", name, bad[0])
        repos = _strings(doc, spec["repositories"], "teams", name, "repositories") if "repositories" in spec else ()
        people = _strings(doc, spec["people"], "teams", name, "people") if "people" in spec else ()
        if not repos and not people:
            raise doc.error("a team needs 'repositories' or 'people'", "teams", name)
        ids = tuple(x.lower() for x in people if _PERSON_ID.match(x.lower()))
        emails = tuple(x.lower() for x in people if not _PERSON_ID.match(x.lower()))
        for i, e in enumerate(emails):
            if "@" not in e:
                raise doc.error(f"'{e}' is neither an e-mail pattern (with @) nor a pseudonymous id (p-<12 hex>)",
                                "teams", name, "people", people.index(e) if e in people else i)
        teams.append(Team(name.strip(), repos, emails, ids))
    return Teams(teams, str(p))


def _codeowners(path: Path) -> Teams:
    text = read_text_bounded(path)  # a regular file of bounded size, UTF-8: one-line errors otherwise
    by_team: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        parts = entry.split()
        if len(parts) < 2:
            raise InputError(path, "expected a repository pattern followed by owners (@org/team)", line=number)
        for owner in parts[1:]:
            if not owner.startswith("@"):
                raise InputError(path, f"owner '{owner}' is not an @team or @user", line=number)
            team = owner[1:].split("/", 1)[-1]
            by_team.setdefault(team, []).append(parts[0].strip("/"))
    if not by_team:
        raise InputError(path, "no rules", hint="one line per repository pattern: 'payments-* @acme/payments'")
    return Teams([Team(name, tuple(patterns)) for name, patterns in by_team.items()], str(path))


def one_team_per_repository(specs: list[RepoSource]) -> Teams:
    """Without a teams file, each repository is its own team."""
    seen: dict[str, int] = {}
    teams = []
    for spec in specs:
        seen[spec.name] = seen.get(spec.name, 0) + 1
        name = spec.name if seen[spec.name] == 1 else f"{spec.name} ({seen[spec.name]})"
        teams.append(Team(name, keys=(spec.key,)))
    return Teams(teams, None)
