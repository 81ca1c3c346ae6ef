"""`assess diff OLD.json NEW.json`: what moved between two results and why."""

from __future__ import annotations

import click


@click.command("diff")
@click.argument("old", type=click.Path(dir_okay=False, path_type=str))
@click.argument("new", type=click.Path(dir_okay=False, path_type=str))
@click.option("--json", "json_out", default=None, metavar="FILE", help="Write the comparison as JSON ('-' for stdout).")
def diff_command(old: str, new: str, json_out: str | None) -> None:
    """Compare two results (`assess repo --json`, report.json, `assess ci --json`): the overall and
    per-dimension levels, ranges and confidence, the AI shares and the gaps that moved, and why —
    the evidence changed (HEADs, window, signals), the rubric changed, or the catalogue changed."""
    from assess.diff import diff_results, diff_text, read_result
    from assess.fileio import write_json

    result = diff_results(read_result(old), read_result(new))
    if json_out:
        write_json(json_out, result)
    if json_out != "-":
        click.echo(diff_text(result), nl=False)
