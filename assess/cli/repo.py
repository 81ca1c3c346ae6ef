"""`assess repo PATH`: mine a repository's history into attributed evidence."""

from __future__ import annotations

import click

from assess.cli.progress import commit_progress
from assess.cli.render import print_level, print_repo_summary
from assess.fileio import atomic_open, write_json


@click.command("repo")
@click.argument("path", default=".", type=click.Path(path_type=str))
@click.option("--rev", default="HEAD", show_default=True, help="Revision whose history is mined.")
@click.option("--since", default=None, help="Keep commits authored on or after this date (YYYY-MM-DD).")
@click.option("--until", default=None, help="Keep commits authored on or before this date (YYYY-MM-DD).")
@click.option("--window-days", default=90, show_default=True, type=click.IntRange(1, 3650),
              help="Days up to the newest commit that form the assessment window.")
@click.option("--signatures", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="YAML file extending or overriding the agent signature catalogue.")
@click.option("--json", "json_out", default=None, metavar="FILE", help="Write the evidence as JSON ('-' for stdout).")
@click.option("--commits", "commits_out", default=None, metavar="FILE.csv", help="Write one CSV row per commit.")
@click.option("--show-identities", is_flag=True, help="Include author names and e-mails (off by default).")
@click.option("--survey", "survey_paths", multiple=True, type=click.Path(exists=True, path_type=str),
              help="Survey response files or folders; their scores narrow the placement (repeatable).")
@click.option("--rubric", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="YAML rubric replacing the bundled level thresholds.")
@click.option("--no-cache", is_flag=True, help="Mine from scratch; neither read nor write the cache.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")
def repo_command(path: str, rev: str, since: str | None, until: str | None, window_days: int,
                 signatures: str | None, json_out: str | None, commits_out: str | None,
                 show_identities: bool, survey_paths: tuple[str, ...], rubric: str | None, no_cache: bool,
                 quiet: bool) -> None:
    """Mine the history of the git repository at PATH: who or what wrote each change, which
    coding agents left traces, and which agent artefacts the repository holds."""
    from assess.levels import load_rubric, place_repository
    from assess.mining import build_evidence, commit_rows, mine_repository

    if rubric:
        load_rubric(rubric)  # a malformed rubric fails before the slow mining
    survey = _score_survey(survey_paths) if survey_paths else None

    with commit_progress("Mining history", quiet) as progress:
        mining = mine_repository(path, rev=rev, since=since, until=until, use_cache=not no_cache,
                                 signatures=signatures, rubric=rubric, on_progress=progress)
    evidence = build_evidence(mining, window_days=window_days, show_identities=show_identities)
    evidence["level"] = place_repository(evidence, survey=survey, rubric_path=rubric)
    if commits_out:
        rows = commit_rows(mining, show_identities=show_identities)
        with atomic_open(commits_out, "w", newline="") as fh:
            rows.to_csv(fh, index=False)
    if json_out:
        write_json(json_out, evidence)
    if not quiet and json_out != "-":
        print_repo_summary(evidence)
        print_level(evidence["level"])


def _score_survey(paths: tuple[str, ...]) -> dict:
    from pathlib import Path

    from assess.survey import load_questionnaire, load_responses, score_survey

    questionnaire = load_questionnaire()
    responses = load_responses([Path(p) for p in paths], questionnaire)
    return score_survey(questionnaire, responses)
