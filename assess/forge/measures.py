"""Review measures per pull request, then per class and per month with intervals.

Observational: pull requests differ in more than who wrote them (size, area, urgency), so a gap
between AI and non-AI pull requests is a description, not an effect. A measure a record cannot
support (no reviews in the export, unknown size) leaves that record out of that measure's
denominator; it is never counted as zero.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from assess.forge.classify import AI_CLASSES, CLASSES, Classifier, Label
from assess.forge.model import parse_time
from assess.forge.stats import median, proportion

FOLLOW_UP_DAYS = 7
_FIX_WORDS = re.compile(r"\b(fix(es|ed|up)?|fixup|follow[- ]?up|hotfix|regression|broke|broken)\b", re.IGNORECASE)


def _hours(a: Any, b: Any) -> float | None:
    if a is None or b is None:
        return None
    hours = (b - a).total_seconds() / 3600.0
    # merged before it was opened, reviewed before it existed: a wrong clock or an edited export, not a
    # time; unmeasured rather than a negative duration pulling a median down
    return hours if hours >= 0 else None


@dataclass
class PullMeasures:
    ref: str
    cls: str
    agent: str | None
    evidence: str | None
    month: str
    merged: bool
    reviews_known: bool
    size: int | None
    human_reviewed: bool | None
    human_review_comments: int | None
    changes_requested: bool | None
    approved_without_comment: bool | None
    merged_without_human_review: bool | None
    self_merged: bool | None
    machine_merged: bool | None
    auto_merge: bool
    ci_green: bool | None  # checks passed on the head commit (None: no CI status known)
    hours_to_first_human_review: float | None
    hours_to_first_human_approval: float | None
    hours_in_review: float | None
    cycle_hours: float | None
    comments_per_100_lines: float | None
    reverted_or_fixed_7d: bool | None = None
    # merged with reviews known: people commented or asked for changes (they read the diff)...
    human_engaged: bool | None = None
    # ...a person merged it with no comment and no requested change (no review, or a silent approval)...
    merged_unread_by_people: bool | None = None
    # ...or a bot / auto-merge landed it and no person reviewed it
    machine_merged_unreviewed: bool | None = None
    reviewers: list[str] = field(default_factory=list)  # logins of people who reviewed (never output as is)
    review_bots: list[str] = field(default_factory=list)  # catalogue ids of machine reviewers
    author: str | None = None  # login (never output as is)


def measure(rec: dict[str, Any], label: Label, cl: Classifier) -> PullMeasures:
    author = rec.get("author") or {}
    author_login = (author.get("login") or "").lower() or None
    created = parse_time(rec["created_at"])
    merged_at = parse_time(rec.get("merged_at"))
    merged = rec["state"] == "merged" and merged_at is not None
    known = bool(rec.get("reviews_known"))
    comments_known = known and rec.get("review_comments_known", True)

    def by_person(acc: dict[str, Any] | None) -> bool:
        return cl.is_person(acc) and (acc or {}).get("login", "").lower() != author_login

    reviews = [r for r in rec.get("reviews") or [] if r.get("state") != "PENDING"]
    human_reviews = [r for r in reviews if by_person(r.get("user"))]
    human_comments = [c for c in rec.get("review_comments") or [] if by_person(c.get("user"))]
    bots = sorted({b for b in (cl.review_bot(r.get("user")) for r in reviews) if b}
                  | {b for b in (cl.review_bot(c.get("user")) for c in rec.get("review_comments") or []) if b})
    times = [parse_time(r.get("submitted_at")) for r in human_reviews if r.get("submitted_at")]
    times += [parse_time(c.get("created_at")) for c in human_comments if c.get("created_at")]
    first = min(times) if times else None
    approvals = [parse_time(r["submitted_at"]) for r in human_reviews
                 if r.get("state") == "APPROVED" and r.get("submitted_at")]
    size = None
    if rec.get("additions") is not None and rec.get("deletions") is not None:
        size = int(rec["additions"]) + int(rec["deletions"])
    merger = rec.get("merged_by")
    commit_times = [parse_time(c.get("authored_at")) for c in rec.get("commits") or [] if c.get("authored_at")]
    n_comments = len(human_comments) if comments_known else None
    human_reviewed = bool(human_reviews or human_comments) if known else None
    changes = any(r.get("state") == "CHANGES_REQUESTED" for r in human_reviews) if known else None
    approved_silent = None
    if known:
        approved = any(r.get("state") == "APPROVED" for r in human_reviews)
        silent = all(r.get("state") == "APPROVED" and not r.get("body_chars") for r in human_reviews) and not human_comments
        approved_silent = approved and silent
    engaged = unread = machine_unreviewed = None
    if merged and known:
        engaged = bool(human_reviewed and not approved_silent)
        by_machine = (merger is not None and not cl.is_person(merger)) or bool(rec.get("auto_merge"))
        machine_unreviewed = by_machine and not human_reviewed
        unread = (not engaged) and not by_machine
    return PullMeasures(
        human_engaged=engaged, merged_unread_by_people=unread, machine_merged_unreviewed=machine_unreviewed,
        ref=f"{rec['forge']}:{rec['repo']}#{rec['number']}", cls=label.cls, agent=label.agent, evidence=label.evidence,
        month=rec["created_at"][:7], merged=merged, reviews_known=known, size=size,
        human_reviewed=human_reviewed, human_review_comments=n_comments, changes_requested=changes,
        approved_without_comment=approved_silent if merged else None,
        merged_without_human_review=(not human_reviewed) if merged and known else None,
        self_merged=(merger["login"].lower() == author_login) if merged and merger and author_login else None,
        machine_merged=(not cl.is_person(merger)) if merged and merger else None,
        auto_merge=bool(rec.get("auto_merge")),
        ci_green=(rec.get("ci_state") == "success") if rec.get("ci_state") else None,
        hours_to_first_human_review=_hours(created, first) if first else None,
        hours_to_first_human_approval=_hours(created, min(approvals)) if approvals else None,
        hours_in_review=_hours(created, merged_at) if merged else None,
        cycle_hours=_hours(min(commit_times), merged_at) if merged and commit_times else None,
        comments_per_100_lines=(100.0 * n_comments / size) if n_comments is not None and size else None,
        reviewers=sorted({r["user"]["login"].lower() for r in human_reviews if r.get("user")}
                         | {c["user"]["login"].lower() for c in human_comments if c.get("user")}),
        review_bots=bots, author=author_login,
    )


_MENTION = re.compile(r"#(\d+)\b|/(?:pull|merge_requests)/(\d+)\b")
_REVERTS = re.compile(r"\breverts?\b[^\n]*?#(\d+)\b", re.IGNORECASE)


def mark_follow_ups(records: list[dict[str, Any]], measures: list[PullMeasures]) -> None:
    """Reverted or fixed up within 7 days of merging: a later pull request opened in that window
    whose title reverts this one (``Revert "<title>"``), or that names it (#N or its URL) with a
    fix/follow-up word. Merges in the last 7 days of the data stay unknown (not yet observable)."""
    latest = max((parse_time(r.get("updated_at") or r["created_at"]) for r in records), default=None)
    window = timedelta(days=FOLLOW_UP_DAYS)
    # what each pull request says about others, read once
    later = []
    for r in records:
        title = r.get("title") or ""
        body = (title + "\n" + (r.get("body") or ""))[:20000]
        mentions = {int(a or b) for a, b in _MENTION.findall(body)}
        reverts = {int(n) for n in _REVERTS.findall(body)}
        later.append((parse_time(r["created_at"]), r["repo"], title, mentions, reverts, bool(_FIX_WORDS.search(body)), id(r)))
    later.sort(key=lambda t: t[0])
    times = [t[0] for t in later]
    for rec, m in zip(records, measures):
        merged_at = parse_time(rec.get("merged_at"))
        if not m.merged or merged_at is None or latest is None or latest - merged_at < window:
            continue
        title = (rec.get("title") or "").strip()
        n = rec["number"]
        hit = False
        for when, repo, o_title, mentions, reverts, fix_words, ident in later[bisect_left(times, merged_at):]:
            if when > merged_at + window:
                break
            if ident == id(rec) or repo != rec["repo"]:
                continue
            if (title and o_title.startswith(f'Revert "{title}"')) or n in reverts or (n in mentions and fix_words):
                hit = True
                break
        m.reverted_or_fixed_7d = hit


def measure_all(records: list[dict[str, Any]], labels: list[Label], cl: Classifier) -> list[PullMeasures]:
    out = [measure(r, lb, cl) for r, lb in zip(records, labels)]
    mark_follow_ups(records, out)
    return out


def _share(ms: list[PullMeasures], attr: str) -> dict[str, Any]:
    vals = [getattr(m, attr) for m in ms if getattr(m, attr) is not None]
    return proportion(sum(1 for v in vals if v), len(vals))


def _median(ms: list[PullMeasures], attr: str) -> dict[str, Any]:
    return median([getattr(m, attr) for m in ms if getattr(m, attr) is not None])


def aggregate(ms: list[PullMeasures]) -> dict[str, Any]:
    """Every measure over one group of pull requests, with counts and 95% intervals."""
    merged = [m for m in ms if m.merged]
    return {
        "pull_requests": len(ms),
        "merged": len(merged),
        "merged_with_reviews_known": sum(1 for m in merged if m.reviews_known),
        "merged_without_human_review": _share(merged, "merged_without_human_review"),
        "self_merged": _share(merged, "self_merged"),
        "machine_merged": _share(merged, "machine_merged"),
        "approved_without_comment": _share(merged, "approved_without_comment"),
        "human_engaged": _share(merged, "human_engaged"),
        "merged_unread_by_people": _share(merged, "merged_unread_by_people"),
        "machine_merged_unreviewed": _share(merged, "machine_merged_unreviewed"),
        "ci_green": _share(merged, "ci_green"),
        "changes_requested": _share([m for m in ms if m.reviews_known], "changes_requested"),
        "reverted_or_fixed_within_7_days": _share(merged, "reverted_or_fixed_7d"),
        "hours_to_first_human_review": _median(ms, "hours_to_first_human_review"),
        "hours_to_first_human_approval": _median(ms, "hours_to_first_human_approval"),
        "hours_in_review": _median(merged, "hours_in_review"),
        "cycle_hours": _median(merged, "cycle_hours"),
        "review_comments_per_100_lines": _median(ms, "comments_per_100_lines"),
        "size_lines": _median(ms, "size"),
    }


def groups(ms: list[PullMeasures]) -> dict[str, list[PullMeasures]]:
    out = {c: [m for m in ms if m.cls == c] for c in CLASSES}
    out["ai"] = [m for m in ms if m.cls in AI_CLASSES]
    out["non_ai"] = [m for m in ms if m.cls == "human"]
    return out


def class_counts(ms: list[PullMeasures]) -> dict[str, int]:
    c = Counter(m.cls for m in ms)
    return {k: c.get(k, 0) for k in CLASSES}
