"""report.schema.json and validation of a report document (with the schemas it refers to)."""

from __future__ import annotations

import json
from functools import cache, lru_cache
from typing import Any

import jsonschema
from referencing import Registry, Resource

from assess.resources import package_file

REPORT_SCHEMA = package_file("schemas", "report.schema.json")
_REFERENCED = ("level.schema.json", "evidence.schema.json", "survey.schema.json", "study.schema.json",
               "forge-summary.schema.json", "stamp.schema.json")


def _load(name: str) -> dict[str, Any]:
    return json.loads(package_file("schemas", name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _registry() -> Registry:
    schemas = [_load(n) for n in _REFERENCED]
    return Registry().with_resources([(s["$id"], Resource.from_contents(s)) for s in schemas])


@cache
def schema_validator(name: str) -> jsonschema.Draft202012Validator:
    """A validator for any bundled schema, resolving its references to the others (e.g. the stamp)."""
    return jsonschema.Draft202012Validator(_load(name), registry=_registry())


def report_validator() -> jsonschema.Draft202012Validator:
    return schema_validator("report.schema.json")


def report_errors(report: dict[str, Any]) -> list[str]:
    """Every schema violation as ``path: message`` (empty when the report is valid)."""
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in sorted(report_validator().iter_errors(report), key=lambda e: list(e.absolute_path))]


def validate_report(report: dict[str, Any]) -> None:
    """Raise ValueError naming the first problems when ``report`` does not match report.schema.json
    (a bug in assess, not the user's input)."""
    errors = report_errors(report)
    if errors:
        raise ValueError("report does not match report.schema.json: " + "; ".join(errors[:5]))
