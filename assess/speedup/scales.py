"""The one scale every speedup figure in a study uses, and how people may write it.

A *speedup* here is the change in time with AI, as METR reports it:
``time with AI / time without AI - 1``. Negative means faster with AI (-0.20: 20% less time),
positive means slower (+0.19: 19% more time).
"""

from __future__ import annotations

import math
import re

SCALE_NOTE = ("time with AI / time without AI - 1: negative = faster with AI "
              "(-0.20 or -20% = 20% less time), positive = slower")

# Reason: a belief or estimate of more than 10,000% slower (101 times the time) is a typo or a unit
# slip; beyond it the perception gaps and per-developer means overflow (a huge factor became +inf%).
MAX_SPEEDUP = 100.0

_FACTOR = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*[x×]\s*(faster|slower)\s*$", re.IGNORECASE)


def parse_speedup(text: object) -> float | None:
    """Read a speedup as people write it: ``-0.2``, ``-20%``, ``1.5x faster``, ``2x slower``.

    Empty means "not given" (``None``). Raises ``ValueError`` with a readable message otherwise.
    """
    if text is None:
        return None
    if isinstance(text, float) and math.isnan(text):
        return None
    raw = str(text).strip()
    if not raw:
        return None
    match = _FACTOR.match(raw)
    if match:
        factor = float(match.group(1))
        if factor <= 0:
            raise ValueError(f"'{raw}': the factor must be positive")
        # "2x faster" = half the time; "2x slower" = twice the time
        value = (1.0 / factor - 1.0) if match.group(2).lower() == "faster" else (factor - 1.0)
        return _plausible(raw, value)
    percent = raw.endswith("%")
    number_text = raw[:-1].strip() if percent else raw
    try:
        value = float(number_text.replace("+", "", 1) if number_text.startswith("+") else number_text)
    except ValueError:
        raise ValueError(f"'{raw}' is not a speedup; write e.g. -0.2, -20%, '1.5x faster' or '2x slower'") \
            from None
    if not math.isfinite(value):
        raise ValueError(f"'{raw}' is not a finite number")
    if percent:
        value /= 100.0
    elif abs(value) >= 5:
        raise ValueError(f"'{raw}' looks like a percentage; write it with a % sign (e.g. {raw}%)")
    return _plausible(raw, value)


def _plausible(raw: str, value: float) -> float:
    shown = raw if len(raw) <= 40 else raw[:37] + "..."
    if not math.isfinite(value) or value > MAX_SPEEDUP:
        raise ValueError(f"'{shown}' is more than {MAX_SPEEDUP * 100:,.0f}% slower; a typo?")
    if value <= -1.0:
        raise ValueError(f"'{shown}' would mean no time at all with AI; a speedup must be above -100%")
    return value


def percent(value: float | None, digits: int = 1) -> str:
    """``0.188`` -> ``+18.8%``; ``None`` -> ``n/a``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value * 100:+.{digits}f}%"


def describe_change(value: float, digits: int = 1) -> str:
    """``0.188`` -> ``18.8% slower``; ``-0.2`` -> ``20.0% faster``; tiny -> ``no change``."""
    magnitude = abs(value) * 100
    if round(magnitude, digits) == 0:
        return "no change"
    return f"{magnitude:.{digits}f}% {'slower' if value > 0 else 'faster'}"


def describe_interval(low: float, high: float, digits: int = 0) -> str:
    """Say in words what an interval allows: 'consistent with anything from 2% to 39% slower'."""
    def mag(v: float) -> str:
        return f"{abs(v) * 100:.{digits}f}%"

    if low > 0 and high > 0:
        return f"consistent with anything from {mag(low)} to {mag(high)} slower"
    if low < 0 and high < 0:
        return f"consistent with anything from {mag(high)} to {mag(low)} faster"
    return (f"consistent with anything from {mag(low)} faster to {mag(high)} slower, "
            "so it cannot tell whether AI made the work faster or slower")
