"""How assess builds its pandas frames.

pandas 3 stores text columns in pyarrow arrays when pyarrow is installed. Mining builds many small
frames (a repository of an organisation has tens to thousands of commits) and indexes, filters and
compares their text columns hundreds of times per repository; for frames of that size each
operation on a pyarrow-backed column costs several times one on Python-object storage (taking rows,
boxing scalars, ``isin`` through a Python loop). The values, the ``str`` dtype and missing values
(NaN) are the same with either storage; only the speed differs. Measured: 0.24 s -> 0.15 s of CPU
per 50-commit repository; see benchmarks/org_scale.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd


@contextmanager
def python_strings() -> Iterator[None]:
    """Text columns of the frames created inside use Python-object storage (pandas' own
    ``mode.string_storage`` option, restored on exit)."""
    with pd.option_context("mode.string_storage", "python"):
        yield
