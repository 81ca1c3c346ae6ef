"""The forge summary: what `assess forge summary` writes and the report and placement read.

Team-level aggregates only. People appear as counts, or as stable pseudonyms ("reviewer 1" is the
person with the most reviews) unless ``show_identities`` is set; machine reviewers are named by
their catalogue id (they are not people).
"""

from __future__ import annotations

import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from assess.forge.classify import CLASSES, Classifier
from assess.forge.measures import PullMeasures, aggregate, class_counts, groups, measure_all
from assess.forge.store import Store
from assess.mining.catalogue import load_catalogue

SCHEMA = "assess-forge-summary/1"
NOTE = ("Observational: AI and non-AI pull requests differ in more than who wrote them (size, area, "
        "urgency); gaps describe this team's history and are not effects of AI.")


def _reviewer_table(ms: list[PullMeasures], show_identities: bool) -> list[dict[str, Any]]:
    counts = Counter(login for m in ms for login in m.reviewers)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    rows = []
    for i, (login, n) in enumerate(ranked, 1):
        ai = sum(1 for m in ms if login in m.reviewers and m.cls in ("agent", "assisted"))
        rows.append({"reviewer": login if show_identities else f"reviewer {i}", "pull_requests_reviewed": n,
                     "ai_pull_requests_reviewed": ai})
    return rows


def _refs(ms: list[PullMeasures], cap: int = 20) -> dict[str, list[str]]:
    """Example merged agent pull requests behind each review signal (numbers, never names)."""
    agent = [m for m in ms if m.cls == "agent" and m.merged and m.reviews_known]
    out = {}
    for attr in ("human_engaged", "merged_unread_by_people", "machine_merged_unreviewed", "approved_without_comment"):
        out[attr] = [m.ref for m in agent if getattr(m, attr)][:cap]
    return out


def summarise_measures(ms: list[PullMeasures], *, manifest: dict[str, Any] | None = None,
                       show_identities: bool = False) -> dict[str, Any]:
    merged = [m for m in ms if m.merged]
    first = [m.hours_to_first_human_review for m in ms if m.hours_to_first_human_review is not None]
    g = groups(ms)
    months = []
    by_month: dict[str, list[PullMeasures]] = {}
    for m in ms:
        by_month.setdefault(m.month, []).append(m)
    for month in sorted(by_month):
        in_month = by_month[month]
        mg = groups(in_month)
        row: dict[str, Any] = {"month": month, "pull_requests": len(in_month), "by_class": class_counts(in_month)}
        for name in ("ai", "non_ai", *CLASSES):
            agg = aggregate(mg[name])
            row[name] = {k: agg[k] for k in ("pull_requests", "merged", "merged_without_human_review", "self_merged",
                                             "approved_without_comment", "hours_to_first_human_review",
                                             "hours_in_review", "size_lines")}
        months.append(row)
    mf = manifest or {}
    return {
        "schema": SCHEMA,
        "forge": mf.get("forge"),
        "repository": mf.get("repo"),
        "fetched_at": mf.get("fetched_at"),
        "observational": True,
        "note": NOTE,
        "pull_requests": len(ms),
        "by_class": class_counts(ms),
        "merged": len(merged),
        "reviews_known": sum(1 for m in ms if m.reviews_known),
        "merged_without_human_review": sum(1 for m in merged if m.merged_without_human_review),
        "self_merged": sum(1 for m in merged if m.self_merged),
        "median_hours_to_first_human_review": statistics.median(first) if first else None,
        "comparison": {"ai": aggregate(g["ai"]), "non_ai": aggregate(g["non_ai"])},
        "classes": {c: aggregate(g[c]) for c in CLASSES},
        "agents": dict(sorted(Counter(m.agent for m in ms if m.cls == "agent" and m.agent).items())),
        "classified_by": dict(sorted(Counter(m.evidence.rsplit("[", 1)[-1].rstrip("]") if m.evidence
                                             else "no signal (human)" for m in ms).items())),
        "evidence_refs": _refs(ms),
        "review_bots": dict(sorted(Counter(b for m in ms for b in m.review_bots).items())),
        "people": {"authors": len({m.author for m in ms if m.author and m.cls in ("human", "assisted")}),
                   "reviewers": len({r for m in ms for r in m.reviewers})},
        "reviewers": _reviewer_table(ms, show_identities),
        "identities_shown": show_identities,
        "months": months,
    }


def load_measures(store: str | Path, *, signatures: str | Path | None = None,
                  mined: dict[str, dict[str, Any]] | None = None) -> tuple[list[PullMeasures], dict[str, Any]]:
    st = Store(store)
    manifest = st.manifest()
    records = st.records()
    cl = Classifier(load_catalogue(signatures))
    labels = cl.classify_all(records, mined)
    return measure_all(records, labels, cl), manifest


def summarise_store(store: str | Path, *, signatures: str | Path | None = None,
                    mined: dict[str, dict[str, Any]] | None = None, show_identities: bool = False) -> dict[str, Any]:
    from assess.stamp import build_stamp

    ms, manifest = load_measures(store, signatures=signatures, mined=mined)
    summary = summarise_measures(ms, manifest=manifest, show_identities=show_identities)
    summary["stamp"] = build_stamp(catalogue=[signatures] if signatures else None)
    return summary
