"""Every placement rule (assess/levels/rules.yaml) has its question, rationale and remediation, and
a unit test that exists."""

from __future__ import annotations

import ast
from pathlib import Path

from assess.levels.rules import load_rules

ROOT = Path(__file__).resolve().parents[1]


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}


def test_every_rule_is_described_and_pinned_by_an_existing_test():
    rules = load_rules()
    assert len({r["id"] for r in rules}) == len(rules) >= 10
    for r in rules:
        for key in ("question", "rationale", "remediation", "implemented_in"):
            assert r[key].strip(), (r["id"], key)
        file, _, name = r["test"].partition("::")
        assert name in _test_names(ROOT / file), f"{r['id']}: {r['test']} does not exist"
