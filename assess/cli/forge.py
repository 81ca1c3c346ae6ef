"""`assess forge ...` commands: parse arguments, call assess.forge, print.

`assess forge fetch` reaches the network (as `assess org` does for clone URLs and, with
--list-from-forge, forge organisations).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from assess.errors import AssessError
from assess.terminal import clean_line

_DEFAULT_TOKEN_ENV = {"github": "GITHUB_TOKEN", "gitlab": "GITLAB_TOKEN"}


@click.group("forge")
def forge_group() -> None:
    """Review evidence from GitHub pull requests and GitLab merge requests."""


@forge_group.command("fetch")
@click.argument("forge", type=click.Choice(["github", "gitlab"]))
@click.argument("repo")
@click.option("-o", "--output", "store", type=click.Path(path_type=Path), required=True,
              help="Store directory (created; an existing store is refreshed incrementally).")
@click.option("--api-url", default=None,
              help="API root for GitHub Enterprise (https://HOST/api/v3) or self-managed GitLab (https://HOST/api/v4).")
@click.option("--token-env", default=None, metavar="VAR",
              help="Environment variable holding the token (default GITHUB_TOKEN / GITLAB_TOKEN). "
                   "The token itself is never a command-line value.")
@click.option("--full", is_flag=True, help="Fetch every pull request again, not only those updated since the last fetch.")
@click.option("--since", default=None, metavar="YYYY-MM-DD",
              help="Only pull requests updated on or after this date (a smaller first fetch of a big repository).")
@click.option("--max-wait", type=click.FloatRange(min=0), default=900, show_default=True,
              help="Longest rate-limit wait in seconds; longer waits stop the fetch (rerun resumes it).")
def fetch_command(forge: str, repo: str, store: Path, api_url: str | None, token_env: str | None,
                  full: bool, since: str | None, max_wait: float) -> None:
    """Fetch pull requests (GitHub) or merge requests (GitLab) with their reviews, review comments
    and commits over the forge's REST API into a local store. This command uses the network."""
    from assess.forge import github, gitlab
    from assess.forge.model import valid_repo
    from assess.forge.store import Store

    if not valid_repo(repo):
        raise AssessError(f"repository '{repo}' is not OWNER/NAME (GitLab: GROUP/[SUBGROUP/]PROJECT)")
    if api_url is not None and not api_url.startswith(("https://", "http://")):
        raise AssessError(f"--api-url '{api_url}' must start with https://")
    since_iso = None
    if since is not None:
        import datetime as dt

        try:
            since_iso = dt.date.fromisoformat(since).strftime("%Y-%m-%dT00:00:00Z")
        except ValueError:
            raise AssessError(f"--since '{since}' is not a date", hint="use YYYY-MM-DD") from None
    if token_env is not None:
        from assess.forge.http import check_token_env

        check_token_env(token_env)
    env = token_env or _DEFAULT_TOKEN_ENV[forge]
    token = (os.environ.get(env) or "").strip() or None
    if token is not None and not all(33 <= ord(ch) < 127 for ch in token):
        # never echoed: a header with a control character would otherwise fail inside the HTTP
        # library with the token in its message
        raise AssessError(f"${env} holds a token with spaces or control characters", hint="set it to the token alone")
    module = github if forge == "github" else gitlab

    def say(msg: str) -> None:
        click.echo(f"assess: {clean_line(msg)}", err=True)  # URLs come from the server: no escapes

    if token is None:
        say(f"no token in ${env}: fetching unauthenticated (public repositories only, low rate limit)")
    client = module.client(token, env, max_wait=max_wait, say=say)
    try:
        with Store(store).writing(forge=forge, repo=repo) as writer:
            result = module.fetch(client, writer, repo, api=api_url or module.API, full=full, since=since_iso, progress=say)
            total = writer.finish(source=f"fetch:{forge}")
    finally:
        client.close()
    if result.get("unchanged"):
        click.echo(f"{repo}: nothing changed since the last fetch (conditional request); store {store} holds {total}")
    else:
        click.echo(f"{repo}: {result['fetched']} pull request(s) fetched in {client.requests} request(s); "
                   f"store {store} holds {total}")


@forge_group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "store", type=click.Path(path_type=Path), required=True, help="Store directory.")
@click.option("--repo", default=None, metavar="OWNER/NAME",
              help="Repository the export belongs to, when its items carry no URL.")
def import_command(files: tuple[Path, ...], store: Path, repo: str | None) -> None:
    """Import saved exports offline: `gh pr list --json …` / `gh pr view --json …`, `gh api` pull
    pages (REST arrays, --paginate or --slurp) and GitLab merge_requests API pages."""
    from assess.forge.imports import import_files

    result = import_files(list(files), store, repo=repo)
    click.echo(f"{result['forge']} {result['repo']}: {result['imported']} pull request(s) imported; "
               f"store {store} holds {result['pull_requests']}")


@forge_group.command("summary")
@click.argument("store", type=click.Path(path_type=Path))
@click.option("--json", "json_path", type=click.Path(path_type=Path), default=None,
              help="Write the summary as JSON ('-' for stdout).")
@click.option("--signatures", type=click.Path(path_type=Path), default=None,
              help="Extra signature catalogue (same format as assess/catalogue/agents.yaml).")
@click.option("--show-identities", is_flag=True, help="Name reviewers instead of pseudonyms.")
def summary_command(store: Path, json_path: Path | None, signatures: Path | None, show_identities: bool) -> None:
    """Review measures per class (agent, assisted, human, automation) and per month, AI vs non-AI."""
    from assess.cli.render import print_forge_summary
    from assess.fileio import write_json
    from assess.forge.summary import summarise_store

    summary = summarise_store(store, signatures=signatures, show_identities=show_identities)
    if json_path is not None:
        write_json(json_path, summary)
    if str(json_path) != "-":
        print_forge_summary(summary)
