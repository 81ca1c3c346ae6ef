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

# Each public name is imported from its module when first used. Reason: mining a repository reads
# saved evidence through ``assess.report.inputs``; importing the renderers (jinja2, plotly) with it
# cost every `assess org` worker and every `assess repo` their start-up time for nothing.
_LAZY = {
    "assemble_report": "assess.report.assemble", "build_figures": "assess.report.figures",
    "load_repository": "assess.report.inputs", "load_study": "assess.report.inputs",
    "load_survey": "assess.report.inputs", "ReportFiles": "assess.report.outputs",
    "output_paths": "assess.report.outputs", "write_report": "assess.report.outputs",
    "render_html": "assess.report.render", "render_markdown": "assess.report.render",
    "REPORT_SCHEMA": "assess.report.schema", "report_errors": "assess.report.schema",
    "validate_report": "assess.report.schema",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    # dir() and help() list the public names before their first use, as when they were imported eagerly
    return sorted(set(globals()) | set(_LAZY))


def build_report(repos: Sequence[str | Path] = (), survey: Sequence[str | Path] | None = None,
                 study: str | Path | None = None, *, show_identities: bool = False,
                 window_days: int = defaults.WINDOW_DAYS, rev: str = defaults.REV, since: str | None = None,
                 until: str | None = None, signatures: str | None = None, min_group: int = defaults.MIN_GROUP,
                 questionnaire: str | Path | None = None, use_cache: bool = True,
                 bootstrap_reps: int = defaults.BOOTSTRAP_REPS, rubric: str | Path | None = None,
                 on_repository: Callable[[str], Callable[[int], None] | None] | None = None,
                 sessions: Sequence[str | Path] = (), forge: Sequence[str | Path] = ()) -> dict[str, Any]:
    """The report data for any subset of repositories (or saved evidence JSON), survey responses
    (or a saved summary) and a study (folder or saved analysis): a shortcut for
    ``run_assessment(SourceOptions(...)).report_model()``."""
    from assess.pipeline import SourceOptions, run_assessment

    options = SourceOptions(repos=tuple(str(r) for r in repos), survey=tuple(str(s) for s in survey or ()),
                            study=str(study) if study is not None else None, show_identities=show_identities,
                            window_days=window_days, rev=rev, since=since, until=until, signatures=signatures,
                            min_group=min_group, questionnaire=str(questionnaire) if questionnaire else None,
                            use_cache=use_cache, bootstrap_reps=bootstrap_reps,
                            rubric=str(rubric) if rubric else None, sessions=tuple(str(p) for p in sessions),
                            forge=tuple(str(f) for f in forge))
    return run_assessment(options, on_repository=on_repository).report_model()


__all__ = ["REPORT_SCHEMA", "ReportFiles", "assemble_report", "build_figures", "build_report", "load_repository",
           "load_study", "load_survey", "output_paths", "render_html", "render_markdown", "report_errors",
           "validate_report", "write_report"]
