"""Placement rules for findings of other sources (assess.levels.observed), on synthetic findings."""

from __future__ import annotations

import pytest

from assess.findings import EvidenceItem, Finding
from assess.levels.observed import combine_findings
from assess.levels.placement import GIT_BLIND_RANGE, Dim


def git_dim(name="autonomy", level=2, lo=2, hi=3, confidence="medium"):
    return Dim(name, level, lo, hi, confidence, "git", "Agents work inside people's sessions.", [])


def blind_dim(name="review"):
    return Dim(name, None, *GIT_BLIND_RANGE, "low", "git", "No traced agent work.", [])


def finding(dim="autonomy", source="sessions", level=4, lo=4, hi=5, confidence="high", events=30):
    return Finding(dim, source, level, lo, hi, confidence, "observed unattended runs", events=events,
                   evidence=(EvidenceItem(f"{source}.x", 1, "seen", refs={"sessions": ["s1"]}),))


def test_observed_sets_point_with_medium_or_high_confidence():
    d = combine_findings(git_dim(), [finding(confidence="medium")])
    assert (d.level, d.lo, d.hi) == (4, 4, 5)
    assert d.confidence == "medium" and d.source == "git+sessions"
    assert d.summary.startswith("Level 4 observed by sessions")


def test_observed_sees_what_git_cannot():
    d = combine_findings(blind_dim(), [finding("review", "forge", 3, 3, 4, "high")])
    assert (d.level, d.lo, d.hi, d.source) == (3, 3, 4, "git+forge")


def test_observation_never_lowers_below_git_lower_bound():
    d = combine_findings(git_dim(level=3, lo=3, hi=4), [finding(level=1, lo=1, hi=2)])
    assert d.level == 3 and d.lo == 3 and d.hi == 4


def test_weak_findings_widen_only():
    before = git_dim()
    d = combine_findings(before, [finding(confidence="low", level=5, lo=5, hi=5)])
    assert d.level == 2 and d.lo == 2 and d.hi == 5 and d.confidence == "medium"
    assert d.source == "git+sessions" and d.evidence  # shown, counted as a source


def test_weak_finding_below_range_changes_nothing_but_evidence():
    d = combine_findings(git_dim(level=3, lo=3, hi=4), [finding(confidence="low", level=1, lo=0, hi=1)])
    assert (d.level, d.lo, d.hi) == (3, 3, 4)


def test_unseen_stays_open():
    """A source that saw a low level does not close what git leaves open above."""
    d = combine_findings(git_dim(level=2, lo=2, hi=4), [finding(level=2, lo=2, hi=2, confidence="high")])
    assert d.hi == 4 and d.level == 2 and d.confidence == "high"


def test_strongest_finding_wins_and_all_sources_are_named():
    fs = [finding(source="sessions", level=3, lo=3, hi=4, confidence="medium", events=5),
          finding(source="forge", level=4, lo=4, hi=4, confidence="high", events=3)]
    d = combine_findings(git_dim(), fs)
    assert d.level == 4 and d.source == "git+sessions+forge"


def test_findings_for_other_dimensions_are_ignored():
    d = combine_findings(git_dim(), [finding(dim="review")])
    assert d.level == 2 and d.source == "git" and not d.evidence


def test_finding_validates_its_range():
    with pytest.raises(ValueError):
        Finding("autonomy", "sessions", 5, 1, 3, "high", "bad")


def test_place_team_with_findings_and_survey_labels_every_source(tmp_path):
    """Findings combine before the survey; survey narrows within the combined range."""
    from levelshapes import SHAPES

    from assess.levels import place_repository
    from assess.mining import build_evidence, mine_repository
    from assess.synthetic import write_history

    write_history(tmp_path / "r", SHAPES["pairing"][0]())
    ev = build_evidence(mine_repository(tmp_path / "r", use_cache=False))
    plain = place_repository(ev)["dimensions"]["review"]
    lv = place_repository(ev, findings=[finding("review", "forge", 4, 4, 5, "high")])
    review = lv["dimensions"]["review"]
    assert plain["level"] < 4 and review["level"] == 4 and review["source"] == "git+forge"
    assert lv["sources"]["forge"] is True
