"""Read the report's inputs: repository evidence (mined now or saved JSON), the survey summary
(scored now from responses or a saved summary) and the study analysis (a study folder or saved JSON)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import jsonschema

from assess import defaults
from assess.errors import AssessError, InputError
from assess.resources import package_file
from assess.signal_catalogue import EVIDENCE_SCHEMA_VERSION, fill_unmeasured

SURVEY_SUMMARY_ID = "assess-survey-summary/1"


def _schema(name: str) -> dict[str, Any]:
    return json.loads(package_file("schemas", name).read_text(encoding="utf-8"))


def _read_json(path: Path) -> Any:
    from assess import safejson

    return safejson.read_file(path)


def _validate(path: Path, data: Any, schema_name: str, what: str) -> None:
    errors = sorted(jsonschema.Draft202012Validator(_schema(schema_name)).iter_errors(data),
                    key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        field = "/".join(str(p) for p in err.absolute_path) or None
        raise InputError(path, f"not {what}: {err.message}", field=field,
                         hint=f"expected the JSON that {schema_name} describes")


def load_repository(path: str | Path, *, rev: str = defaults.REV, all_refs: bool = False,
                    since: str | None = None, until: str | None = None,
                    window_days: int = defaults.WINDOW_DAYS, show_identities: bool = False, use_cache: bool = True,
                    signatures: str | None = None, on_progress: Callable[[int], None] | None = None,
                    collection: dict[str, Any] | None = None, rubric: str | None = None,
                    jobs: int | None = None
                    ) -> tuple[dict[str, Any], Any]:
    """(evidence, mining) for one repository: mined from the git repository at ``path``, or
    (evidence, None) read from a ``.json`` file that ``assess repo --json`` wrote (validated against
    evidence.schema.json). Options that select history must match what a saved file was mined with."""
    p = Path(path)
    if p.is_file() and p.suffix.lower() == ".json":
        data = _read_json(p)
        version = str(data.get("schema_version", "")) if isinstance(data, dict) else ""
        if version and version.split(".")[0] != EVIDENCE_SCHEMA_VERSION.split(".")[0]:
            raise InputError(p, f"evidence schema {version} was written by another version of assess "
                                f"(this one reads {EVIDENCE_SCHEMA_VERSION})", field="schema_version",
                             hint="mine the repository again with `assess repo --json`")
        # evidence saved by an earlier 2.x release keeps working: the signals added since are not
        # measured (None, never 0), which the placement treats as unseen, and a caveat says so
        filled = fill_unmeasured(data["signals"], version) \
            if version and isinstance(data.get("signals"), dict) else []
        _validate(p, data, "evidence.schema.json", "repository evidence")
        if filled:
            data["caveats"] = [*data["caveats"], f"Evidence saved by evidence schema {version} (an earlier assess) "
                               f"does not measure {', '.join(filled)}: judged without it; mine the repository "
                               "again to include it."]
        used = (data.get("signals") or {}).get("parameters")
        if collection is not None and used is not None and used != collection:
            changed = sorted(k for k in set(used) | set(collection) if used.get(k) != collection.get(k))
            raise InputError(p, f"signals were measured with other collection parameters than the rubric's "
                                f"({', '.join(changed)})", field="signals.parameters",
                             hint="mine the repository again with this rubric")
        mined = data.get("mining") or {}
        for option, value in (("since", since), ("until", until)):
            if value is not None and mined.get(option) != value:
                raise InputError(p, f"saved evidence was mined with --{option} {mined.get(option) or '(none)'}, "
                                    f"not {value}", field=f"mining.{option}",
                                 hint="mine the repository again with these options, or drop them")
        if all_refs and not mined.get("all_refs"):
            raise InputError(p, "saved evidence was mined from one revision's history, not --all-refs",
                             field="mining.all_refs", hint="mine the repository again with --all-refs, or drop it")
        if signatures is not None:
            raise InputError(p, "--signatures applies when mining; this is saved evidence",
                             hint="mine the repository again with --signatures, or drop it")
        if not show_identities:
            data.get("identities", {}).pop("people", None)
            data.setdefault("identities", {})["shown"] = False
        return data, None
    from assess.mining import build_evidence, mine_repository

    mining = mine_repository(p, rev=rev, since=since, until=until, use_cache=use_cache, signatures=signatures, jobs=jobs,
                             rubric=rubric, on_progress=on_progress, all_refs=all_refs)
    return build_evidence(mining, window_days=window_days, show_identities=show_identities,
                          collection=collection), mining


def _summary_file(paths: Sequence[Path]) -> Path | None:
    if len(paths) != 1 or not paths[0].is_file() or paths[0].suffix.lower() != ".json":
        return None
    try:
        head = _read_json(paths[0])
    except InputError:
        return None
    return paths[0] if isinstance(head, dict) and head.get("schema") == SURVEY_SUMMARY_ID else None


def load_survey(paths: Sequence[str | Path], *, questionnaire: str | Path | None = None,
                min_group: int = defaults.MIN_GROUP) -> dict[str, Any]:
    """The survey summary: responses (files or folders of .json/.csv/.xlsx) scored with the
    questionnaire, or one summary JSON that ``assess survey score --json`` wrote — held to the
    anonymity floor ``min_group`` either way."""
    from assess.survey import enforce_min_group, load_questionnaire, load_responses, score_survey

    ps = [Path(p) for p in paths]
    for p in ps:
        if not p.exists():
            raise InputError(p, "no such survey file or folder")
    summary_path = _summary_file(ps)
    if summary_path is not None:
        data = _read_json(summary_path)
        _validate(summary_path, data, "survey.schema.json", "a survey summary")
        return enforce_min_group(data, min_group)
    q = load_questionnaire(Path(questionnaire) if questionnaire else None)
    responses = load_responses(ps, q)
    if not responses.responses and not responses.rejected:
        raise AssessError(f"no survey responses found in {', '.join(str(p) for p in ps)}",
                          hint="pass response files (.json, .csv, .xlsx) or a folder holding them")
    if not responses.responses:
        # every response was refused (unreadable, too deep, wrong format): a report built on none
        # of them would look like a survey that said nothing, so name the first refusal instead
        first = responses.rejected[0]
        more = f" (and {len(responses.rejected) - 1} more refused)" if len(responses.rejected) > 1 else ""
        raise InputError(first.source, f"no valid survey responses: {first.location}: {first.reason}{more}",
                         hint="`assess survey validate` lists every problem")
    return score_survey(q, responses, min_group=min_group)


def load_study(path: str | Path, *, bootstrap_reps: int = defaults.BOOTSTRAP_REPS, seed: int = 0,
               allow_changed: bool = False) -> dict[str, Any]:
    """The study analysis: a registered study folder analysed now, or a JSON file that
    ``assess study analyze --json`` wrote (validated against study.schema.json)."""
    p = Path(path)
    if p.is_file():
        data = _read_json(p)
        _validate(p, data, "study.schema.json", "a study analysis")
        return data
    if not p.is_dir():
        raise InputError(p, "no such study folder or analysis file")
    from assess.speedup import analyze_study

    return analyze_study(p, allow_changed=allow_changed, bootstrap_reps=bootstrap_reps, seed=seed)
