"""`assess survey ...` commands."""

from __future__ import annotations

import click


@click.group("survey")
def survey_group() -> None:
    """Team questionnaire: validate, take, form, import, score."""
