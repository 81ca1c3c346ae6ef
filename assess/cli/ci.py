"""`assess ci`: the change of a pull request or push, summarised and checked against the policy."""

from __future__ import annotations

import sys

import click

from assess import defaults
from assess.cli.progress import commit_progress


@click.command("ci")
@click.argument("path", default=".", type=click.Path(path_type=str))
@click.option("--base", default=None, metavar="REF",
              help="Base of the change (default: GITHUB_BASE_REF, the push's 'before', or "
                   "CI_MERGE_REQUEST_DIFF_BASE_SHA / CI_COMMIT_BEFORE_SHA). A branch is also tried as origin/BRANCH.")
@click.option("--head", default=None, metavar="REF", help="Head of the change (default: GITHUB_SHA or CI_COMMIT_SHA, else HEAD).")
@click.option("--policy", default=None, type=click.Path(dir_okay=False, path_type=str),
              help="Policy YAML (default: .assess/policy.yaml in the repository when present).")
@click.option("--summary", "summary_out", default=None, metavar="FILE",
              help="Write the Markdown summary here (default: append to $GITHUB_STEP_SUMMARY when set, else print it).")
@click.option("--json", "json_out", default=None, metavar="FILE", help="Write the result as JSON ('-' for stdout).")
@click.option("--label", "labels", multiple=True, metavar="NAME",
              help="A label of the pull request (added to those the CI's event carries); repeatable.")
@click.option("--window-days", default=defaults.WINDOW_DAYS, show_default=True, type=click.IntRange(1, 3650),
              help="Days up to the newest commit that form the window of the repository's level.")
@click.option("--rubric", default=None, type=click.Path(dir_okay=False, path_type=str),
              help="Rubric YAML with the level thresholds (default: the bundled one).")
@click.option("--signatures", default=None, type=click.Path(dir_okay=False, path_type=str),
              help="YAML file extending the agent signature catalogue.")
@click.option("--sessions", multiple=True, metavar="PATH",
              help="Agent session logs for the sessions source (when installed); repeatable.")
@click.option("--forge", multiple=True, metavar="PATH",
              help="Forge exports for the forge source (when installed); repeatable.")
@click.option("--no-cache", is_flag=True, help="Mine from scratch; neither read nor write the cache.")
@click.option("-q", "--quiet", is_flag=True, help="No progress; print nothing but errors.")
def ci_command(path: str, base: str | None, head: str | None, policy: str | None, summary_out: str | None,
               json_out: str | None, labels: tuple[str, ...], window_days: int, rubric: str | None,
               signatures: str | None, sessions: tuple[str, ...], forge: tuple[str, ...], no_cache: bool,
               quiet: bool) -> None:
    """Assess the change BASE..HEAD of the repository at PATH in CI: its agent commits and AI share,
    the repository's level and trend, the next gate, and the policy's gates.

    \b
    Policy (.assess/policy.yaml):
      version: 1
      rules:
        - {id: max-ai-share, max_ai_share: 0.10, exempt_labels: [ai-ok]}
        - {id: agent-attribution}          # agent commits name the agent themselves
        - {id: human-review}               # needs forge data, else inconclusive
        - {id: min-level, min_level: 2}

    \b
    Exit codes: 0 every rule passed (or was exempt or inconclusive), 1 a policy rule failed,
    2 usage or input error (bad option, policy, base not found).
    """
    from assess.ci import run_ci
    from assess.ci.output import write_outputs

    with commit_progress("Mining history", quiet) as progress:
        result = run_ci(path, base=base, head=head, policy=policy, labels=labels, window_days=window_days,
                        rubric=rubric, signatures=signatures, sessions=sessions, forge=forge,
                        use_cache=not no_cache, on_progress=progress)
    written = write_outputs(result, summary=summary_out, json_out=json_out)
    if written.printed_summary is not None:
        if json_out == "-":  # stdout holds the JSON alone
            if not quiet:
                click.echo(written.printed_summary, err=True)
        else:
            click.echo(written.printed_summary)
    elif not quiet and json_out != "-":
        for where in written.paths:
            click.echo(f"Wrote {where}", err=True)
    sys.exit(result.exit_code)
