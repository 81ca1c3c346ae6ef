"""Intervals for the forge measures: Wilson for proportions, distribution-free (binomial order
statistic) intervals for medians. Both are exact to compute, need no random draws and hold for the
small counts a team's pull requests often give."""

from __future__ import annotations

import math
from typing import Any

Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    if n <= 0:
        return None
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # exact ends when nothing (or everything) was observed: no 5e-17 from rounding
    return (0.0 if k == 0 else max(0.0, centre - half), 1.0 if k == n else min(1.0, centre + half))


def proportion(k: int, n: int) -> dict[str, Any]:
    ci = wilson(k, n)
    return {"count": k, "of": n, "share": (k / n) if n else None, "ci95": list(ci) if ci else None}


def median_ci(values: list[float], level: float = 0.95) -> tuple[float, float] | None:
    """The order statistics (x_(j), x_(k)) that cover the median with at least ``level`` coverage;
    None below 6 values, where no such pair reaches 95%."""
    xs = sorted(values)
    n = len(xs)
    if n < 6:
        return None
    alpha = 1 - level
    # largest j with P(Bin(n, 1/2) <= j - 1) <= alpha/2; the interval is [x_(j), x_(n-j+1)] (1-based)
    if n <= 1000:
        total, cdf, j = 2 ** n, 0, 0
        while True:
            cdf += math.comb(n, j)
            if cdf / total > alpha / 2:
                break
            j += 1
    else:  # normal approximation, accurate to one rank at this size
        j = int(math.floor(n / 2 - Z95 * math.sqrt(n) / 2))
    j = max(j, 1)
    return (xs[j - 1], xs[n - j])


def median(values: list[float]) -> dict[str, Any]:
    xs = [v for v in values if v is not None and math.isfinite(v)]
    if not xs:
        return {"n": 0, "median": None, "ci95": None}
    xs.sort()
    mid = len(xs) // 2
    med = xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2
    ci = median_ci(xs)
    return {"n": len(xs), "median": med, "ci95": list(ci) if ci else None}
