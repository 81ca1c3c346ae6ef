"""One definition of "AI share", used by every output (terminal, JSON, report, timeline).

Each commit carries ``ai_line_weight``, the part of its changed lines that counts as AI-written:

* 1 for work an agent did on its own: agent-authored or committed commits, agent branches,
  unattended runs (machine cadence), line records that prove AI lines;
* the rubric's ``ai_share.session_line_weight`` (0.5 by default) for commits a person made in
  their own session with an agent's co-author trailer or message marker: pairing, where person and
  agent both wrote, so the lines are mixed, not wholly the agent's;
* 0 for hand-written commits and for low-confidence ("assisted") markers.

AI share of lines = sum(lines x ai_line_weight) / sum(lines); AI share of commits counts commits
with a weight above 0 (strong evidence), whatever the weight.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from assess.resources import package_file
from assess.yamlfile import load_yaml

SESSION_CHANNELS = {"co-author", "message"}  # the agent worked inside a person's commit


def load_session_line_weight(rubric_path: str | Path | None = None) -> float:
    """``ai_share.session_line_weight`` from the user's rubric, else the bundled one."""
    bundled = load_yaml(package_file("levels", "rubric.yaml"))
    doc = load_yaml(rubric_path) if rubric_path else bundled
    section = doc.data.get("ai_share") if isinstance(doc.data, dict) else None
    if section is None and doc is not bundled:
        doc, section = bundled, bundled.data.get("ai_share")
    if not isinstance(section, dict) or "session_line_weight" not in section:
        raise doc.error("missing 'session_line_weight'", "ai_share", hint="start from the bundled rubric.yaml")
    for key in section:
        if key != "session_line_weight":
            raise doc.error(f"unknown setting '{key}'", "ai_share", key, hint="known: session_line_weight")
    w = section["session_line_weight"]
    if isinstance(w, bool) or not isinstance(w, (int, float)) or not 0 <= w <= 1:
        raise doc.error("must be a number between 0 and 1", "ai_share", "session_line_weight")
    return float(w)


def ai_line_weights(commits: pd.DataFrame, session_weight: float) -> pd.Series:
    """The per-commit weight described in the module docstring."""
    strong = commits["class"].eq("ai") & commits["confidence"].ne("low")
    delegated = commits["delegated"].astype(bool) if "delegated" in commits else pd.Series(False, index=commits.index)
    unattended = commits["unattended"].astype(bool) if "unattended" in commits else delegated & False
    in_session = commits["channel"].isin(SESSION_CHANNELS) & ~delegated & ~unattended
    w = pd.Series(0.0, index=commits.index)
    w[strong] = 1.0
    w[strong & in_session] = session_weight
    return w


def line_weight(commits: pd.DataFrame) -> pd.Series:
    """Each commit's ``ai_line_weight`` (set by mining); where it was not computed (frames built
    by hand), AI-attributed commits count whole. Every AI line share multiplies lines by this."""
    if "ai_line_weight" in commits:
        return commits["ai_line_weight"]
    return (commits["class"] == "ai").astype(float)
