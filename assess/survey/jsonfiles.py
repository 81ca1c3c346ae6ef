"""Read response JSON files (one response, a list, or {"responses": [...]})."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from assess import safejson
from assess.survey.model import Questionnaire
from assess.survey.responses import RESPONSE_FORMAT, Problem, Response, ResponseSet, validate_answers
from assess.survey.textio import UnreadableFile, read_user_text

_KNOWN_KEYS = {"format", "format_version", "questionnaire", "response_id", "submitted_at", "channel",
               "respondent", "answers"}


def read_json_responses(path: Path, questionnaire: Questionnaire, into: ResponseSet) -> None:
    source = str(path)
    try:
        decoded = read_user_text(path)
    except UnreadableFile as exc:
        into.reject(source, "file", Problem(None, str(exc)))
        return
    for note in decoded.notes:
        into.note(source, "file", note)
    text = decoded.text
    try:
        data = safejson.loads(text)
    except safejson.JSONDecodeError as exc:
        into.reject(source, f"line {exc.lineno}", Problem(None, f"not valid JSON: {exc.msg} (column {exc.colno})"))
        return
    except safejson.TooDeep as exc:
        into.reject(source, "file", Problem(None, f"not a response file: {exc}"))
        return
    lines = _KeyLines(text)
    if isinstance(data, dict) and isinstance(data.get("responses"), list):
        records, several = data["responses"], True
    elif isinstance(data, list):
        records, several = data, True
    else:
        records, several = [data], False
    if not records:
        into.reject(source, "file", Problem(None, "the file holds no responses"))
        return
    for index, record in enumerate(records, start=1):
        where = f"response {index}" if several else ""
        _read_record(record, questionnaire, into, source, where, lines)


def _read_record(record: Any, q: Questionnaire, into: ResponseSet, source: str, where: str,
                 lines: _KeyLines) -> None:
    location = where or "file"
    if not isinstance(record, dict):
        into.reject(source, location, Problem(None, "a response must be a JSON object"))
        return
    if record.get("format") != RESPONSE_FORMAT:
        into.reject(source, location, Problem("format", f"not an assess survey response (expected \"format\": "
                                                        f"\"{RESPONSE_FORMAT}\")"))
        return
    problems: list[Problem] = []
    unknown = sorted(set(record) - _KNOWN_KEYS)
    if unknown:
        problems.append(Problem(unknown[0], "unknown key" + (f" (also: {', '.join(unknown[1:])})" if unknown[1:] else "")))
    ref = record.get("questionnaire")
    if not isinstance(ref, dict) or not isinstance(ref.get("id"), str) or not isinstance(ref.get("version"), str):
        problems.append(Problem("questionnaire", "must be {\"id\": ..., \"version\": ...}"))
    elif (ref["id"], ref["version"]) != (q.id, q.version):
        problems.append(Problem("questionnaire", f"answers questionnaire '{ref['id']}' version {ref['version']}, "
                                                 f"but this is '{q.id}' version {q.version}"))
    respondent = record.get("respondent")
    if respondent is not None and not (isinstance(respondent, dict)
                                       and all(isinstance(v, str) for v in respondent.values())):
        problems.append(Problem("respondent", "must be an object of strings (e.g. name, email), or absent"))
    rid = record.get("response_id")
    if not isinstance(rid, str) or not rid.strip():
        problems.append(Problem("response_id", "missing or not a string"))
    answers = record.get("answers")
    clean: dict[str, Any] = {}
    if not problems:  # answers to another version are not worth checking item by item
        clean, answer_problems = validate_answers(q, answers)
        problems.extend(answer_problems)
    if problems:
        line = lines.first(problems[0].field) if problems[0].field else None
        loc = ", ".join(x for x in (where, f"line {line}" if line else "") if x) or "file"
        into.reject(source, loc, *problems)
        return
    into.responses.append(Response(
        response_id=rid, questionnaire_id=q.id, questionnaire_version=q.version,
        submitted_at=record.get("submitted_at") if isinstance(record.get("submitted_at"), str) else None,
        channel=str(record.get("channel") or "json"),
        respondent={k: v for k, v in respondent.items() if v.strip()} or None if respondent else None,
        answers=clean, source=source, location=location))


class _KeyLines:
    """The line where a key first appears, found once per key: a file of thousands of rejected
    records costs one scan per distinct key, not one per record (which was quadratic)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._found: dict[str, int | None] = {}

    def first(self, key: str | None) -> int | None:
        if not key:
            return None
        if key not in self._found:
            match = re.search(r'"' + re.escape(key) + r'"\s*:', self._text)
            self._found[key] = self._text.count("\n", 0, match.start()) + 1 if match else None
        return self._found[key]
