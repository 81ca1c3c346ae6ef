"""`assess repo PATH`: mine a repository's history into attributed evidence, and place it."""

from __future__ import annotations

from typing import Any

import click

from assess.cli.progress import commit_progress
from assess.cli.render import print_level, print_repo_summary
from assess.cli.sourceopts import build_options, source_options
from assess.fileio import atomic_open, write_json


@click.command("repo")
@click.argument("path", default=".", type=click.Path(path_type=str))
@source_options
@click.option("--json", "json_out", default=None, metavar="FILE", help="Write the evidence as JSON ('-' for stdout).")
@click.option("--commits", "commits_out", default=None, metavar="FILE.csv", help="Write one CSV row per commit.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")
def repo_command(path: str, json_out: str | None, commits_out: str | None, quiet: bool, **params: Any) -> None:
    """Mine the history of the git repository at PATH: who or what wrote each change, which
    coding agents left traces, and which agent artefacts the repository holds."""
    from assess.mining import commit_rows
    from assess.pipeline import run_assessment

    options = build_options((path,), params)
    current: list = []

    def on_repository(_: str):
        block = commit_progress("Mining history", quiet)
        current.append(block)
        return block.__enter__()

    try:
        a = run_assessment(options, on_repository=on_repository)
    finally:
        while current:
            current.pop().__exit__(None, None, None)
    evidence = a.evidences[0]
    evidence["level"] = a.team
    if commits_out:
        if a.minings[0] is None:
            raise click.UsageError("--commits needs a git repository, not saved evidence")
        rows = commit_rows(a.minings[0], show_identities=options.show_identities)
        with atomic_open(commits_out, "w", newline="") as fh:
            rows.to_csv(fh, index=False)
    if json_out:
        write_json(json_out, evidence)
    if not quiet and json_out != "-":
        print_repo_summary(evidence)
        print_level(evidence["level"])
