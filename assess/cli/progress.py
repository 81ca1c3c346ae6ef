"""Progress on stderr for long runs: only on a terminal and never with --quiet."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def commit_progress(label: str, quiet: bool) -> Iterator[Callable[[int], None] | None]:
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from assess.terminal import safe_console

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed:,} commits"),
                  TimeElapsedColumn(), console=safe_console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=None)
        yield lambda n: progress.update(task, completed=n)
