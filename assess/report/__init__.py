"""The level report: one self-contained HTML page, its data as JSON (report.schema.json) and a short
Markdown summary, from any subset of repository evidence, questionnaire and randomised study.

Public API::

    build_report(repos=(), survey=None, study=None, *, show_identities=False, ...) -> dict
    assemble_report(evidences=..., team=..., repo_levels=..., survey=..., study=...) -> dict
    render_html(report) -> str;  render_markdown(report) -> str
    write_report(report, "report.html") -> ReportFiles(html, json, markdown)
    validate_report(report);  REPORT_SCHEMA (path of report.schema.json)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assess.errors import AssessError
from assess.mining.gitrepo import repository_key
from assess.report.assemble import assemble_report
from assess.report.figures import build_figures
from assess.report.inputs import load_repository, load_study, load_survey
from assess.report.outputs import ReportFiles, output_paths, write_report
from assess.report.placement import place
from assess.report.render import render_html, render_markdown
from assess.report.schema import REPORT_SCHEMA, report_errors, validate_report


def build_report(repos: Sequence[str | Path] = (), survey: Sequence[str | Path] | None = None,
                 study: str | Path | None = None, *, show_identities: bool = False, window_days: int = 90,
                 rev: str = "HEAD", min_group: int = 5, questionnaire: str | Path | None = None,
                 use_cache: bool = True, bootstrap_reps: int = 2000, rubric: str | Path | None = None,
                 on_repository: Callable[[str], Callable[[int], None] | None] | None = None) -> dict[str, Any]:
    """Read every given input, place the team (together and per repository) and assemble the report
    data. ``repos``: git repositories or evidence JSON files; ``survey``: response files/folders or
    one summary JSON; ``study``: a study folder or analysis JSON; ``rubric``: a rubric YAML for the
    placement (default: the bundled one). At least one input is needed."""
    if not repos and not survey and study is None:
        raise AssessError("nothing to report on", hint="give --repo PATH, --survey FILES or --study DIR")
    seen: dict[str, str] = {}
    for path in repos:  # the same repository twice would be counted twice in every team figure
        key = repository_key(path)  # a path, its .git and a linked worktree share one git directory
        if key in seen:
            raise AssessError(f"{path}: the same repository as {seen[key]} is given twice",
                              hint="name each --repo once (a folder, its .git and its worktrees are one repository)")
        seen[key] = str(path)
    evidences = []
    for path in repos:
        progress = on_repository(str(path)) if on_repository else None
        evidences.append(load_repository(path, rev=rev, window_days=window_days, show_identities=show_identities,
                                         use_cache=use_cache, on_progress=progress))
    _dedupe_names(evidences)
    summary = load_survey(survey, questionnaire=questionnaire, min_group=min_group) if survey else None
    analysis = load_study(study, bootstrap_reps=bootstrap_reps) if study is not None else None
    team, per_repo = place(evidences, summary, analysis, rubric_path=str(rubric) if rubric else None)
    return assemble_report(evidences=evidences, team=team, repo_levels=per_repo, survey=summary, study=analysis,
                           show_identities=show_identities)


def _dedupe_names(evidences: list[dict[str, Any]]) -> None:
    """Two repositories with the same folder name get ``name (2)`` so links and tables stay apart."""
    seen: dict[str, int] = {}
    for e in evidences:
        name = e["repository"]["name"]
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            e["repository"]["name"] = f"{name} ({seen[name]})"


__all__ = ["REPORT_SCHEMA", "ReportFiles", "assemble_report", "build_figures", "build_report", "load_repository",
           "load_study", "load_survey", "output_paths", "render_html", "render_markdown", "report_errors",
           "validate_report", "write_report"]
