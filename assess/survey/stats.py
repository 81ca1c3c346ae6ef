"""Small statistics for survey scoring (no numpy needed for a few dozen respondents)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

ALPHA_LOW = 0.7
ALPHA_MIN_RESPONDENTS = 3


def mean(values: Sequence[float]) -> float | None:
    return float(statistics.fmean(values)) if values else None


def median(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def sd(values: Sequence[float]) -> float | None:
    return float(statistics.stdev(values)) if len(values) >= 2 else None


def rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


def cronbach_alpha(rows: Sequence[Sequence[float]]) -> tuple[float | None, str | None]:
    """Cronbach's alpha of complete cases ``rows`` (respondents x items).

    Returns (alpha, None) or (None, why it cannot be computed).
    alpha = k/(k-1) * (1 - sum(item variances) / variance(total score)), sample variances."""
    if not rows:
        return None, "no respondent answered every item of the dimension"
    k = len(rows[0])
    if k < 2:
        return None, "a single item has no internal consistency"
    if len(rows) < ALPHA_MIN_RESPONDENTS:
        return None, (f"only {len(rows)} respondent(s) answered every item; at least "
                      f"{ALPHA_MIN_RESPONDENTS} are needed")
    columns = list(zip(*rows, strict=True))
    item_var = sum(statistics.variance(c) for c in columns)
    total_var = statistics.variance([sum(r) for r in rows])
    if total_var <= 0 or math.isclose(total_var, 0.0, abs_tol=1e-12):
        return None, "every respondent has the same total score (no variance)"
    return k / (k - 1) * (1 - item_var / total_var), None
