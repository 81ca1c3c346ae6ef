"""The forge as an evidence source of the pipeline (`assess.pipeline.SOURCES["forge"]`).

``collect(stores, options, minings=...)`` reads one or more forge stores (``--forge STORE``) into
one summary (the JSON of ``assess forge summary``), classifying pull requests with the catalogue
and, where the repository was mined in the same run, with git mining's attribution of their
commits; ``findings(summary, rubric)`` judges the review dimension. The CLI, the placement and the
report never compute forge numbers themselves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from assess.findings import Finding
from assess.forge.findings import findings
from assess.forge.summary import load_measures, summarise_measures, summarise_store


def mined_attribution(commits: pd.DataFrame | None) -> dict[str, dict[str, Any]]:
    """sha → git mining's attribution (class, channel, agent), for classifying pull requests by
    the commits the repository itself holds."""
    if commits is None or commits.empty or "sha" not in commits:
        return {}
    out = {}
    for sha, cls, channel, agent in zip(commits["sha"], commits["class"], commits["channel"], commits["agent"]):
        out[str(sha)] = {"class": cls, "channel": channel if isinstance(channel, str) else None,
                         "agent": agent if isinstance(agent, str) else None}
    return out


def forge_evidence(store: str | Path, rubric: dict[str, Any], *, commits: pd.DataFrame | None = None,
                   signatures: str | Path | None = None, show_identities: bool = False
                   ) -> tuple[dict[str, Any], list[Finding]]:
    """The store's summary (``assess forge summary``'s JSON) and its review findings."""
    summary = summarise_store(store, signatures=signatures, mined=mined_attribution(commits) or None,
                              show_identities=show_identities)
    return summary, findings(summary, rubric)


def collect(inputs: tuple[str, ...], options: Any, minings: list[Any] | None = None) -> dict[str, Any]:
    """The summary over every store in ``inputs`` (pull requests of several repositories pooled)."""
    mined: dict[str, dict[str, Any]] = {}
    for m in minings or []:
        if m is not None:
            mined.update(mined_attribution(m.commits))
    measures, manifests = [], []
    for store in inputs:
        ms, manifest = load_measures(store, signatures=getattr(options, "signatures", None), mined=mined or None)
        measures.extend(ms)
        manifests.append(manifest)
    forges = sorted({str(m.get("forge")) for m in manifests if m.get("forge")})
    repos = [str(m.get("repo")) for m in manifests if m.get("repo")]
    fetched = sorted(str(m.get("fetched_at")) for m in manifests if m.get("fetched_at"))
    pooled = {"forge": forges[0] if len(forges) == 1 else None, "repo": ", ".join(repos) or None,
              "fetched_at": fetched[-1] if fetched else None}
    summary = summarise_measures(measures, manifest=pooled, show_identities=bool(getattr(options, "show_identities", False)))
    summary["stores"] = len(inputs)
    summary["mined_commits_used"] = bool(mined)
    return summary
