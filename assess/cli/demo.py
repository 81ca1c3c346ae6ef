"""`assess demo`: build the bundled example and assess it."""

from __future__ import annotations

import click


@click.command("demo")
def demo_command() -> None:
    """Build the bundled demo repository and assess it."""
    raise click.ClickException("not built yet")
