"""`assess org SOURCES... -o DIR`: every repository of an organisation, one Dask task each."""

from __future__ import annotations

import sys

import click


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    seconds = int(seconds)
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m" if seconds >= 3600 else f"{seconds // 60}m{seconds % 60:02d}s"


@click.command("org")
@click.argument("sources", nargs=-1, required=True)
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Folder for org.json/html/md, the per-repository Parquet files and the manifest.")
@click.option("--teams", "teams_file", type=click.Path(exists=True, dir_okay=False, path_type=str), default=None,
              help="YAML mapping of teams to repositories and people, or a CODEOWNERS-style file "
                   "(default: each repository is its own team).")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
              help="Use this running Dask cluster (its workers need assess installed and access to the "
                   "repositories, or the network for clone URLs).")
@click.option("--workers", type=click.IntRange(1, 1024), default=None,
              help="Worker processes of the local Dask cluster (default: one per core).")
@click.option("--serial", is_flag=True, help="No Dask: assess one repository after another in this process.")
@click.option("--timeout-per-repo", type=click.FloatRange(min=1, min_open=False), default=None, metavar="S",
              help="Stop a repository after S seconds (recorded as 'timeout'); default: no limit.")
@click.option("--rev", default="HEAD", show_default=True, help="Revision whose history is mined in each repository.")
@click.option("--window-days", default=90, show_default=True, type=click.IntRange(1, 3650),
              help="Days up to each repository's newest commit that form its assessment window.")
@click.option("--signatures", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="YAML file extending or overriding the agent signature catalogue.")
@click.option("--rubric", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="YAML rubric replacing the bundled level thresholds.")
@click.option("--min-group", type=click.IntRange(1, 1000), default=5, show_default=True,
              help="Anonymity floor: a team whose commits come from fewer people shows no level.")
@click.option("--clone-dir", type=click.Path(file_okay=False, path_type=str), default=None,
              help="Where clone URLs are cloned (partially, --filter=blob:none); default: the assess cache.")
@click.option("--no-team-reports", is_flag=True, help="Do not write each team's own report under DIR/teams/.")
@click.option("--no-cache", is_flag=True, help="Mine from scratch; neither read nor write the mining cache.")
@click.option("--list-from-forge", is_flag=True,
              help="Allow github:ORG / gitlab:GROUP sources to list the organisation's repositories over the "
                   "forge's REST API (the network); without it such a source is an error.")
@click.option("--api-url", default=None,
              help="API root for forge sources on GitHub Enterprise (https://HOST/api/v3) or self-managed GitLab "
                   "(https://HOST/api/v4); default api.github.com / gitlab.com.")
@click.option("--token-env", default=None, metavar="VAR",
              help="Environment variable holding the forge token (default GITHUB_TOKEN / GITLAB_TOKEN); "
                   "without one, only public repositories are listed.")
@click.option("--include-archived", is_flag=True, help="Forge sources: also assess archived repositories.")
@click.option("--include-forks", is_flag=True, help="Forge sources: also assess forks.")
@click.option("--match", "match", multiple=True, metavar="GLOB",
              help="Forge sources: only repositories whose name matches (repeatable; case-insensitive).")
@click.option("--ssh", is_flag=True, help="Forge sources: clone over ssh (your ssh keys) rather than https "
                                         "(https clones of the forge's own host use the token).")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary.")
def org_command(sources: tuple[str, ...], out_dir: str, teams_file: str | None, scheduler: str | None,
                workers: int | None, serial: bool, timeout_per_repo: float | None, rev: str, window_days: int,
                signatures: str | None, rubric: str | None, min_group: int, clone_dir: str | None,
                no_team_reports: bool, no_cache: bool, list_from_forge: bool, api_url: str | None,
                token_env: str | None, include_archived: bool, include_forks: bool, match: tuple[str, ...],
                ssh: bool, quiet: bool) -> None:
    """Assess every repository of an organisation: SOURCES are folders of clones, list files of
    paths or clone URLs (one a line), clone URLs, or forge organisations. Clone URLs are cloned over
    the network (partially, without file contents); paths are read where they are.

    \b
    Forge organisations (listed over the network only with --list-from-forge):
      github:ORG              a GitHub organisation (or user account); also https://github.com/ORG
      gitlab:GROUP[/SUB...]   a GitLab group with its subgroups; also https://gitlab.com/groups/GROUP
    Their repositories are cloned from the clone URLs the forge gives (https, or ssh with --ssh);
    archived repositories and forks are skipped unless --include-archived / --include-forks. The
    token comes from $GITHUB_TOKEN / $GITLAB_TOKEN (--token-env), never the command line.

    A re-run into the same -o folder skips repositories whose HEAD did not change and resumes an
    interrupted run."""
    from assess.errors import AssessError
    from assess.org import OrgOptions, Progress, run_org
    from assess.org.forgesource import ForgeAccess
    from assess.terminal import clean_line

    if scheduler and serial:
        raise AssessError("--scheduler and --serial exclude each other")
    if scheduler and workers:
        raise AssessError("--workers sizes the local cluster; an existing cluster (--scheduler) keeps its own workers")
    options = OrgOptions(rev=rev, window_days=window_days, signatures=signatures, rubric=rubric,
                         timeout_per_repo=timeout_per_repo, use_cache=not no_cache, clone_dir=clone_dir)

    def progress(p: Progress) -> None:
        last = p.last or {}
        # the name is a folder's or a forge's: shown, never sent to the terminal as an escape sequence
        note = ("" if last.get("status") in ("ok", "skipped-unchanged")
                else f" — {clean_line(str(last.get('name')))}: {last.get('status')}")
        click.echo(f"[{p.finished}/{p.total}] done {p.done}, unchanged {p.skipped}, failed {p.failed}, "
                   f"about {_duration(p.seconds_left())} left{note}", err=True)

    from assess.org.forgesource import parse_forge_source

    forge_only = [flag for flag, given in (("--list-from-forge", list_from_forge), ("--api-url", api_url),
                                           ("--token-env", token_env),
                                           ("--include-archived", include_archived),
                                           ("--include-forks", include_forks), ("--match", match), ("--ssh", ssh))
                  if given]
    if forge_only and not any(parse_forge_source(s) for s in sources):
        raise AssessError(f"{forge_only[0]} applies to forge organisation sources (github:ORG, gitlab:GROUP), "
                          "and none is given")

    def say(msg: str) -> None:
        click.echo(f"assess: {clean_line(msg)}", err=True)  # names and URLs come from the forge: no escapes

    forge = ForgeAccess(allowed=list_from_forge, api_url=api_url, token_env=token_env,
                        include_archived=include_archived, include_forks=include_forks, match=match, ssh=ssh,
                        say=None if quiet else say)
    org = run_org(list(sources), out_dir, teams_file=teams_file, options=options,
                  engine="serial" if serial else "dask", scheduler=scheduler, workers=workers, min_group=min_group,
                  team_reports=not no_team_reports, on_progress=None if quiet else progress, forge=forge)
    if not quiet:
        c = org["counts"]
        click.echo(f"{c['repositories']} repositories: {c['ok']} assessed, {c['skipped-unchanged']} unchanged, "
                   f"{c['failed']} failed, {c['timeout']} timed out; {len(org['teams'])} teams. "
                   f"Wrote {out_dir}/org.html, org.json, org.md", err=True)
    sys.exit(0)  # the run completed, even when some repositories failed (their rows say why)
