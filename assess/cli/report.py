"""`assess report`: one self-contained HTML report, its JSON data and a Markdown summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from assess.cli.progress import commit_progress
from assess.cli.sourceopts import build_options, source_options
from assess.terminal import echo


@click.command("report")
@click.option("--repo", "repos", multiple=True, metavar="PATH",
              help="A git repository (or evidence JSON from `assess repo --json`); repeat for several "
                   "repositories of one team.")
@source_options
@click.option("-o", "--output", default="report.html", show_default=True, metavar="report.html",
              help="The HTML file; report.json and report.md are written beside it.")
@click.option("-q", "--quiet", is_flag=True, help="No progress; print only the paths written.")
def report_command(repos: tuple[str, ...], output: str, quiet: bool, **params: Any) -> None:
    """Write the level report: where the team stands, how far belief is from evidence, and what
    the next level would take. Works with any subset of --repo, --survey and --study."""
    from assess.pipeline import run_assessment
    from assess.report import output_paths, write_report

    options = build_options(repos, params)
    from assess.report.outputs import check_outputs_spare_inputs

    # a wrong -o fails before any slow work, and never replaces an input
    check_outputs_spare_inputs(output_paths(output), {
        "--repo": list(options.repos), "--survey": list(options.survey), "--study": [options.study] if options.study else [],
        "--sessions": list(options.sessions), "--forge": list(options.forge),
        **{f"--{k}": [v] for k, v in (("rubric", options.rubric), ("signatures", options.signatures),
                                      ("questionnaire", options.questionnaire)) if v}})
    current: list = []  # one progress display at a time (rich allows only one live display)

    def close_progress() -> None:
        while current:
            current.pop().__exit__(None, None, None)

    def on_repository(path: str):
        close_progress()
        block = commit_progress(f"Mining {Path(path).name}", quiet)
        current.append(block)
        return block.__enter__()

    try:
        report = run_assessment(options, on_repository=on_repository).report_model()
    finally:
        close_progress()
    files = write_report(report, output)
    if not quiet:
        h = report["headline"]
        claimed = f", claimed {h['claimed_text']}" if h["claimed_text"] else ""
        if h["evidenced_level"] is None and not any(v for k, v in h["sources"].items() if k != "survey"):
            # a survey alone is the team's own claim: never called evidenced
            echo(f"No evidenced level (survey only){claimed} (self-reported).")
        else:
            echo(f"Evidenced level {h['evidenced_text']}{claimed} (confidence {h['confidence']}).")
        for line in report["missing"]:
            echo(f"  missing: {line}")
    echo(f"Report: {files.html}")
    echo(f"Data:   {files.json}")
    echo(f"Summary: {files.markdown}")
