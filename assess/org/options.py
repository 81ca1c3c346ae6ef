"""Options of an organisation run, shared by the client and every worker (plain, picklable data)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class TeamPeople:
    """A team's people rules, sent to the workers: in a repository that belongs to no team, commits
    by matching authors count for this team (people count where they commit)."""

    team: str
    emails: tuple[str, ...] = ()  # fnmatch patterns on the lower-cased author e-mail
    ids: tuple[str, ...] = ()  # pseudonymous ids (see assess.org.people.pseudonymous_id)


@dataclass(frozen=True)
class RepoSource:
    """One repository of the organisation, as the user named it."""

    source: str  # the path or URL as given (or as listed in a list file)
    kind: str  # "path" | "url"
    key: str  # folder name of its results under DIR/repos/
    name: str  # readable name (teams match on it)
    origin: str | None = None  # the forge organisation source it was listed from (github:ORG), if any
    # for a forge's https clone URL: git may answer that forge's password prompt with the token in
    # this environment variable (read where the clone runs; the token itself never travels here)
    credential: CloneCredential | None = None


@dataclass(frozen=True)
class CloneCredential:
    """Credentials git may use for one forge's clone URLs: only for URLs under ``url_prefix``."""

    url_prefix: str  # scheme://host[:port] of the forge's clone URLs
    username: str  # x-access-token (GitHub) / oauth2 (GitLab): the token is the password
    token_env: str


@dataclass(frozen=True)
class OrgOptions:
    rev: str = "HEAD"
    window_days: int = 90
    signatures: str | None = None
    rubric: str | None = None
    timeout_per_repo: float | None = None  # seconds; None: no limit
    use_cache: bool = True
    clone_dir: str | None = None  # where URL sources are cloned (on the machine that mines them)
    mining_jobs: int | None = None  # git processes per repository; run_org sets 1 on Dask (tasks side by side)
    # tests only: (repository name, seconds, pid file) makes that repository's task write its process
    # id and wait first: a stand-in for a huge history, so the time limit is tested in seconds
    test_delays: tuple[tuple[str, float, str], ...] = field(default_factory=tuple)

    def fingerprint(self, people: tuple[TeamPeople, ...] = ()) -> str:
        """What changes a repository's results: another fingerprint re-mines it on the next run."""
        h = hashlib.sha256()
        h.update(json.dumps([self.rev, self.window_days, [list(p.__dict__.values()) for p in people]],
                            default=str).encode())
        for f in (self.signatures, self.rubric):
            if f:
                try:
                    h.update(Path(f).read_bytes())
                except OSError:
                    h.update(f.encode())
        from assess import __version__

        h.update(__version__.encode())
        return h.hexdigest()[:16]
