"""Responses: the response file format, the set of responses read, and answer validation."""

from __future__ import annotations

import datetime as _dt
import math
import uuid
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from assess.survey.model import Item, Questionnaire

RESPONSE_FORMAT = "assess-survey-response"
RESPONSE_FORMAT_VERSION = 1


class Response(BaseModel):
    """One respondent's answers. ``respondent`` holds a name/email only if the respondent gave one;
    it is never used in scoring output."""

    model_config = ConfigDict(extra="forbid")

    response_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    questionnaire_id: str
    questionnaire_version: str
    submitted_at: str | None = None
    channel: str = "unknown"
    respondent: dict[str, str] | None = None
    answers: dict[str, Any] = Field(default_factory=dict)
    # where it was read from (not written to response files)
    source: str = Field(default="", exclude=True)
    location: str = Field(default="", exclude=True)

    def to_json(self) -> dict[str, Any]:
        """The response file content (format ``assess-survey-response`` v1)."""
        out: dict[str, Any] = {
            "format": RESPONSE_FORMAT,
            "format_version": RESPONSE_FORMAT_VERSION,
            "questionnaire": {"id": self.questionnaire_id, "version": self.questionnaire_version},
            "response_id": self.response_id,
            "submitted_at": self.submitted_at,
            "channel": self.channel,
            "answers": self.answers,
        }
        if self.respondent:
            out["respondent"] = self.respondent
        return out


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one answer (``field`` is the item id, or None for the whole record)."""

    field: str | None
    message: str

    def __str__(self) -> str:
        return f"field '{self.field}': {self.message}" if self.field else self.message


@dataclass(frozen=True)
class Rejection:
    """A response (or a whole file) that was not counted, and every reason why."""

    source: str
    location: str
    problems: tuple[Problem, ...]

    @property
    def reason(self) -> str:
        return "; ".join(str(p) for p in self.problems)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "location": self.location, "reason": self.reason,
                "problems": [{"field": p.field, "message": p.message} for p in self.problems]}

    def lines(self) -> list[str]:
        """One line per problem: ``file:location: field 'x': message``."""
        return [f"{self.source}:{self.location}: {p}" for p in self.problems]


@dataclass(frozen=True)
class Notice:
    """Something worth telling the user that did not cost a response (unmapped column, BOM...)."""

    source: str
    location: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "location": self.location, "message": self.message}

    def __str__(self) -> str:
        return f"{self.source}:{self.location}: {self.message}" if self.location else f"{self.source}: {self.message}"


@dataclass
class ResponseSet:
    """Responses read from files, with the rejected ones and the notices (nothing silently dropped)."""

    questionnaire_id: str
    questionnaire_version: str
    responses: list[Response] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.responses)

    def reject(self, source: str, location: str, *problems: Problem) -> None:
        self.rejected.append(Rejection(source, location, tuple(problems)))

    def note(self, source: str, location: str, message: str) -> None:
        self.notices.append(Notice(source, location, message))


def now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


# ---------------------------------------------------------------------------------------------
# answer validation


def validate_answers(questionnaire: Questionnaire, answers: Any) -> tuple[dict[str, Any], list[Problem]]:
    """Check typed answers (as in a response file) against the questionnaire.

    Returns the cleaned answers (unanswered items left out) and every problem found."""
    if not isinstance(answers, dict):
        return {}, [Problem("answers", "must be an object mapping item ids to answers")]
    clean: dict[str, Any] = {}
    problems: list[Problem] = []
    for key in answers:
        if questionnaire.item(str(key)) is None:
            problems.append(Problem(str(key), f"unknown item id (not in {questionnaire.id} {questionnaire.version})"))
    for item in questionnaire.items:
        value = answers.get(item.id)
        if value is None or (isinstance(value, str) and not value.strip()) or value == []:
            if item.required:
                problems.append(Problem(item.id, "an answer is required"))
            continue
        checked, problem = check_answer(item, value)
        if problem:
            problems.append(Problem(item.id, problem))
        else:
            clean[item.id] = checked
    return clean, problems


def check_answer(item: Item, value: Any) -> tuple[Any, str | None]:
    """Validate one typed answer; returns (clean value, None) or (None, message)."""
    if item.type == "single_choice":
        if not isinstance(value, str):
            return None, f"expected an option id, got {_kind(value)}"
        if item.option(value) is None:
            return None, f"not one of the option ids (expected one of: {_ids(item)})"
        return value, None
    if item.type == "multi_choice":
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return None, f"expected a list of option ids, got {_kind(value)}"
        unknown = [v for v in values if item.option(v) is None]
        if unknown:
            return None, (f"{len(unknown)} value(s) are not option ids (expected: {_ids(item)})")
        chosen = [o.id for o in item.options if o.id in values]  # questionnaire order, no repeats
        exclusive = [o.id for o in item.options if o.exclusive and o.id in values]
        if exclusive and len(chosen) > 1:
            return None, f"'{exclusive[0]}' cannot be ticked together with other options"
        return chosen, None
    if item.type == "likert":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or float(value) != int(value):
            return None, f"expected a whole number 1-5, got {_kind(value)}"
        if not 1 <= int(value) <= 5:
            return None, "outside the scale 1-5"
        return int(value), None
    if item.type in ("number", "percentage"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return None, f"expected a number, got {_kind(value)}"
        unit = "%" if item.type == "percentage" else (f" {item.unit}" if item.unit else "")
        if item.min is not None and value < item.min:
            return None, f"below the minimum {_fmt(item.min)}{unit}"
        if item.max is not None and value > item.max:
            return None, f"above the maximum {_fmt(item.max)}{unit}"
        if item.integer and float(value) != int(value):
            return None, "expected a whole number, got a fraction"
        return (int(value) if float(value) == int(value) else float(value)), None
    if item.type == "text":
        if not isinstance(value, str):
            return None, f"expected text, got {_kind(value)}"
        if len(value) > item.max_length:
            return None, f"text is {len(value)} characters long, the limit is {item.max_length}"
        return value.strip(), None
    return None, f"unsupported item type {item.type}"


def _kind(value: Any) -> str:
    """What a rejected answer is, never what it says: rejection messages must not quote answers
    (they are printed and saved where the anonymity floor does not reach)."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _ids(item: Item) -> str:
    return ", ".join(o.id for o in item.options)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x) == int(x) else f"{x:g}"
