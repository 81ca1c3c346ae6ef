"""Combine git's judgement of a dimension with `Finding`s from other sources (sessions, forge).

Rules (each tested in tests/test_pipeline_findings.py):

- ``observed-sets-point``: a finding with a level and at least medium confidence is a direct
  observation of what git cannot see; the strongest such finding (confidence, then events, then
  level) sets the point level of its dimension. Git's lower bound still holds: a trace proves at
  least that much, so the level never drops below git's ``lo``.
- ``unseen-stays-open``: the range is never narrowed by a source that did not see something; its
  upper end is the highest any source leaves open, its lower end the highest any source proves.
- ``weak-widens-only``: a low-confidence finding (or one without a level) adds its evidence and may
  widen the range upward to its level; it never moves the point level and never lowers anything.
- the dimension's ``source`` lists every source that contributed, e.g. ``git+sessions``.
"""

from __future__ import annotations

from collections.abc import Iterable

from assess.findings import CONFIDENCES, Finding
from assess.levels.placement import Dim
from assess.levels.placement import _add_source as add_source

STRONG = ("medium", "high")


def _strength(f: Finding) -> tuple[int, int, int]:
    return CONFIDENCES.index(f.confidence), f.events, f.level if f.level is not None else -1


def combine_findings(dim: Dim, findings: Iterable[Finding]) -> Dim:
    """``dim`` with the findings for its dimension folded in (see the module docstring)."""
    mine = [f for f in findings if f.dimension == dim.name]
    if not mine:
        return dim
    for f in mine:
        dim.evidence.extend(e.as_dict(f.source) for e in f.evidence)
        add_source(dim, f.source)
    strong = [f for f in mine if f.level is not None and f.confidence in STRONG]
    weak = [f for f in mine if f not in strong]
    for f in weak:
        if f.level is not None and f.level > dim.hi:
            dim.hi = f.level
        elif f.level is None and f.hi > dim.hi:
            dim.hi = f.hi
    if not strong:
        return dim
    best = max(strong, key=_strength)
    assert best.level is not None
    level = max(best.level, dim.lo)  # git's lower bound is proof: an observation never lowers it
    lo = min(level, max(dim.lo, best.lo))
    hi = max(dim.hi, best.hi, level)
    moved = level != dim.level
    dim.level, dim.lo, dim.hi = level, lo, hi
    if moved:
        dim.confidence = best.confidence
        dim.summary = f"Level {level} observed by {best.source}: {best.summary}"
    elif CONFIDENCES.index(best.confidence) > CONFIDENCES.index(dim.confidence):
        dim.confidence = best.confidence
    return dim
