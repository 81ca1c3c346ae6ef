"""Load a questionnaire YAML file, validate it against its JSON schema and build the model.

Every problem is reported as :class:`assess.errors.InputError` naming file, line and field."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from assess.errors import InputError
from assess.resources import data_path
from assess.survey.model import Questionnaire
from assess.yamlfile import PathKey, dotted, line_of, load_with_lines

DEFAULT_NAME = "default.yaml"
SCHEMA_NAME = "questionnaire.schema.json"


def default_questionnaire_path() -> Path:
    return data_path("questionnaires") / DEFAULT_NAME


@lru_cache(maxsize=1)
def questionnaire_schema() -> dict[str, Any]:
    return json.loads((data_path("questionnaires") / SCHEMA_NAME).read_text(encoding="utf-8"))


def load_questionnaire(path: Path | None = None) -> Questionnaire:
    """Load and validate a questionnaire; ``None`` loads the bundled default.

    Raises :class:`InputError` (file, line, field) for the first problem found; use
    :func:`check_questionnaire` to get all of them."""
    path = Path(path) if path is not None else default_questionnaire_path()
    questionnaire, problems = _load(path)
    if problems:
        first = problems[0]
        if len(problems) > 1:
            first.hint = f"{len(problems) - 1} more problem(s); run `assess survey validate {path}`"
        raise first
    assert questionnaire is not None
    return questionnaire


def check_questionnaire(path: Path) -> tuple[Questionnaire | None, list[InputError]]:
    """Validate a questionnaire file and return (model or None, every problem found)."""
    return _load(Path(path))


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, expected a questionnaire .yaml file") from None
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror}") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(path, f"not UTF-8 text (byte 0x{raw[exc.start]:02x})", line=line,
                         hint="save the file as UTF-8") from None


def _load(path: Path) -> tuple[Questionnaire | None, list[InputError]]:
    text = _read_text(path)
    if not text.strip():
        return None, [InputError(path, "the file is empty", line=1)]
    data, lines = load_with_lines(path, text)
    problems = _schema_problems(path, data, lines)
    if problems:
        return None, problems
    problems = _semantic_problems(path, data, lines)
    if problems:
        return None, problems
    return _build(path, data), []


def _schema_problems(path: Path, data: Any, lines: dict[PathKey, int]) -> list[InputError]:
    validator = jsonschema.Draft202012Validator(questionnaire_schema())
    found: list[tuple[int, str, InputError]] = []
    seen: set[tuple[str, str]] = set()
    for error in validator.iter_errors(data):
        where: PathKey = tuple(error.absolute_path)
        message = error.message
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {}))
            extra = [k for k in error.instance if k not in allowed]
            if extra:
                where = where + (extra[0],)
                message = f"unknown field '{extra[0]}'"
                if error.schema.get("properties"):
                    message += " (allowed: " + ", ".join(sorted(allowed)) + ")"
        elif error.validator == "required":
            message = error.message.replace("is a required property", "is required")
        field = dotted(where) or None
        key = (field or "", message)
        if key in seen:
            continue
        seen.add(key)
        line = line_of(lines, where)
        found.append((line or 0, field or "", InputError(path, message, line=line, field=field)))
    found.sort(key=lambda t: (t[0], t[1]))
    return [e for _, _, e in found]


def _semantic_problems(path: Path, data: dict[str, Any], lines: dict[PathKey, int]) -> list[InputError]:
    problems: list[InputError] = []

    def problem(where: PathKey, message: str) -> None:
        problems.append(InputError(path, message, line=line_of(lines, where), field=dotted(where)))

    item_ids: dict[str, PathKey] = {}
    section_ids: set[str] = set()
    roles: dict[str, PathKey] = {}
    for si, section in enumerate(data["sections"]):
        if section["id"] in section_ids:
            problem(("sections", si, "id"), f"duplicate section id '{section['id']}'")
        section_ids.add(section["id"])
        for ii, item in enumerate(section["items"]):
            here: PathKey = ("sections", si, "items", ii)
            if item["id"] in item_ids:
                problem(here + ("id",), f"duplicate item id '{item['id']}' (first at {dotted(item_ids[item['id']])})")
            else:
                item_ids[item["id"]] = here + ("id",)
            role = item.get("role")
            if role:
                if role in roles:
                    problem(here + ("role",), f"role '{role}' is already taken by {dotted(roles[role])}")
                roles[role] = here
                _check_role(item, role, here, problem)
            kind = item["type"]
            if kind in ("single_choice", "multi_choice"):
                option_ids: set[str] = set()
                for oi, opt in enumerate(item["options"]):
                    if opt["id"] in option_ids:
                        problem(here + ("options", oi, "id"), f"duplicate option id '{opt['id']}'")
                    option_ids.add(opt["id"])
            if kind in ("number", "percentage"):
                lo, hi = item["min"], item["max"]
                if lo >= hi:
                    problem(here + ("min",), f"min ({lo}) must be below max ({hi})")
                if kind == "percentage" and (lo < -100 or hi > 1000):
                    problem(here + ("max",), "a percentage's bounds must lie within -100..1000")
                mins = [b["min"] for b in item.get("bands", [])]
                if mins and mins != sorted(mins):
                    problem(here + ("bands",), "bands must be listed in increasing order of min")
                if mins and mins[0] > lo:
                    problem(here + ("bands", 0, "min"), f"the first band must start at or below min ({lo})")
    return problems


def _check_role(item: dict[str, Any], role: str, here: PathKey, problem: Any) -> None:
    kind = item["type"]
    if role == "claimed_level":
        if kind != "single_choice":
            problem(here + ("type",), "the claimed_level item must be single_choice")
        elif any(float(o["level"]) != int(o["level"]) for o in item["options"]):
            problem(here + ("options",), "claimed_level options must carry whole levels 0-5")
    elif role == "ai_share":
        if kind != "percentage" or item["min"] < 0 or item["max"] > 100:
            problem(here + ("type",), "the ai_share item must be a percentage within 0..100")
    elif role in ("speedup_retrospective", "speedup_forecast"):
        if kind not in ("number", "percentage"):
            problem(here + ("type",), f"the {role} item must be a number or percentage")
        elif "convention" not in item:
            problem(here, f"the {role} item needs a 'convention' (time_change_percent: positive = slower)")
        elif item["convention"] == "speed_factor" and item["min"] <= 0:
            problem(here + ("min",), "a speed_factor must be above 0")
        elif item["convention"] != "speed_factor" and item["min"] <= -100:
            problem(here + ("min",), "a time change must stay above -100%")
    elif role == "unattended_hours":
        if kind != "number" or item["min"] < 0:
            problem(here + ("type",), "the unattended_hours item must be a number of hours >= 0")
    elif role == "verification":
        if kind not in ("single_choice", "multi_choice"):
            problem(here + ("type",), "the verification item must be single_choice or multi_choice")


def _build(path: Path, data: dict[str, Any]) -> Questionnaire:
    sections = []
    for section in data["sections"]:
        items = [dict(item, section=section["id"]) for item in section["items"]]
        sections.append(dict(section, items=items))
    return Questionnaire.model_validate(dict(data, sections=sections, source=str(path)))
