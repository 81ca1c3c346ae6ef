"""`assess study ...` commands."""

from __future__ import annotations

import click


@click.group("study")
def study_group() -> None:
    """METR-style randomised speedup study: init, register, record, plan, analyze."""
