"""The level placement, from ``assess.levels`` when this installation has it. Without it the
report states that no placement was made; it never invents one."""

from __future__ import annotations

from typing import Any

DIMENSIONS = ("authorship", "review", "specification", "validation", "autonomy", "organisation")
UNAVAILABLE = "The level placement stage (assess.levels) is not available in this installation."


def _levels_module() -> Any | None:
    try:
        import assess.levels as levels
    except ImportError:
        return None
    if hasattr(levels, "place_team") and hasattr(levels, "place_repository"):
        return levels
    return None


def available() -> bool:
    return _levels_module() is not None


def unplaced(sources: dict[str, bool], reason: str = UNAVAILABLE) -> dict[str, Any]:
    """A level object (level.schema.json) that says no placement was made, and why."""
    return {
        "rubric": {"file": None, "version": None},
        "sources": dict(sources),
        "overall": {"level": None, "range": [0, 5], "confidence": "none", "placeable": False,
                    "summary": reason, "failed_gate": None},
        "dimensions": {},
        "timeline": [],
        "contradictions": [],
        "gaps": {"level": None, "ai_share": None, "speedup": None},
        "next_steps": [],
    }


def place(evidences: list[dict[str, Any]], survey: dict[str, Any] | None,
          study: dict[str, Any] | None, rubric_path: str | None = None) -> tuple[dict[str, Any], list[dict[str, Any] | None]]:
    """(team placement over all repositories, one placement per repository — or [None] * n when
    only one repository was given, since then the team placement is that repository's)."""
    sources = {"git": bool(evidences), "survey": survey is not None, "study": study is not None}
    levels = _levels_module()
    if levels is None:
        return unplaced(sources), [None] * len(evidences)
    team = levels.place_team(evidences, survey=survey, study=study, rubric_path=rubric_path)
    if len(evidences) > 1:
        per_repo = [levels.place_repository(e, survey=None, study=None, rubric_path=rubric_path) for e in evidences]
    else:
        per_repo = [None] * len(evidences)
    return team, per_repo
