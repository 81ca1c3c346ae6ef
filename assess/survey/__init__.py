"""The team questionnaire: model and validation, collection (terminal, HTML form, imports) and scoring.

Public API (stable; used by the levels and report stages)::

    load_questionnaire(path=None) -> Questionnaire
    load_responses(paths, questionnaire) -> ResponseSet      # .responses, .rejected, .notices
    score_survey(questionnaire, response_set, *, min_group=5) -> dict
    simulate_responses(directory, *, n=12, seed=0, profile="level3") -> list[Path]
"""

from __future__ import annotations

from assess.survey.importing import load_responses
from assess.survey.loader import check_questionnaire, default_questionnaire_path, load_questionnaire
from assess.survey.model import DIMENSIONS, Item, Option, Questionnaire
from assess.survey.responses import Notice, Problem, Rejection, Response, ResponseSet, validate_answers
from assess.survey.scoring import enforce_min_group, score_survey
from assess.survey.simulate import simulate_responses

__all__ = [
    "DIMENSIONS", "Item", "Notice", "Option", "Problem", "Questionnaire", "Rejection", "Response",
    "ResponseSet", "check_questionnaire", "enforce_min_group", "default_questionnaire_path", "load_questionnaire",
    "load_responses", "score_survey", "simulate_responses", "validate_answers",
]
