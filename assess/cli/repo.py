"""`assess repo PATH`: mine a repository's history into attributed evidence."""

from __future__ import annotations

import click


@click.command("repo")
@click.argument("path", default=".", type=click.Path(file_okay=False, path_type=str))
def repo_command(path: str) -> None:
    """Mine the history of the git repository at PATH."""
    raise click.ClickException("not built yet")
