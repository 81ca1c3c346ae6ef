"""Timestamps: everything becomes epoch seconds in UTC. Names and headers written in local time
without a zone (Aider, SpecStory v0/v1 titles) are interpreted in a zone the caller gives
(default: this machine's), and the result says so."""

from __future__ import annotations

import re
from datetime import datetime, timezone, tzinfo

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$")


def parse_iso(text: object, local: tzinfo | None = None) -> float | None:
    """ISO-8601 text (with `Z`, an offset, or none) -> epoch seconds; None if not a timestamp.

    Without a zone the time is taken as `local` (the machine's zone when None)."""
    if not isinstance(text, str) or len(text) > 64:
        return None
    if text.endswith("Z") and len(text) >= 20 and text[10] == "T":
        # the common case (Claude, Codex, Gemini): fast C parser
        try:
            return datetime.fromisoformat(text[:-1]).replace(tzinfo=timezone.utc).timestamp()
        except ValueError:
            pass
    m = _ISO.match(text.strip())
    if not m:
        return None
    y, mo, d, h, mi, s, frac, zone = m.groups()
    try:
        micro = int((frac or "0")[:6].ljust(6, "0"))
        dt = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), micro)
    except ValueError:
        return None
    if zone == "Z":
        dt = dt.replace(tzinfo=timezone.utc)
    elif zone:
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        from datetime import timedelta
        dt = dt.replace(tzinfo=timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))))
    elif local is not None:
        dt = dt.replace(tzinfo=local)
    else:
        dt = dt.astimezone()  # naive: this machine's zone
    return dt.timestamp()


def parse_epoch(value: object) -> float | None:
    """Epoch seconds or milliseconds -> seconds."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value / 1000.0 if value > 1e11 else float(value)


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, timezone.utc).isoformat().replace("+00:00", "Z")


def utc_day(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).date().isoformat()


def iso_week(ts: float) -> str:
    y, w, _ = datetime.fromtimestamp(ts, timezone.utc).isocalendar()
    return f"{y}-W{w:02d}"
