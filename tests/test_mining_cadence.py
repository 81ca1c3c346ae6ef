"""Machine cadence, agent identities, the AI-share definition, validation and review signals
(issue 11), on real git histories written with fast-import."""

from __future__ import annotations

import pandas as pd
import pytest
from levelshapes import (
    ALICE,
    CLAUDE_TRAILER,
    SynthCommit,
    base,
    code,
    day_time,
    distributed_team_round_the_clock,
    model_authored_tests_outside,
    overnight_loop_under_a_persons_name,
    pairing_team_large_line_share,
)

from assess.errors import InputError
from assess.levels import place_repository
from assess.mining import build_evidence, mine_repository
from assess.mining.cadence import INFERRED_AGENT, load_cadence_limits
from assess.mining.share import load_session_line_weight
from assess.synthetic import write_history


def mined(tmp_path, name, commits, **kw):
    path = tmp_path / name
    write_history(path, commits)
    return mine_repository(path, use_cache=False, **kw)


def test_overnight_loop_under_a_persons_name_is_unattended_agent_work(tmp_path):
    m = mined(tmp_path, "loop", overnight_loop_under_a_persons_name())
    c = m.commits
    loop = c[c["subject"].str.startswith("loop:")]
    # every loop commit is agent work, and at machine cadence it is an unattended run, not pairing
    assert (loop["class"] == "ai").all()
    assert loop["unattended"].all() and loop["delegated"].all()
    assert loop["cadence"].str.contains("long-run").all()
    assert loop["cadence"].str.contains("through-the-night").all()
    # the untrailed ones are inferred from cadence alone, with their own confidence
    untrailed = loop[~loop["body"].str.contains("Co-Authored-By", case=False)]
    assert len(untrailed) and (untrailed["agent"] == INFERRED_AGENT).all()
    assert (untrailed["channel"] == "cadence").all() and untrailed["confidence"].isin(["medium", "high"]).all()
    # the person's daytime work stays theirs
    day = c[c["subject"].str.startswith("Human change")]
    assert (day["class"] == "human").all() and day["cadence"].isna().all()
    # autonomy is fed: the run is delegated work
    ev = build_evidence(m)
    assert ev["signals"]["window"]["ai_cloud_commits"] >= 160
    assert any("machine cadence" in x for x in ev["caveats"])  # the user is told what rests on cadence


def test_loop_without_any_trailer_is_still_agent_work(tmp_path):
    m = mined(tmp_path, "bare", overnight_loop_under_a_persons_name(trailers=False))
    loop = m.commits[m.commits["subject"].str.startswith("loop:")]
    assert (loop["agent"] == INFERRED_AGENT).all()
    lv = place_repository(build_evidence(m))
    assert lv["dimensions"]["authorship"]["level"] >= 3


def test_distributed_human_team_round_the_clock_is_never_a_loop(tmp_path):
    m = mined(tmp_path, "team", distributed_team_round_the_clock())
    c = m.commits
    # the team as a whole commits in every hour of the day ...
    assert c["author_time"].dt.hour.nunique() >= 20
    # ... but each person keeps a human pace: nothing is inferred
    assert c["cadence"].isna().all()
    assert (c["class"] == "human").all()
    lv = place_repository(build_evidence(m))
    assert lv["overall"]["level"] is None or lv["overall"]["level"] <= 2


def test_model_authored_history_with_tests_kept_outside(tmp_path):
    m = mined(tmp_path, "ccc", model_authored_tests_outside())
    c = m.commits
    work = c[c["subject"].str.startswith("Implement")]
    assert (work["class"] == "ai").all()
    assert set(work["agent"]) <= {"claude-code", "model-named-author"}
    assert work["delegated"].all()  # the model committed as itself: nobody's session
    ev = build_evidence(m)
    assert ev["attribution"]["window"]["ai_share_lines"] == pytest.approx(1.0, abs=0.01)


def test_pairing_team_lines_count_as_mixed(tmp_path):
    m = mined(tmp_path, "pair", pairing_team_large_line_share())
    ev = build_evidence(m)
    w = ev["signals"]["window"]
    c = m.commits
    paired = c[c["class"] == "ai"]
    assert len(paired) == 30 and (paired["ai_line_weight"] == 0.5).all()
    # the large co-authored diffs hold most lines, but only half of them count as AI
    full_share = (paired["added"] + paired["deleted"]).sum() / (c["added"] + c["deleted"]).sum()
    assert full_share > 0.4
    assert ev["attribution"]["window"]["ai_share_lines"] == pytest.approx(full_share / 2, abs=0.03)
    assert w["ai_code_lines"] <= 0.5 * w["code_lines"] + 1
    assert c["cadence"].isna().all()  # pairing at a person's pace is not a loop


def test_session_line_weight_comes_from_the_rubric(tmp_path):
    rubric = tmp_path / "r.yaml"
    rubric.write_text("ai_share: {session_line_weight: 1.0}\n")
    assert load_session_line_weight(rubric) == 1.0
    m = mined(tmp_path, "pair1", pairing_team_large_line_share(), rubric=rubric)
    assert (m.commits.loc[m.commits["class"] == "ai", "ai_line_weight"] == 1.0).all()
    rubric.write_text("ai_share: {session_line_weight: 2}\n")
    with pytest.raises(InputError, match="session_line_weight"):
        load_session_line_weight(rubric)


def test_cadence_limits_validated(tmp_path):
    lim = load_cadence_limits()
    assert lim.run_min_hours == 10 and lim.earliest_agent_date == pd.Timestamp("2023-01-01", tz="UTC")
    bad = tmp_path / "r.yaml"
    bad.write_text("cadence: {run_min_hours: 10}\n")
    with pytest.raises(InputError, match="missing limit"):
        load_cadence_limits(bad)


def test_pre_agent_era_cadence_is_never_inferred(tmp_path):
    # the same overnight pace in 2015 was a script or a person: no agent existed
    shift = 11 * 365 * 86400
    old = [SynthCommit(c.author, c.time - shift, c.message.replace(CLAUDE_TRAILER, "\n"), c.files)
           for c in overnight_loop_under_a_persons_name(trailers=False)]
    m = mined(tmp_path, "old", old)
    assert m.commits["cadence"].isna().all() and (m.commits["class"] == "human").all()


@pytest.mark.parametrize("author, message, agent", [
    (("mayor", "ops@team.example"), "Sling work to crew\n", "gastown"),
    (("gastown/crew/max", "ops@team.example"), "fix: handoff\n", "gastown"),
    (("gastown/refinery", "ops@team.example"), "Merge queue\n", "gastown"),
    (ALICE, "fix: x\n\nExecuted-By: gastown/crew/zhora\nRole: crew\n", "gastown"),
    (("Ralph Loop", "loop@team.example"), "iteration 4\n", "ralph-loop"),
    (("Claude Opus 4.6", "opus@team.example"), "Implement x\n", "model-named-author"),
    (("Kilroy Attractor", "kilroy-attractor@noreply.anthropic.com"), "stage done\n", "attractor"),
    (("minsky-ai[bot]", "277592531+minsky-ai[bot]@users.noreply.github.com"), "task\n", "minsky"),
])
def test_orchestrator_and_loop_identities_are_agents(tmp_path, author, message, agent):
    commits = base(n_human=4) + [SynthCommit(author, day_time(10), message, {"src/x.py": code("x", 3, 1)})]
    c = mined(tmp_path, "id", commits).commits
    last = c[c["subject"] == message.split("\n")[0]].iloc[0]
    assert last["class"] == "ai" and last["agent"] == agent


@pytest.mark.parametrize("author", [("Ralph Smith", "ralph@team.example"), ("Max", "max@team.example"),
                                    ("Mayor Jones", "mj@team.example")])
def test_people_named_like_roles_stay_people(tmp_path, author):
    commits = base(n_human=4) + [SynthCommit(author, day_time(10), "work\n", {"src/x.py": code("x", 3, 1)})]
    c = mined(tmp_path, "p", commits).commits
    assert c.loc[c["subject"] == "work", "class"].iloc[0] == "human"


def test_prompt_in_message_and_review_suggestions_are_low_confidence_ai(tmp_path):
    copilot = "\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>\n"
    root = ("root", "root@ip-10-140-22-32.ec2.internal")
    commits = base(n_human=4) + [
        SynthCommit(ALICE, day_time(10), "Ask Claude to hash the client secret too.\n", {"src/a.py": code("a", 3, 1)}),
        SynthCommit(ALICE, day_time(10, 12), "Fix typo\n\nPrompt: rename the helper\n", {"src/b.py": code("b", 3, 1)}),
        SynthCommit(ALICE, day_time(10, 14), "Apply suggestion from review" + copilot, {"src/c.py": code("c", 3, 1)}),
        SynthCommit(root, day_time(10, 15), "worker change\n", {"src/d.py": code("d", 3, 1)}),
    ]
    c = mined(tmp_path, "pm", commits).commits.set_index("subject")
    assert c.loc["Ask Claude to hash the client secret too.", "agent"] == "prompt-in-message"
    assert c.loc["Fix typo", "agent"] == "prompt-in-message"
    sug = c.loc["Apply suggestion from review"]
    assert sug["agent"] == "copilot-review-suggestion" and sug["review_bot"] == "ai-review"
    assert c.loc["worker change", "agent"] == "cloud-root"
    assert (c.loc[c["class"] == "ai", "confidence"] == "low").all()
    assert c.loc["Human change 0", "class"] == "human"


def test_a_cached_history_is_reattributed_under_another_rubric(tmp_path, monkeypatch):
    """The cache holds parsed git rows only; cadence and the AI-share weights are applied after it
    is read, so changing --rubric never reuses stale attribution."""
    monkeypatch.setenv("ASSESS_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "loop"
    write_history(path, overnight_loop_under_a_persons_name())
    first = mine_repository(path)
    rubric = tmp_path / "r.yaml"
    rubric.write_text("ai_share: {session_line_weight: 1.0}\n"
                      "cadence:\n" + "".join(f"  {k}: {v}\n" for k, v in _cadence_with(run_min_hours=1000, day_min_commits=100000, interval_max_cv=0,
                                                                       sleepless_min_days=1000).items()))
    second = mine_repository(path, rubric=rubric)
    assert second.stats.cache == "hit"
    assert (first.commits["channel"] == "cadence").any() or first.commits["unattended"].any()
    assert not second.commits["unattended"].any()  # no pattern can hold under these limits: nothing is paced
    paired = second.commits["class"].eq("ai") & ~second.commits["delegated"].astype(bool)
    assert paired.any() and (second.commits.loc[paired, "ai_line_weight"] == 1.0).all()


def _cadence_with(**changes):
    from assess.resources import package_file
    from assess.yamlfile import load_yaml

    limits = dict(load_yaml(package_file("levels", "rubric.yaml")).data["cadence"])
    limits.update(changes)
    return {k: (f'"{v}"' if isinstance(v, str) else v) for k, v in limits.items()}
