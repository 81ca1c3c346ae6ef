"""The contract between evidence sources and the placement.

Git evidence is judged dimension by dimension in `assess.levels`. Every other source that observes
how a team works (agent session logs, forge reviews, and whatever comes next) hands the placement a
list of `Finding`s: for one dimension, the level and range this source alone supports, how sure it
is, and the evidence items behind it, each traceable (refs name sessions, pull requests, commits or
survey items). A source module judges only with thresholds from the rubric; the placement combines
findings with git's own judgement, so adding a source means adding a module that yields findings.

Combination principle (implemented in `assess.levels`): direct observation of what git cannot see
(a session log showing hours without a human prompt, a forge showing who approved) may set the point
level of the dimension it observes; what no source can see widens a range and never lowers a level.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

DIMENSIONS: tuple[str, ...] = ("authorship", "review", "specification", "validation", "autonomy", "organisation")
CONFIDENCES: tuple[str, ...] = ("none", "low", "medium", "high")
SOURCES: tuple[str, ...] = ("git", "survey", "study", "sessions", "forge")

Supports = Literal["for", "against", "context"]


@dataclass(frozen=True)
class EvidenceItem:
    """One traceable fact. `refs` keys: commits, paths, survey_items, repositories, sessions,
    pull_requests; values are ids (pseudonymous where they would name a person)."""

    signal: str
    value: Any
    text: str
    supports: Supports = "for"
    level: int | None = None
    refs: dict[str, list[str]] = field(default_factory=dict)
    inferred: bool = False

    def as_dict(self, source: str) -> dict[str, Any]:
        out = {"signal": self.signal, "value": self.value, "text": self.text, "supports": self.supports,
               "level": self.level, "source": source, "refs": {k: list(v) for k, v in self.refs.items()}}
        if self.inferred:
            out["inferred"] = True
        return out


@dataclass(frozen=True)
class Finding:
    """What one source alone says about one dimension."""

    dimension: str
    source: str
    level: int | None
    lo: int
    hi: int
    confidence: str
    summary: str
    events: int = 0  # how many observed events (sessions, pull requests) the finding rests on
    evidence: tuple[EvidenceItem, ...] = ()

    def __post_init__(self) -> None:
        if self.dimension not in DIMENSIONS:
            raise ValueError(f"unknown dimension {self.dimension!r}")
        if self.confidence not in CONFIDENCES:
            raise ValueError(f"unknown confidence {self.confidence!r}")
        if not 0 <= self.lo <= self.hi <= 5:
            raise ValueError(f"bad range [{self.lo}, {self.hi}]")
        if self.level is not None and not self.lo <= self.level <= self.hi:
            raise ValueError(f"level {self.level} outside [{self.lo}, {self.hi}]")

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["range"] = [out.pop("lo"), out.pop("hi")]
        out["evidence"] = [e.as_dict(self.source) for e in self.evidence]
        return out
