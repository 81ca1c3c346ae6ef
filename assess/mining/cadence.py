"""Machine cadence: per identity, work at a pace no person keeps is inferred agent work.

An agent loop running under a person's git identity (a headless Claude Code loop, a Ralph loop, a
swarm pushing as ``root@<cloud host>``) leaves no trailer, but it leaves a rhythm: runs of ten hours
and more with minute-scale gaps, hundreds of commits in a day, work straight through the identity's
own night, commits at a fixed interval. Each identity is judged on its own commits only, so a
distributed team (many people at human pace across time zones) never adds up to a loop.

Collection only: this module marks commits (``cadence``, ``cadence_confidence``) and turns marked
commits into inferred agent work; the placement judges what that means. Every limit comes from the
rubric's ``cadence:`` section, with its reason there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from assess.resources import package_file
from assess.yamlfile import LocatedYaml, load_yaml

INFERRED_AGENT = "inferred-agent"  # the agent id of commits attributed from cadence alone
CHANNEL = "cadence"

_NUMERIC_KEYS = ("min_identity_commits", "run_max_gap_minutes", "run_min_hours", "run_min_commits",
                 "run_min_rate_per_hour", "day_min_commits", "night_start_hour", "night_end_hour",
                 "night_min_commits", "interval_window", "interval_max_cv", "min_code_share",
                 "min_distinct_subject_share", "high_confidence_patterns", "sleepless_min_active_hours",
                 "sleepless_min_days")


@dataclass(frozen=True)
class CadenceLimits:
    earliest_agent_date: pd.Timestamp
    min_identity_commits: int
    run_max_gap_minutes: float
    run_min_hours: float
    run_min_commits: int
    run_min_rate_per_hour: float
    day_min_commits: int
    night_start_hour: int
    night_end_hour: int
    night_min_commits: int
    interval_window: int
    interval_max_cv: float
    min_code_share: float
    min_distinct_subject_share: float
    high_confidence_patterns: int
    sleepless_min_active_hours: int
    sleepless_min_days: int


def load_cadence_limits(rubric_path: str | Path | None = None) -> CadenceLimits:
    """The ``cadence:`` section of the rubric (the user's, else the bundled one). A user rubric
    without the section uses the bundled limits; one with it must name every limit."""
    bundled_doc = load_yaml(package_file("levels", "rubric.yaml"))
    doc = load_yaml(rubric_path) if rubric_path else bundled_doc
    section = doc.data.get("cadence") if isinstance(doc.data, dict) else None
    if section is None and doc is not bundled_doc:
        doc, section = bundled_doc, bundled_doc.data.get("cadence")
    if not isinstance(section, dict):
        raise doc.error("missing section 'cadence'", "cadence", hint="start from the bundled rubric.yaml")
    return _limits(doc, section)


def _limits(doc: LocatedYaml, s: dict[str, Any]) -> CadenceLimits:
    known = {"earliest_agent_date", *_NUMERIC_KEYS}
    for key in s:
        if key not in known:
            raise doc.error(f"unknown limit '{key}'", "cadence", key, hint=f"known: {', '.join(sorted(known))}")
    for key in known:
        if key not in s:
            raise doc.error(f"missing limit '{key}'", "cadence", hint="copy it from the bundled rubric.yaml")
    for key in _NUMERIC_KEYS:
        v = s[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
            raise doc.error("must be a non-negative number", "cadence", key)
    for key in ("night_start_hour", "night_end_hour"):
        if not 0 <= s[key] <= 24:
            raise doc.error("an hour of the day, 0 to 24", "cadence", key)
    for key in ("min_code_share", "min_distinct_subject_share"):
        if s[key] > 1:
            raise doc.error("a share must be between 0 and 1", "cadence", key)
    try:
        earliest = pd.Timestamp(str(s["earliest_agent_date"]))
    except (ValueError, TypeError):
        raise doc.error("must be a date (YYYY-MM-DD)", "cadence", "earliest_agent_date") from None
    earliest = earliest.tz_localize("UTC") if earliest.tzinfo is None else earliest.tz_convert("UTC")
    ints = {"min_identity_commits", "run_min_commits", "day_min_commits", "night_start_hour", "night_end_hour",
            "night_min_commits", "interval_window", "high_confidence_patterns",
            "sleepless_min_active_hours", "sleepless_min_days"}
    return CadenceLimits(earliest_agent_date=earliest,
                         **{k: int(s[k]) if k in ints else float(s[k]) for k in _NUMERIC_KEYS})


def _stretches(times: np.ndarray, max_gap_s: float) -> list[tuple[int, int]]:
    """[start, end) index ranges of commits whose consecutive gaps are all at most ``max_gap_s``."""
    if len(times) == 0:
        return []
    gaps = np.diff(times) / np.timedelta64(1, "s")
    breaks = np.flatnonzero(gaps > max_gap_s) + 1
    bounds = [0, *breaks.tolist(), len(times)]
    return list(zip(bounds[:-1], bounds[1:]))


def identity_patterns(g: pd.DataFrame, lim: CadenceLimits) -> dict[int, set[str]]:
    """For one identity's commits (sorted by author time; columns author_time, author_tz_minutes,
    is_code, subject): the machine-cadence patterns each commit (by position) takes part in."""
    out: dict[int, set[str]] = {}
    n = len(g)
    if n < lim.min_identity_commits:
        return out
    times = g["author_time"].to_numpy()
    local_hour = (g["author_time"] + pd.to_timedelta(g["author_tz_minutes"], unit="m")).dt.hour.to_numpy()
    if lim.night_start_hour <= lim.night_end_hour:
        night = (local_hour >= lim.night_start_hour) & (local_hour < lim.night_end_hour)
    else:
        night = (local_hour >= lim.night_start_hour) | (local_hour < lim.night_end_hour)
    is_code = g["is_code"].to_numpy(dtype=bool)
    subjects = g["subject"].to_numpy()

    def looks_like_work(a: int, b: int) -> bool:
        # a data scraper or an import script also keeps a machine pace: agent work changes code and
        # says something different each time
        k = b - a
        return is_code[a:b].sum() >= lim.min_code_share * k and \
            len(set(subjects[a:b])) >= lim.min_distinct_subject_share * k

    def mark(a: int, b: int, name: str) -> None:
        for i in range(a, b):
            out.setdefault(i, set()).add(name)

    # long runs: 10+ hours with only minute-scale pauses, at a pace of several commits an hour
    for a, b in _stretches(times, lim.run_max_gap_minutes * 60):
        hours = float((times[b - 1] - times[a]) / np.timedelta64(1, "h"))
        if b - a >= lim.run_min_commits and hours >= lim.run_min_hours \
                and (b - a) / max(hours, 1e-9) >= lim.run_min_rate_per_hour and looks_like_work(a, b):
            mark(a, b, "long-run")
            # through the night: the run keeps going in the identity's own small hours
            if night[a:b].sum() >= lim.night_min_commits:
                mark(a, b, "through-the-night")
    # hundreds of commits in one day (the identity's own calendar day)
    day = pd.Series((g["author_time"] + pd.to_timedelta(g["author_tz_minutes"], unit="m")).dt.floor("D").to_numpy())
    counts = day.value_counts()
    for d in counts.index[counts.to_numpy() >= lim.day_min_commits]:
        idx = np.flatnonzero((day == d).to_numpy())
        # local days need not be contiguous in UTC order; the positions are the day's commits
        sub = g.iloc[idx]
        k = len(idx)
        if sub["is_code"].sum() >= lim.min_code_share * k and \
                sub["subject"].nunique() >= lim.min_distinct_subject_share * k:
            for i in idx:
                out.setdefault(int(i), set()).add("hundreds-a-day")
    # sleepless days: work in so many distinct hours of one local day that nobody slept, on several days
    hour_of = pd.Series(local_hour)
    active = hour_of.groupby(day).nunique()
    sleepless = active.index[active.to_numpy() >= lim.sleepless_min_active_hours]
    if len(sleepless) >= lim.sleepless_min_days:
        for d in sleepless:
            idx = np.flatnonzero((day == d).to_numpy())
            sub = g.iloc[idx]
            if sub["is_code"].sum() >= lim.min_code_share * len(idx) and \
                    sub["subject"].nunique() >= lim.min_distinct_subject_share * len(idx):
                for i in idx:
                    out.setdefault(int(i), set()).add("sleepless-days")
    # fixed-interval loop: a window of consecutive gaps that barely vary
    w = lim.interval_window
    if n > w:
        gaps = pd.Series(np.diff(times) / np.timedelta64(1, "s"))
        mean = gaps.rolling(w).mean()
        cv = (gaps.rolling(w).std() / mean).where(mean > 0)
        for end in np.flatnonzero((cv < lim.interval_max_cv).to_numpy()):
            a, b = int(end) - w + 1, int(end) + 2  # gaps a..end join commits a..end+1
            if looks_like_work(a, b):
                mark(a, b, "fixed-interval")
    return out


def detect_cadence(commits: pd.DataFrame, is_code: pd.Series, lim: CadenceLimits) -> pd.DataFrame:
    """Per commit: ``cadence`` (the patterns, joined by '+', or None) and ``cadence_confidence``.

    Judged per identity (``person``) over commits whose author is that identity: hand-written ones and
    ones a person committed with an agent's co-author trailer alike. Bot- and agent-authored commits
    (their own identity) need no inference. Commits before ``earliest_agent_date`` are never marked:
    no coding agent existed to make them.
    """
    out = pd.DataFrame({"cadence": pd.Series([None] * len(commits), index=commits.index, dtype=object),
                        "cadence_confidence": pd.Series([None] * len(commits), index=commits.index, dtype=object)})
    # an identity only weakly known as an agent (root on a cloud host) is judged by its pace too
    own_identity = commits["class"].eq("human") | (commits["class"].eq("ai") & (
        ~commits["channel"].isin(["author", "committer", "branch", "line-record"]) | commits["confidence"].eq("low")))
    eligible = own_identity & ~commits["is_merge"] & (commits["author_time"] >= lim.earliest_agent_date)
    if not eligible.any():
        return out
    frame = commits.loc[eligible, ["person", "author_time", "author_tz_minutes", "subject"]].copy()
    frame["is_code"] = is_code.reindex(frame.index).fillna(False).astype(bool)
    for _, g in frame.sort_values("author_time", kind="stable").groupby("person", sort=False):
        found = identity_patterns(g, lim)
        for pos, names in found.items():
            i = g.index[pos]
            out.at[i, "cadence"] = "+".join(sorted(names))
            out.at[i, "cadence_confidence"] = "high" if len(names) >= lim.high_confidence_patterns else "medium"
    return out


def apply_cadence(commits: pd.DataFrame, files: pd.DataFrame, lim: CadenceLimits,
                  path_rules: list | None = None) -> pd.DataFrame:
    """Add ``cadence``/``cadence_confidence``/``unattended`` and attribute machine-paced work.

    A hand-written-looking commit in a machine-cadence stretch becomes inferred agent work (class
    ``ai``, agent ``inferred-agent``, channel ``cadence``) at the cadence's confidence. An agent commit
    that a person's identity made at machine cadence is an unattended run, not pairing: it counts as
    delegated. Everything else is left as attribution found it.
    """
    from assess.mining.signals import load_path_rules, path_kinds

    df = commits.copy()
    code_shas: set[str] = set()
    if not files.empty:
        kinds = path_kinds(files["path"], path_rules or load_path_rules())
        code_shas = set(files.loc[kinds.isin(["code", "tests"]), "sha"])
    marks = detect_cadence(df, df["sha"].isin(code_shas), lim)
    df["cadence"] = marks["cadence"]
    df["cadence_confidence"] = marks["cadence_confidence"]
    paced = df["cadence"].notna()
    inferred = paced & df["class"].eq("human")
    assisted_only = paced & df["class"].eq("ai") & df["confidence"].eq("low")
    take = inferred | assisted_only
    df.loc[take, "class"] = "ai"
    df.loc[inferred, "agent"] = INFERRED_AGENT
    df.loc[take, "channel"] = CHANNEL
    df.loc[take, "confidence"] = df.loc[take, "cadence_confidence"]
    df.loc[take, "matched_by"] = "machine cadence of this identity: " + df.loc[take, "cadence"].astype(str)
    df["unattended"] = paced & df["class"].eq("ai")
    if "delegated" in df:
        df["delegated"] = df["delegated"].astype(bool) | df["unattended"]
    else:
        df["delegated"] = df["unattended"]
    return df
