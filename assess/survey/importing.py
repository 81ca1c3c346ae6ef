"""``load_responses``: read response files and directories of them, whatever their format."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from assess.survey.jsonfiles import read_json_responses
from assess.survey.model import Questionnaire
from assess.survey.responses import Problem, ResponseSet
from assess.survey.tabular import read_tabular_responses

SUFFIXES = (".json", ".csv", ".xlsx")
MIN_ANSWERS_FOR_IDENTICAL_CHECK = 8


def load_responses(paths: Sequence[Path], questionnaire: Questionnaire) -> ResponseSet:
    """Read responses from files and directories (.json, .csv, .xlsx; directories are searched
    non-recursively for those suffixes). Bad files, rows and answers are rejected with their
    source, location and reasons; the good responses are kept."""
    result = ResponseSet(questionnaire.id, questionnaire.version)
    for path in _expand([Path(p) for p in paths], result):
        result.sources.append(str(path))
        suffix = path.suffix.lower()
        if suffix == ".json":
            read_json_responses(path, questionnaire, result)
        elif suffix in (".csv", ".xlsx"):
            read_tabular_responses(path, questionnaire, result)
        else:
            result.reject(str(path), "file", Problem(None, f"unsupported file type '{path.suffix}' "
                                                           f"(expected {', '.join(SUFFIXES)})"))
    _reject_duplicates(result)
    return result


def _expand(paths: list[Path], result: ResponseSet) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES
                           and not p.name.startswith("."))
            if not found:
                result.note(str(path), "", f"directory holds no {', '.join(SUFFIXES)} files")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            result.reject(str(path), "file", Problem(None, "no such file or directory"))
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key in seen:
            result.note(str(f), "", "given twice; read once")
            continue
        seen.add(key)
        unique.append(f)
    return unique


def _reject_duplicates(result: ResponseSet) -> None:
    """The same response_id twice (a file imported twice) or the same named respondent twice: the
    first is kept and the others rejected. Identical answer sets are only noted."""
    kept = []
    by_id: dict[str, str] = {}
    by_person: dict[str, str] = {}
    by_answers: dict[str, str] = {}
    for response in result.responses:
        where = f"{response.source}:{response.location}"
        person = None
        if response.respondent:
            person = (response.respondent.get("email") or response.respondent.get("name") or "").strip().casefold()
        if response.response_id in by_id:
            result.reject(response.source, response.location, Problem(
                "response_id", f"duplicate response: the same response_id was already read from {by_id[response.response_id]}"))
            continue
        if person and person in by_person:
            result.reject(response.source, response.location, Problem(
                "respondent", f"duplicate respondent: the same person already answered in {by_person[person]}"))
            continue
        by_id[response.response_id] = where
        if person:
            by_person[person] = where
        if len(response.answers) >= MIN_ANSWERS_FOR_IDENTICAL_CHECK:
            key = repr(sorted(response.answers.items()))
            if key in by_answers:
                result.note(response.source, response.location,
                            f"identical answers to {by_answers[key]}: possibly the same respondent twice (both counted)")
            else:
                by_answers[key] = where
        kept.append(response)
    result.responses[:] = kept


def save_responses(responses: Sequence, outdir: Path) -> list[Path]:
    """One response file per response in ``outdir`` (created owner-only if new), under the folder's
    lock so two imports into one folder never interleave; an unwritable place is a one-line error."""
    from assess.errors import AssessError
    from assess.locking import lock_directory
    from assess.survey.terminal import write_response

    try:
        outdir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise AssessError(f"{outdir}: cannot create the folder: {exc.strerror or exc}",
                          hint="choose a writable place for -o") from None
    if not outdir.is_dir():
        raise AssessError(f"{outdir}: not a folder", hint="give -o a folder")
    written = []
    with lock_directory(outdir):
        for response in responses:
            written.append(write_response(response, outdir / response_file_name(response.response_id)))
    return written


def response_file_name(response_id: str) -> str:
    """A file name for a response id read from a (possibly hostile) file: the id itself when it is
    a plain token, else a hash of it, so an id like ``../../x`` never names a path elsewhere."""
    import hashlib
    import re

    if re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,79}", response_id):
        return f"response-{response_id}.json"
    return f"response-{hashlib.sha256(response_id.encode()).hexdigest()[:32]}.json"
