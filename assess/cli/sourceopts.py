"""The source options every assessing command shares (`assess repo`, `assess report`): one
definition, so the commands cannot drift apart. They map one to one onto
:class:`assess.pipeline.SourceOptions`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from assess import defaults

_FILE = click.Path(dir_okay=False, path_type=str)

SHARED_OPTIONS = [
    click.option("--rev", default=defaults.REV, show_default=True, help="Revision whose history is mined."),
    click.option("--since", default=None, help="Keep commits authored on or after this date (YYYY-MM-DD)."),
    click.option("--until", default=None, help="Keep commits authored on or before this date (YYYY-MM-DD)."),
    click.option("--window-days", default=defaults.WINDOW_DAYS, show_default=True, type=click.IntRange(1, 3650),
                 help="Days up to each repository's newest commit that form its assessment window."),
    click.option("--signatures", type=_FILE, default=None,
                 help="YAML file extending or overriding the agent signature catalogue."),
    click.option("--survey", "survey", multiple=True, metavar="FILES|DIR",
                 help="Questionnaire responses (.json/.csv/.xlsx files or a folder), or one summary JSON from "
                      "`assess survey score --json`; their scores narrow the placement (repeatable)."),
    click.option("--questionnaire", default=None, type=_FILE,
                 help="Questionnaire YAML the responses answer (default: the bundled one)."),
    click.option("--min-group", default=defaults.MIN_GROUP, show_default=True, type=click.IntRange(1, 1000),
                 help="Questionnaire anonymity threshold: fewer respondents show aggregates only "
                      "(held for a saved summary too)."),
    click.option("--study", default=None, metavar="DIR",
                 help="A registered study folder (or analysis JSON from `assess study analyze --json`)."),
    click.option("--rubric", type=_FILE, default=None,
                 help="Rubric YAML with the level thresholds (default: the bundled one)."),
    click.option("--show-identities", is_flag=True, help="Include author and developer names (off by default)."),
    click.option("--no-cache", is_flag=True, help="Mine from scratch; neither read nor write the cache."),
]

OPTION_NAMES = ("rev", "since", "until", "window_days", "signatures", "survey", "questionnaire", "min_group",
                "study", "rubric", "show_identities", "no_cache")


def source_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add the shared source options to a click command."""
    for option in reversed(SHARED_OPTIONS):
        fn = option(fn)
    return fn


def build_options(repos: tuple[str, ...], params: dict[str, Any]) -> Any:
    """:class:`SourceOptions` from the repositories and the parsed shared options (popped from ``params``)."""
    from assess.pipeline import SourceOptions

    values = {name: params.pop(name) for name in OPTION_NAMES}
    no_cache = values.pop("no_cache")
    return SourceOptions(repos=tuple(repos), use_cache=not no_cache, **values)
