"""Every git signal, declared once: its name, how it pools, its unit and what it means.

This is the typed contract between collection (``assess.mining.signals`` computes the values) and
judgement (``assess.levels`` reads them). Pooling across repositories and months, the timeline's
per-month signals, and the ``signals`` part of ``evidence.schema.json`` are all derived from
:data:`SIGNALS`; nothing lists signal names by hand, so a new signal cannot silently read as 0.

Adding a signal (e.g. from the corpus work on machine cadence):

1. add one ``Signal(...)`` line below, with its aggregation:
   ``sum`` (counts add up), ``max`` (largest wins), ``median`` (median of the parts' medians),
   ``frontier`` (a list of runs; the pooled list keeps runs no other run beats on both length and span);
   ``origin="commit"`` signals are per-commit columns of ``commit_features`` (summed per window/month);
   other origins are computed by their own function in ``assess.mining.signals``;
2. compute it in ``assess.mining.signals`` (a missing or undeclared column fails loudly);
3. regenerate the schema: ``python -m assess.signal_catalogue --write-schema`` (a test checks it);
4. bump :data:`EVIDENCE_SCHEMA_VERSION` (minor for an added signal, major for a renamed/removed one).

Shares are declared too (:data:`SHARES`, numerator / denominator of pooled counts), so every stage
computes e.g. the AI share of code lines the same way.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Aggregation = Literal["sum", "max", "median", "frontier"]
Origin = Literal["commit", "merges", "runs"]

EVIDENCE_SCHEMA_VERSION = "2.2"  # 2.0: typed signals, run frontier replaces chains_ge5/long_run_span_hours; 2.1: stamp;
# 2.2: ai_code_commits_with_tests (validation judges tests changing with agent code)


@dataclass(frozen=True)
class Signal:
    name: str
    aggregation: Aggregation
    unit: str
    description: str
    origin: Origin = "commit"
    nullable: bool = False  # medians of nothing are null
    refs: bool = False  # the window cites (up to 8) commits for this signal under refs[name]
    since: str = "2.0"  # the evidence schema that added it: older saved evidence lacks it (unmeasured)

    def json_type(self) -> dict[str, Any]:
        if self.aggregation == "frontier":
            return {"type": "array", "items": {"$ref": "#/$defs/run"}, "description": self.description}
        # counts are integers, but a median of counts can fall halfway between two (491.5 lines)
        counted = self.unit in ("commits", "lines", "files", "merges") and self.aggregation != "median"
        base: dict[str, Any] = ({"type": "integer", "minimum": 0} if counted
                                else {"type": "number", "minimum": 0})
        if self.nullable or self.since != "2.0":
            base = {"type": [base["type"], "null"], "minimum": 0}
        unmeasured = (f"; null: not measured, the evidence was written before schema {self.since}"
                      if self.since != "2.0" else "")
        return {**base, "description": f"{self.description} ({self.unit}; pools by {self.aggregation}{unmeasured})"}


@dataclass(frozen=True)
class Share:
    name: str
    numerator: str
    denominator: str
    description: str


SIGNALS: tuple[Signal, ...] = (
    # per commit (0/1 flags or line counts), summed over the window or month
    Signal("commits", "sum", "commits", "all commits"),
    Signal("work_commits", "sum", "commits", "non-merge commits by people or agents (automation excluded)"),
    Signal("code_commits", "sum", "commits", "work commits that change code"),
    Signal("ai_code_commits", "sum", "commits", "code commits AI-attributed with medium or high confidence",
           refs=True),
    Signal("ai_code_commits_low", "sum", "commits", "code commits with only a low-confidence 'assisted' marker"),
    Signal("human_code_commits", "sum", "commits", "code commits by people", refs=True),
    Signal("code_lines", "sum", "lines", "changed code lines of code commits"),
    Signal("ai_code_lines", "sum", "lines", "changed code lines of AI-attributed code commits"),
    Signal("ai_multi_file_commits", "sum", "commits", "AI code commits that touch 3 or more files"),
    Signal("human_commits", "sum", "commits", "work commits by people"),
    Signal("human_spec_doc_only_commits", "sum", "commits",
           "people's commits touching only specs, docs or agent instructions", refs=True),
    Signal("human_spec_commits", "sum", "commits", "people's commits touching specs"),
    Signal("spec_lines", "sum", "lines", "changed spec lines"),
    Signal("test_lines", "sum", "lines", "changed test lines"),
    Signal("test_files", "sum", "files", "changed test files"),
    Signal("work_files", "sum", "files", "changed files (generated excluded)"),
    Signal("work_lines", "sum", "lines", "changed lines (generated excluded)"),
    Signal("ai_commits", "sum", "commits", "work commits AI-attributed with medium or high confidence"),
    Signal("ai_commits_with_tests", "sum", "commits", "AI commits that change tests"),
    Signal("ai_code_commits_with_tests", "sum", "commits", "AI code commits that change tests in the same commit",
           refs=True, since="2.2"),
    Signal("ai_cloud_commits", "sum", "commits", "AI commits made by agents on their own (bot authors, agent branches)",
           refs=True),
    Signal("ai_session_commits", "sum", "commits", "AI commits committed by a person in the session"),
    Signal("ai_on_main_via_web", "sum", "commits", "AI commits on the main line through the forge's merge button"),
    Signal("ai_on_main_direct", "sum", "commits", "AI commits pushed straight to the main line"),
    Signal("ai_review_trailers", "sum", "commits", "AI commits carrying Reviewed-by/Approved-by trailers", refs=True),
    Signal("ai_followup_fixes", "sum", "commits", "AI code commits whose files a person changed soon after",
           refs=True),
    Signal("ai_off_hours_commits", "sum", "commits", "AI commits outside the team's usual hours", refs=True),
    # merges on the first-parent chain that brought in agent work
    Signal("ai_merges", "sum", "merges", "merges that brought in agent work", origin="merges"),
    Signal("ai_merges_by_human", "sum", "merges", "such merges made by people", origin="merges"),
    Signal("ai_merges_by_machine", "sum", "merges", "such merges made by automation or agents", origin="merges"),
    Signal("ai_merge_delay_hours_median", "median", "hours", "median hours from a branch's last commit to its merge",
           origin="merges", nullable=True),
    Signal("ai_merge_lines_median", "median", "lines", "median lines per merge of agent work", origin="merges",
           nullable=True),
    Signal("ai_merge_commits_median", "median", "commits per merge",  # a median of counts can be x.5
           "median agent-branch commits per merge of agent work (bulk by count as well as by lines)",
           origin="merges", nullable=True),
    # runs of agent commits under one identity with no hand-written commit between
    Signal("max_chain", "max", "commits", "the longest run of agent commits", origin="runs"),
    Signal("max_chain_span_hours", "max", "hours", "hours spanned by the longest run", origin="runs"),
    Signal("longest_chain_span_hours", "max", "hours", "the longest span of any run", origin="runs"),
    Signal("run_frontier", "frontier", "runs",
           "runs no other run beats on both commits and span: answers 'a run of N+ commits over H+ hours' exactly",
           origin="runs"),
)

SHARES: tuple[Share, ...] = (
    Share("ai_share_code_commits", "ai_code_commits", "code_commits", "AI-attributed share of code commits"),
    Share("ai_share_code_lines", "ai_code_lines", "code_lines", "AI-attributed share of changed code lines"),
    Share("human_code_share", "human_code_commits", "code_commits", "people's share of code commits"),
    Share("test_share_lines", "test_lines", "work_lines", "tests' share of changed lines"),
    Share("test_share_files", "test_files", "work_files", "tests' share of changed files"),
    Share("ai_multi_file_share", "ai_multi_file_commits", "ai_code_commits", "AI code commits touching 3+ files"),
    Share("delegated_share", "ai_cloud_commits", "ai_commits", "AI commits made by agents on their own"),
    Share("off_hours_share", "ai_off_hours_commits", "ai_commits", "AI commits outside the team's hours"),
    Share("machine_merge_share", "ai_merges_by_machine", "ai_merges", "merges of agent work made by machines"),
    Share("followup_share", "ai_followup_fixes", "ai_code_commits", "AI code commits fixed by people soon after"),
    Share("review_trailer_share", "ai_review_trailers", "ai_commits", "AI commits with review trailers"),
    Share("spec_only_share", "human_spec_doc_only_commits", "human_commits",
          "people's commits touching only specs, docs or instructions"),
)

BY_NAME: dict[str, Signal] = {s.name: s for s in SIGNALS}
SHARE_BY_NAME: dict[str, Share] = {s.name: s for s in SHARES}
COMMIT_COLUMNS: tuple[str, ...] = tuple(s.name for s in SIGNALS if s.origin == "commit")
REF_SIGNALS: tuple[str, ...] = tuple(s.name for s in SIGNALS if s.refs)


def share(signals: dict[str, Any], name: str) -> float | None:
    """A declared share of pooled signals: numerator / denominator, None when the denominator is 0."""
    d = SHARE_BY_NAME[name]
    den = signals.get(d.denominator) or 0
    return None if not den else (signals.get(d.numerator) or 0) / den


def empty() -> dict[str, Any]:
    """The value every declared signal takes over no commits."""
    return {s.name: ([] if s.aggregation == "frontier" else None if s.nullable else 0) for s in SIGNALS}


def frontier(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Runs that no other run beats on both commits (``n``) and ``span_hours``, longest first."""
    out: list[dict[str, Any]] = []
    for r in sorted(runs, key=lambda r: (-r["n"], -r["span_hours"])):
        if not out or r["span_hours"] > max(o["span_hours"] for o in out):
            out.append(r)
    return out


def _version(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in text.split("."))
    except ValueError:
        return (0,)


def fill_unmeasured(signals: dict[str, Any], version: str) -> list[str]:
    """Saved evidence of an older schema ``version`` lacks the signals added since: they become
    None (not measured) in its window and months, never 0, so the placement treats them as unseen.
    Returns the names filled."""
    newer = [s.name for s in SIGNALS if _version(s.since) > _version(version)]
    parts = [signals.get("window")] + list(signals.get("by_month") or [])
    filled: set[str] = set()
    for part in parts:
        if not isinstance(part, dict):
            continue
        for name in newer:
            if name not in part:
                part[name] = None
                filled.add(name)
    return [n for n in newer if n in filled]


def pool(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Declared signals of several windows (repositories) or months pooled by their aggregation.
    A part missing a declared signal is a bug (or evidence from an older schema that
    :func:`fill_unmeasured` did not fill) and fails. A count or maximum one part did not measure
    (None: saved by an older schema) leaves the pooled value unmeasured too: the other parts alone
    would understate it."""
    out = empty()
    for s in SIGNALS:
        missing = [i for i, p in enumerate(parts) if s.name not in p]
        if missing:
            raise KeyError(f"signal '{s.name}' missing from part {missing[0]} (evidence from another schema version?)")
        if not s.nullable and s.aggregation in ("sum", "max") and any(p[s.name] is None for p in parts):
            out[s.name] = None
            continue
        values = [p[s.name] for p in parts if p[s.name] is not None]
        if s.aggregation == "sum":
            out[s.name] = sum(values)
        elif s.aggregation == "max":
            out[s.name] = max(values, default=0)
        elif s.aggregation == "median":
            values = sorted(values)
            out[s.name] = values[len(values) // 2] if values else None
        else:
            out[s.name] = frontier([r for v in values for r in v])
    return out


def schema_defs() -> dict[str, Any]:
    """The ``$defs`` of evidence.schema.json that type the signals (generated from :data:`SIGNALS`)."""
    names = [s.name for s in SIGNALS]
    props = {s.name: s.json_type() for s in SIGNALS}
    return {
        "run": {"type": "object", "required": ["n", "span_hours", "first", "last"],
                "properties": {"n": {"type": "integer", "minimum": 1}, "span_hours": {"type": "number", "minimum": 0},
                               "first": {"type": "string"}, "last": {"type": "string"}}},
        "signal_window": {"type": "object", "required": [*names, "refs"],
                          "description": "declared signals over the assessment window (assess/signal_catalogue.py)",
                          "properties": {**props, "refs": {"type": "object", "additionalProperties": {
                              "type": "array", "items": {"type": "string"}}}}},
        "signal_month": {"type": "object", "required": ["month", *names, "artefacts"],
                         "description": "declared signals of one calendar month (assess/signal_catalogue.py)",
                         "properties": {"month": {"type": "string", "pattern": "^\\d{4}-\\d{2}$"}, **props,
                                        "artefacts": {"type": "array", "items": {"type": "string"}}}},
    }


def write_schema(path: Path) -> bool:
    """Write the generated ``$defs`` and schema version into evidence.schema.json; True if it changed."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    before = json.dumps(doc, sort_keys=True)
    doc["$defs"].update(schema_defs())
    major = EVIDENCE_SCHEMA_VERSION.split(".")[0]
    doc["properties"]["schema_version"] = {"type": "string", "pattern": f"^{major}\\.",
                                           "description": f"evidence schema {EVIDENCE_SCHEMA_VERSION}"}
    if json.dumps(doc, sort_keys=True) == before:
        return False
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return True


if __name__ == "__main__":  # python -m assess.signal_catalogue --write-schema
    if sys.argv[1:] != ["--write-schema"]:
        sys.exit("usage: python -m assess.signal_catalogue --write-schema")
    target = Path(__file__).parent / "schemas" / "evidence.schema.json"
    print(f"{target}: {'updated' if write_schema(target) else 'up to date'}")
