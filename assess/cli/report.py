"""`assess report`: one self-contained HTML report, its JSON data and a Markdown summary."""

from __future__ import annotations

from pathlib import Path

import click

from assess.cli.progress import commit_progress
from assess.terminal import echo


@click.command("report")
@click.option("--repo", "repos", multiple=True, metavar="PATH",
              help="A git repository (or evidence JSON from `assess repo --json`); repeat for several "
                   "repositories of one team.")
@click.option("--survey", "survey", multiple=True, metavar="FILES|DIR",
              help="Questionnaire responses (.json/.csv/.xlsx files or a folder), or one summary JSON "
                   "from `assess survey score --json`; repeatable.")
@click.option("--study", default=None, metavar="DIR",
              help="A registered study folder (or analysis JSON from `assess study analyze --json`).")
@click.option("-o", "--output", default="report.html", show_default=True, metavar="report.html",
              help="The HTML file; report.json and report.md are written beside it.")
@click.option("--show-identities", is_flag=True, help="Show developer names from the study (off by default).")
@click.option("--window-days", default=90, show_default=True, type=click.IntRange(1, 3650),
              help="Days up to each repository's newest commit that form its assessment window.")
@click.option("--rev", default="HEAD", show_default=True, help="Revision whose history is mined.")
@click.option("--min-group", default=5, show_default=True, type=click.IntRange(1, 1000),
              help="Questionnaire anonymity threshold: fewer respondents show aggregates only.")
@click.option("--questionnaire", default=None, type=click.Path(dir_okay=False, path_type=str),
              help="Questionnaire YAML the responses answer (default: the bundled one).")
@click.option("--rubric", default=None, type=click.Path(dir_okay=False, path_type=str),
              help="Rubric YAML with the level thresholds (default: the bundled one).")
@click.option("--no-cache", is_flag=True, help="Mine from scratch; neither read nor write the cache.")
@click.option("-q", "--quiet", is_flag=True, help="No progress; print only the paths written.")
def report_command(repos: tuple[str, ...], survey: tuple[str, ...], study: str | None, output: str,
                   show_identities: bool, window_days: int, rev: str, min_group: int, questionnaire: str | None,
                   rubric: str | None, no_cache: bool, quiet: bool) -> None:
    """Write the level report: where the team stands, how far belief is from evidence, and what
    the next level would take. Works with any subset of --repo, --survey and --study."""
    from assess.report import build_report, output_paths, write_report

    output_paths(output)  # a wrong -o fails before any slow work
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
        report = build_report(list(repos), list(survey) or None, study, show_identities=show_identities,
                              window_days=window_days, rev=rev, min_group=min_group, questionnaire=questionnaire,
                              use_cache=not no_cache, rubric=rubric, on_repository=on_repository)
    finally:
        close_progress()
    files = write_report(report, output)
    if not quiet:
        h = report["headline"]
        claimed = f", claimed {h['claimed_text']}" if h["claimed_text"] else ""
        echo(f"Evidenced level {h['evidenced_text']}{claimed} (confidence {h['confidence']}).")
        for line in report["missing"]:
            echo(f"  missing: {line}")
    echo(f"Report: {files.html}")
    echo(f"Data:   {files.json}")
    echo(f"Summary: {files.markdown}")
