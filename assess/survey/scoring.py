"""Score a set of responses: dimension scores with reliability, claimed level, perceptions.

Every number in the summary names the item ids it comes from. Below ``min_group`` respondents only
team-level aggregates are included: no per-respondent answers, no free text, no minima/maxima."""

from __future__ import annotations

from collections import Counter
from typing import Any

from assess import defaults
from assess.survey.model import DIMENSIONS, Item, Questionnaire
from assess.survey.responses import Response, ResponseSet
from assess.survey.stats import ALPHA_LOW, cronbach_alpha, mean, median, rounded, sd

SUMMARY_SCHEMA_ID = "assess-survey-summary/1"
DEFAULT_MIN_GROUP = defaults.MIN_GROUP
METR_SCALE = ("time_with_ai / time_without_ai - 1: positive = slower, negative = faster "
              "(-0.2 = tasks take 20% less time with AI)")
UNATTENDED_THRESHOLDS = (1.0, 4.0, 12.0)


def score_survey(questionnaire: Questionnaire, response_set: ResponseSet, *,
                 min_group: int = DEFAULT_MIN_GROUP) -> dict[str, Any]:
    """A JSON-able summary of the responses (shape: ``assess/schemas/survey.schema.json``)."""
    if min_group < 1:
        raise ValueError("min_group must be at least 1")
    if (response_set.questionnaire_id, response_set.questionnaire_version) != (questionnaire.id, questionnaire.version):
        raise ValueError(f"responses were read for questionnaire {response_set.questionnaire_id} "
                         f"{response_set.questionnaire_version}, not {questionnaire.id} {questionnaire.version}")
    responses = list(response_set.responses)
    n = len(responses)
    aggregated_only = n < min_group
    rejected = [r.to_json() for r in response_set.rejected]
    summary: dict[str, Any] = {
        "schema": SUMMARY_SCHEMA_ID,
        "questionnaire": {"id": questionnaire.id, "version": questionnaire.version, "title": questionnaire.title},
        "respondents": n,
        "rejected_count": len(rejected),
        "rejected": rejected,
        "notices": [x.to_json() for x in response_set.notices],
        "anonymity": {
            "min_group": min_group,
            "aggregated_only": aggregated_only,
            "note": (f"{n} respondent(s), fewer than {min_group}: only team-level aggregates are shown; "
                     "no per-respondent answers, free text, minima or maxima"
                     if aggregated_only else
                     f"{n} respondents (at least {min_group}): free text and per-respondent scores are "
                     "shown without names, in an order unrelated to the respondents"),
        },
        "dimensions": {d: _dimension(questionnaire, d, responses, aggregated_only) for d in DIMENSIONS},
        "claimed_level": _claimed_level(questionnaire, responses, aggregated_only),
        "perceived_ai_share": _ai_share(questionnaire, responses, aggregated_only),
        "perceived_speedup": {
            "scale": METR_SCALE,
            "retrospective": _speedup(questionnaire.by_role("speedup_retrospective"), responses, aggregated_only),
            "forecast": _speedup(questionnaire.by_role("speedup_forecast"), responses, aggregated_only),
        },
        "unattended_hours": _unattended(questionnaire.by_role("unattended_hours"), responses, aggregated_only),
        "verification": _verification(questionnaire.by_role("verification"), responses, aggregated_only),
        "free_text": _free_text(questionnaire, responses, aggregated_only),
        "per_respondent": None if aggregated_only else _per_respondent(questionnaire, responses),
    }
    return summary


def _answers(item: Item | None, responses: list[Response]) -> list[Any]:
    if item is None:
        return []
    return [r.answers[item.id] for r in responses if item.id in r.answers]


def _stats(values: list[float], item: Item | None, aggregated_only: bool, digits: int = 3) -> dict[str, Any]:
    # below the anonymity threshold only the mean is published: with a handful of answers, the
    # median, spread or extremes give individual answers back
    out: dict[str, Any] = {
        "mean": None if _one(values, aggregated_only) else rounded(mean(values), digits),
        "median": None if aggregated_only else rounded(median(values), digits),
        "sd": None if aggregated_only else rounded(sd(values), digits), "n": len(values),
        "item": item.id if item else None,
    }
    if not aggregated_only:
        out["min"] = rounded(min(values), digits) if values else None
        out["max"] = rounded(max(values), digits) if values else None
    return out


# Reason: below the anonymity floor a figure computed from a single answer *is* that answer (a
# "mean" of one); it is withheld. Two or more answers are needed before anything is published.
MIN_ANSWERS_BELOW_FLOOR = 2


def _one(values: list[Any], aggregated_only: bool) -> bool:
    """True when a figure below the anonymity floor would come from fewer than two answers."""
    return aggregated_only and len(values) < MIN_ANSWERS_BELOW_FLOOR


def _respondent_dimension_score(items: list[Item], response: Response) -> float | None:
    levels = [item.level_of(response.answers[item.id]) for item in items if item.id in response.answers]
    levels = [x for x in levels if x is not None]
    return mean(levels)


def _dimension(questionnaire: Questionnaire, dimension: str, responses: list[Response],
               aggregated_only: bool = False) -> dict[str, Any]:
    items = questionnaire.dimension_items(dimension)
    scores = [s for s in (_respondent_dimension_score(items, r) for r in responses) if s is not None]
    complete = [[float(item.level_of(r.answers[item.id])) for item in items]  # type: ignore[arg-type]
                for r in responses if items and all(item.id in r.answers for item in items)]
    if not items:
        alpha, why = None, "the questionnaire has no scored item for this dimension"
    else:
        alpha, why = cronbach_alpha(complete)
    if alpha is None:
        flag = "single_item" if len(items) == 1 else "not_computable"
    else:
        flag = "low" if alpha < ALPHA_LOW else None
    if alpha is not None:
        note = (f"alpha {alpha:.2f} below {ALPHA_LOW}: the items disagree; read the score with care"
                if alpha < ALPHA_LOW else f"alpha {alpha:.2f} (>= {ALPHA_LOW})")
    else:
        note = why
    score = None if _one(scores, aggregated_only) else mean(scores)
    return {
        "score": rounded(score, 2),
        "level": None if score is None else int(min(5, max(0, round(score)))),
        "median": None if aggregated_only else rounded(median(scores), 2),
        "sd": None if aggregated_only else rounded(sd(scores), 2),
        "n": len(scores),
        "items": [item.id for item in items],
        "item_levels": {item.id: _item_levels(item, responses, aggregated_only) for item in items},
        "alpha": rounded(alpha, 3),
        "alpha_n": len(complete),
        "alpha_flag": flag,
        "alpha_note": note,
    }


def _item_levels(item: Item, responses: list[Response], aggregated_only: bool = False) -> dict[str, Any]:
    levels = [level for level in (item.level_of(v) for v in _answers(item, responses)) if level is not None]
    return {"mean": None if _one(levels, aggregated_only) else rounded(mean(levels), 2), "n": len(levels)}


def _claimed_level(questionnaire: Questionnaire, responses: list[Response], aggregated_only: bool = False
                   ) -> dict[str, Any]:
    item = questionnaire.by_role("claimed_level")
    levels = [int(item.level_of(v)) for v in _answers(item, responses)] if item else []  # type: ignore[arg-type]
    counts = Counter(levels)
    return {
        "median": None if aggregated_only else rounded(median(levels), 2),
        "mean": None if _one(levels, aggregated_only) else rounded(mean(levels), 2),
        "n": len(levels),
        "distribution": None if aggregated_only else {str(level): counts.get(level, 0) for level in range(6)},
        "item": item.id if item else None,
    }


def _ai_share(questionnaire: Questionnaire, responses: list[Response], aggregated_only: bool) -> dict[str, Any]:
    item = questionnaire.by_role("ai_share")
    values = [float(v) / 100.0 for v in _answers(item, responses)]
    return dict(_stats(values, item, aggregated_only), unit="fraction of merged code (0-1)")


def _speedup(item: Item | None, responses: list[Response], aggregated_only: bool) -> dict[str, Any]:
    values = [item.to_metr(v) for v in _answers(item, responses)] if item else []
    out = _stats(values, item, aggregated_only)
    out["convention"] = item.convention if item else None
    out["share_expecting_faster"] = (rounded(sum(v < 0 for v in values) / len(values))
                                     if values and not aggregated_only else None)
    return out


def _unattended(item: Item | None, responses: list[Response], aggregated_only: bool) -> dict[str, Any]:
    values = [float(v) for v in _answers(item, responses)]
    out = dict(_stats(values, item, aggregated_only, digits=2), unit="hours")
    out["share_at_least"] = {f"{t:g}h": (rounded(sum(v >= t for v in values) / len(values))
                                         if values and not aggregated_only else None)
                             for t in UNATTENDED_THRESHOLDS}
    return out


def _verification(item: Item | None, responses: list[Response], aggregated_only: bool = False) -> dict[str, Any]:
    answers = _answers(item, responses)
    counts: Counter[str] = Counter()
    for answer in answers:
        counts.update([answer] if isinstance(answer, str) else answer)
    levels = [float(item.level_of(a)) for a in answers] if item else []  # type: ignore[arg-type]
    return {
        "item": item.id if item else None,
        "n": len(answers),
        "options": {o.id: {"label": o.label, "level": o.level,
                           "count": None if aggregated_only else counts.get(o.id, 0),
                           "share": rounded(counts.get(o.id, 0) / len(answers)) if answers and not aggregated_only
                           else None}
                    for o in (item.options if item else ())},
        "level": {"mean": None if _one(levels, aggregated_only) else rounded(mean(levels), 2),
                  "median": None if aggregated_only else rounded(median(levels), 2)},
    }


def _free_text(questionnaire: Questionnaire, responses: list[Response], aggregated_only: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in questionnaire.items:
        if item.type != "text":
            continue
        texts = [str(t) for t in _answers(item, responses) if str(t).strip()]
        out[item.id] = {"item": item.id, "n": len(texts), "withheld": aggregated_only,
                        "answers": None if aggregated_only else sorted(texts, key=str.casefold)}
    return out


def _per_respondent(questionnaire: Questionnaire, responses: list[Response]) -> list[dict[str, Any]]:
    """Scores per respondent without ids or names, sorted so the order reveals nobody."""
    claimed = questionnaire.by_role("claimed_level")
    rows = []
    for response in responses:
        level = claimed.level_of(response.answers.get(claimed.id)) if claimed else None
        rows.append({
            "claimed_level": None if level is None else int(level),
            "dimensions": {d: rounded(_respondent_dimension_score(questionnaire.dimension_items(d), response), 2)
                           for d in DIMENSIONS},
        })
    return sorted(rows, key=lambda r: (r["claimed_level"] is None, r["claimed_level"] or 0,
                                       [v if v is not None else -1 for v in r["dimensions"].values()]))


def enforce_min_group(summary: dict[str, Any], min_group: int = DEFAULT_MIN_GROUP) -> dict[str, Any]:
    """A saved summary held to the anonymity floor ``min_group``: when it has fewer respondents
    than that and was scored with a lower floor, everything :func:`score_survey` withholds below
    the floor (medians, spreads, extremes, distributions, free text, per-respondent rows) is removed.
    The stricter of the saved and the requested floor holds; the input is not modified."""
    import copy

    if min_group < 1:
        raise ValueError("min_group must be at least 1")
    out = copy.deepcopy(summary)
    anonymity = out.setdefault("anonymity", {})
    floor = max(int(anonymity.get("min_group") or 1), min_group)
    n = int(out.get("respondents") or 0)
    if n >= floor or anonymity.get("aggregated_only"):
        anonymity["min_group"] = floor
        return out

    def stats(block: Any) -> None:
        if isinstance(block, dict):
            for key in ("median", "sd"):
                if key in block:
                    block[key] = None
            block.pop("min", None)
            block.pop("max", None)

    for d in (out.get("dimensions") or {}).values():
        stats(d)
    claimed = out.get("claimed_level") or {}
    claimed["median"], claimed["distribution"] = None, None
    stats(out.get("perceived_ai_share"))
    for key in ("retrospective", "forecast"):
        block = (out.get("perceived_speedup") or {}).get(key)
        stats(block)
        if isinstance(block, dict):
            block["share_expecting_faster"] = None
    unattended = out.get("unattended_hours")
    stats(unattended)
    if isinstance(unattended, dict):
        unattended["share_at_least"] = {k: None for k in unattended.get("share_at_least") or {}}
    verification = out.get("verification") or {}
    for option in (verification.get("options") or {}).values():
        option["count"], option["share"] = None, None
    if isinstance(verification.get("level"), dict):
        verification["level"]["median"] = None
    for block in (out.get("free_text") or {}).values():
        block["answers"], block["withheld"] = None, True
    out["per_respondent"] = None
    out["anonymity"] = {"min_group": floor, "aggregated_only": True,
                        "note": (f"{n} respondent(s), fewer than {floor}: only team-level aggregates are shown; "
                                 "no per-respondent answers, free text, minima or maxima")}
    return out
