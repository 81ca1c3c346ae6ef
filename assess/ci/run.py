"""One CI run: mine the history up to head, take the change base..head, place the repository,
check the policy, and build the CI document (``ci.schema.json``) and its Markdown summary."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from assess import __version__, defaults
from assess.ci.change import change_block, range_commits, resolve_range
from assess.ci.env import CiContext, context_from_environment
from assess.ci.gates import evaluate
from assess.ci.policy import Policy, find_policy
from assess.ci.sources import ChangeContext, SourceReport, collect
from assess.ci.summary import render_summary
from assess.errors import AssessError

SCHEMA_ID = "assess-ci/1"
SCHEMA_VERSION = "1.0"
TREND_MONTHS = 6  # months of the level timeline shown as the trend

EXIT_PASS, EXIT_POLICY_FAILED, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True)
class CiResult:
    document: dict[str, Any]
    summary: str
    context: CiContext

    @property
    def exit_code(self) -> int:
        return int(self.document["exit_code"])


def level_trend(timeline: list[dict[str, Any]]) -> dict[str, Any]:
    """The last months of the level timeline and whether the level rose, fell or held."""
    months = [{"month": m["month"], "level": m.get("level"), "range": m.get("range")}
              for m in timeline[-TREND_MONTHS:]]
    placed = [m["level"] for m in months if m["level"] is not None]
    if len(placed) < 2:
        direction = "not enough placed months"
    elif placed[-1] > placed[0]:
        direction = "rising"
    elif placed[-1] < placed[0]:
        direction = "falling"
    else:
        direction = "steady"
    return {"direction": direction, "months": months}


def _next_gate(level: dict[str, Any]) -> dict[str, Any] | None:
    failed = level["overall"].get("failed_gate")
    if not failed:
        return None
    steps = level.get("next_steps") or []
    return {"level": failed["level"], "all_failing": failed.get("all_failing", []),
            "reason": failed.get("reason"), "step": steps[0] if steps else failed.get("needed")}


def run_ci(path: str | os.PathLike[str] = ".", *, base: str | None = None, head: str | None = None,
           policy: str | Path | None = None, labels: tuple[str, ...] = (), env: Mapping[str, str] | None = None,
           window_days: int = defaults.WINDOW_DAYS, rubric: str | Path | None = None,
           signatures: str | Path | None = None, sessions: tuple[str, ...] = (), forge: tuple[str, ...] = (),
           use_cache: bool = True, on_progress: Callable[[int], None] | None = None) -> CiResult:
    """Assess the change ``base..head`` of the repository at ``path`` (defaults from the CI's
    environment) against ``policy`` (default ``.assess/policy.yaml`` when present). ``sessions`` and
    ``forge`` are inputs for those pipeline sources (see :mod:`assess.pipeline`)."""
    from assess.pipeline import SourceOptions, run_assessment
    from assess.stamp import evidence_stamp

    environ = os.environ if env is None else env
    ctx = context_from_environment(environ, base=base, head=head, labels=labels)
    root = Path(path)
    pol: Policy | None = find_policy(root, policy)  # a malformed policy fails before the slow mining
    if root.is_file():
        raise AssessError(f"{root}: assess ci needs a git repository, not a file",
                          hint="run it in the checkout, or pass its folder as PATH")
    options = SourceOptions(repos=(str(root),), rev=ctx.head, window_days=window_days,
                            signatures=str(signatures) if signatures else None, rubric=str(rubric) if rubric else None,
                            use_cache=use_cache, sessions=tuple(sessions), forge=tuple(forge))
    a = run_assessment(options, on_repository=lambda _: on_progress)
    mining, evidence, level = a.minings[0], a.evidences[0], a.team
    rng = resolve_range(mining, ctx.base, ctx.head)
    commits = range_commits(mining, rng)
    change = change_block(mining, rng, commits)
    sources = _with_pipeline_findings(
        collect(ChangeContext(repository=mining.repo.path, base=rng.base, head=rng.head, shas=rng.shas,
                              pull_request=ctx.pull_request, provider=ctx.provider, env=dict(environ))), a)
    policy_block = None
    exit_code = EXIT_PASS
    if pol is not None:
        results = evaluate(pol.rules, commits=commits, change=change, level=level, labels=ctx.labels,
                           sources=sources)
        failed = any(r["status"] == "fail" for r in results)
        exit_code = EXIT_POLICY_FAILED if failed else EXIT_PASS
        policy_block = {"file": _display_path(pol.path, root), "version": pol.version, "sha256": pol.sha256,
                        "passed": not failed, "results": results}
    doc = {
        "schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "stamp": evidence_stamp(evidence, rubric=rubric),
        "tool": {"name": "assess", "version": __version__},
        "ci": {"provider": ctx.provider, "event": ctx.event, "pull_request": ctx.pull_request,
               "base_ref": ctx.base_ref, "head_ref": ctx.head_ref},
        "repository": {"name": evidence["repository"]["name"], "head": evidence["repository"]["head"],
                       "shallow": evidence["repository"]["shallow"]},
        "labels": list(ctx.labels),
        "change": change,
        "level": {"overall": level["overall"], "trend": level_trend(level.get("timeline", [])),
                  "next_gate": _next_gate(level),
                  "dimensions": {k: {"level": d["level"], "range": d["range"], "confidence": d["confidence"],
                                     "source": d.get("source")}
                                 for k, d in level["dimensions"].items()}},
        "sources": {name: rep.as_dict() for name, rep in sources.items()},
        "policy": policy_block,
        "caveats": evidence["caveats"],
        "exit_code": exit_code,
    }
    _validate(doc)
    return CiResult(document=doc, summary=render_summary(doc), context=ctx)


def _with_pipeline_findings(reports: dict[str, SourceReport], a: Any) -> dict[str, SourceReport]:
    """A source the pipeline read (``--sessions``/``--forge``) is configured: its findings about
    the repository join whatever its change-level provider said."""
    out = dict(reports)
    for name in out:
        found = tuple(f for f in a.findings if f.source == name)
        if name not in a.source_evidence and not found:
            continue
        rep = out[name]
        said = "; ".join(f"{f.dimension} " + (f"Level {f.level}" if f.level is not None else f"Levels {f.lo}-{f.hi}")
                         + f" ({f.confidence})" for f in found) or "no findings"
        summary = said if rep.status == "not configured" else f"{rep.summary}; {said}"
        out[name] = replace(rep, status="ok", summary=summary, findings=rep.findings + found)
    return out


def _display_path(path: Path, root: Path) -> str:
    """The policy file relative to the repository when inside it (no absolute paths in outputs)."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return path.name


def _validate(doc: dict[str, Any]) -> None:
    from assess.report.schema import schema_validator

    errors = sorted(schema_validator("ci.schema.json").iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    if errors:  # a bug in assess, not the user's input
        raise ValueError("ci document does not match ci.schema.json: " + "; ".join(
            f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]))
