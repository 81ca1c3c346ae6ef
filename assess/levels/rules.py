"""The placement's rules as data (rules.yaml): id, question, rationale, remediation, where each is
implemented and the test that pins it, in the manner of OpenSSF Scorecard checks."""

from __future__ import annotations

from typing import Any

from assess.resources import package_file
from assess.yamlfile import load_yaml

REQUIRED = ("id", "question", "rationale", "remediation", "implemented_in", "test")


def load_rules() -> list[dict[str, Any]]:
    doc = load_yaml(package_file("levels", "rules.yaml"))
    rules = doc.data.get("rules") if isinstance(doc.data, dict) else None
    if not isinstance(rules, list):
        raise doc.error("expected a list of rules", "rules")
    for i, r in enumerate(rules):
        missing = [k for k in REQUIRED if not isinstance(r, dict) or not isinstance(r.get(k), str)]
        if missing:
            raise doc.error(f"rule needs {', '.join(missing)}", "rules", i)
    return rules
