"""`assess demo`: build the bundled example and assess it."""

from __future__ import annotations

import click

from assess.terminal import echo


@click.command("demo")
@click.option("-o", "--output", "directory", default="assess-demo", show_default=True, metavar="DIR",
              help="Folder for the example inputs and the report (a new or empty folder, or an earlier demo).")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the generated example.")
@click.option("-q", "--quiet", is_flag=True, help="Print only where the report is.")
def demo_command(directory: str, seed: int, quiet: bool) -> None:
    """Build the bundled example — a generated repository with a mixed human and agent history, a
    dozen questionnaire responses and a simulated randomised study — and write the full report.
    Runs offline."""
    from assess.report.demo import build_demo

    files = build_demo(directory, seed=seed, on_step=None if quiet else lambda m: echo(f"• {m} …", err=True))
    echo(f"Report: {files.html}")
    if not quiet:
        echo(f"Data: {files.json}  Summary: {files.markdown}")
        echo(f"Inputs: {files.html.parent / 'acme'}, {files.html.parent / 'survey'}, {files.html.parent / 'sessions'}, "
                   f"{files.html.parent / 'study'}")
