"""The level report: one self-contained HTML page, its data as JSON (report.schema.json) and a short
Markdown summary. The report only formats: every number comes from :mod:`assess.pipeline`.

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

from assess import defaults
from assess.report.assemble import assemble_report
from assess.report.figures import build_figures
from assess.report.inputs import load_repository, load_study, load_survey
from assess.report.outputs import ReportFiles, output_paths, write_report
from assess.report.render import render_html, render_markdown
from assess.report.schema import REPORT_SCHEMA, report_errors, validate_report


def build_report(repos: Sequence[str | Path] = (), survey: Sequence[str | Path] | None = None,
                 study: str | Path | None = None, *, show_identities: bool = False,
                 window_days: int = defaults.WINDOW_DAYS, rev: str = defaults.REV, since: str | None = None,
                 until: str | None = None, signatures: str | None = None, min_group: int = defaults.MIN_GROUP,
                 questionnaire: str | Path | None = None, use_cache: bool = True,
                 bootstrap_reps: int = defaults.BOOTSTRAP_REPS, rubric: str | Path | None = None,
                 on_repository: Callable[[str], Callable[[int], None] | None] | None = None) -> dict[str, Any]:
    """The report data for any subset of repositories (or saved evidence JSON), survey responses
    (or a saved summary) and a study (folder or saved analysis): a shortcut for
    ``run_assessment(SourceOptions(...)).report_model()``."""
    from assess.pipeline import SourceOptions, run_assessment

    options = SourceOptions(repos=tuple(str(r) for r in repos), survey=tuple(str(s) for s in survey or ()),
                            study=str(study) if study is not None else None, show_identities=show_identities,
                            window_days=window_days, rev=rev, since=since, until=until, signatures=signatures,
                            min_group=min_group, questionnaire=str(questionnaire) if questionnaire else None,
                            use_cache=use_cache, bootstrap_reps=bootstrap_reps,
                            rubric=str(rubric) if rubric else None)
    return run_assessment(options, on_repository=on_repository).report_model()


__all__ = ["REPORT_SCHEMA", "ReportFiles", "assemble_report", "build_figures", "build_report", "load_repository",
           "load_study", "load_survey", "output_paths", "render_html", "render_markdown", "report_errors",
           "validate_report", "write_report"]
