"""The forge as an evidence source: one call from a store to its summary and review findings.

This is what `assess repo --forge` / `assess report --forge` plug in; the CLI and the pipeline
never compute forge numbers themselves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from assess.findings import Finding
from assess.forge.findings import findings
from assess.forge.summary import summarise_store


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
