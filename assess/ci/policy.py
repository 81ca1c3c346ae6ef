"""The CI policy: a small YAML file (``.assess/policy.yaml``) validated against
``assess/schemas/policy.schema.json``, every problem reported as ``file:line: field …``.

Example::

    version: 1
    rules:
      - {id: max-ai-share, max_ai_share: 0.10, exempt_labels: [ai-ok], reason: "pilot phase"}
      - {id: agent-attribution}
      - {id: human-review}
      - {id: min-level, min_level: 2}
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from assess.errors import InputError
from assess.resources import package_file
from assess.yamlfile import load_yaml

DEFAULT_POLICY = Path(".assess") / "policy.yaml"
POLICY_VERSION = 1


@dataclass(frozen=True)
class Policy:
    path: Path
    version: int
    sha256: str
    rules: tuple[dict[str, Any], ...]


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(package_file("schemas", "policy.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _keys(path: Any) -> tuple[str | int, ...]:
    return tuple(path)


def _problem(err: jsonschema.ValidationError) -> tuple[tuple[str | int, ...], str]:
    """The field path and message of one schema error, pointing at the offending key itself."""
    path = _keys(err.absolute_path)
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = set(err.schema.get("properties", {}))
        extra = sorted(str(k) for k in err.instance if k not in allowed)
        if extra:
            known = ", ".join(sorted(k for k in allowed if k != "id")) or "none"
            return path + (extra[0],), f"unknown field '{extra[0]}' (known here: id, {known})"
    if err.validator == "enum" and path and path[-1] == "id":
        return path, f"unknown rule {err.instance!r} (known: {', '.join(err.validator_value)})"
    if err.validator == "const" and path == ("version",):
        return path, f"unsupported policy version {err.instance!r} (this assess reads version {POLICY_VERSION})"
    return path, err.message


def load_policy(path: str | Path) -> Policy:
    """Read and validate a policy file; the first problem raises :class:`InputError` with its line."""
    p = Path(path)
    doc = load_yaml(p)
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error("expected a mapping with 'version: 1' and a list 'rules'",
                        hint="see `assess ci --help` for the format")
    errors = sorted(_validator().iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        # the deepest error names the most precise field; ties go to the first in the file
        deepest = max(errors, key=lambda e: len(e.absolute_path))
        keys, message = _problem(deepest)
        raise doc.error(message, *keys)
    seen: dict[str, int] = {}
    for i, rule in enumerate(data["rules"]):
        if rule["id"] in seen:
            raise doc.error(f"rule '{rule['id']}' is listed twice (also rules.{seen[rule['id']]})", "rules", i, "id")
        seen[rule["id"]] = i
    try:
        digest = hashlib.sha256(p.read_bytes()).hexdigest()
    except OSError as exc:
        raise InputError(p, f"cannot read: {exc.strerror}") from None
    return Policy(path=p, version=int(data["version"]), sha256=digest, rules=tuple(dict(r) for r in data["rules"]))


def find_policy(repo_root: Path, given: str | Path | None) -> Policy | None:
    """The policy given, else ``.assess/policy.yaml`` in the repository when present, else None."""
    if given is not None:
        return load_policy(given)
    default = repo_root / DEFAULT_POLICY
    return load_policy(default) if default.is_file() else None
