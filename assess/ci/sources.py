"""Evidence about a change beyond git: agent session logs and forge reviews.

This is the hook those sources plug into. A provider is a function taking the
:class:`ChangeContext` and returning a :class:`SourceReport` (or None when it has nothing to say);
it registers with :func:`register` under its source name (``sessions``, ``forge``), e.g. from the
source's own package::

    from assess.ci.sources import SourceReport, register

    def forge_reviews(ctx):          # reads the forge export / API the user configured
        ...
        return SourceReport("forge", "ok", "2 human approvals on !42", findings=[...],
                            review={"human_approvals": 2, "pull_request": 42})

    register("forge", forge_reviews)

Until a provider is registered, a source is reported as "not configured" and the rules that need
it (human-review) are inconclusive, never passed or failed. Providers must not reach the network
unless the user's configuration says they will.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assess.findings import Finding

KNOWN_SOURCES = ("sessions", "forge")


@dataclass(frozen=True)
class ChangeContext:
    repository: Path
    base: str
    head: str
    shas: tuple[str, ...]
    pull_request: int | None
    provider: str  # github | gitlab | local
    env: Mapping[str, str]


@dataclass(frozen=True)
class SourceReport:
    source: str
    status: str  # ok | not configured | unavailable (configured but could not be read)
    summary: str
    findings: tuple[Finding, ...] = ()
    # forge only: {"pull_request": id, "human_approvals": int, "reviewers": int} for the change
    review: dict[str, Any] | None = None
    # commit shas the source saw agent sessions for (sessions only)
    session_commits: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "summary": self.summary,
                "findings": [f.as_dict() for f in self.findings], "review": self.review,
                "session_commits": [s[:10] for s in self.session_commits]}


Provider = Callable[[ChangeContext], "SourceReport | None"]
_PROVIDERS: dict[str, Provider] = {}


def register(source: str, provider: Provider) -> None:
    """Make ``provider`` the evidence of ``source`` for `assess ci` (replacing an earlier one)."""
    if source not in KNOWN_SOURCES:
        raise ValueError(f"unknown source {source!r} (known: {', '.join(KNOWN_SOURCES)})")
    _PROVIDERS[source] = provider


def unregister(source: str) -> None:
    _PROVIDERS.pop(source, None)


def collect(ctx: ChangeContext) -> dict[str, SourceReport]:
    """Each known source's report; a source without a provider is 'not configured'."""
    out: dict[str, SourceReport] = {}
    for source in KNOWN_SOURCES:
        provider = _PROVIDERS.get(source)
        report = provider(ctx) if provider is not None else None
        out[source] = report or SourceReport(source, "not configured", f"no {source} evidence configured")
    return out
