"""Judgement: evidence from git, survey and study becomes a Level 0-5 placement."""

from assess.levels.combine import place_repository, place_team, pool_signals
from assess.levels.placement import DIMENSIONS, load_rubric

__all__ = ["DIMENSIONS", "load_rubric", "place_repository", "place_team", "pool_signals"]
