"""Report data assembly: any subset of inputs, gaps, links, privacy, schema. Also the shared sample
inputs (a small real repository, a hand-written placement) that the other report tests import."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from assess.mining import build_evidence, mine_repository
from assess.report import assemble_report, build_report, report_errors, validate_report
from assess.resources import package_file

XSS_MESSAGE = 'Fix </script><script>window.__xss=1</script> <img src=x onerror="window.__xss=2">'
XSS_PATH = '<img src=x onerror="window.__xss=3">.spec.md'
CLAUDE_FOOTER = "\n\n🤖 Generated with [Claude Code](https://claude.ai/code)\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"
LEVEL_SCHEMA = json.loads(package_file("schemas", "level.schema.json").read_text(encoding="utf-8"))


def build_sample_repo(make_repo, name: str = "widgets", remote: str | None = "https://github.com/acme/widgets.git"):
    """Human work, then Claude Code work, CLAUDE.md, a spec whose *file name* is an XSS attempt."""
    repo = make_repo(name)
    if remote:
        repo.git("remote", "add", "origin", remote)
    human = ("Ada Dev", "ada@example.com")
    repo.commit("Initial code", {"src/app.py": "print('hi')\n", "tests/test_app.py": "def test(): pass\n"},
                author=human, date="2025-01-10T10:00:00+00:00")
    repo.commit("Human change", {"src/app.py": "print('hello')\n"}, author=("Bo Dev", "bo@example.com"),
                date="2025-02-03T10:00:00+00:00")
    repo.commit("Add agent instructions" + CLAUDE_FOOTER, {"CLAUDE.md": "# rules\n"}, author=human,
                date="2025-02-20T10:00:00+00:00")
    for i in range(4):
        repo.commit(f"Agent change {i}" + CLAUDE_FOOTER, {f"src/mod{i}.py": "x = 1\n" * (i + 3)}, author=human,
                    date=f"2025-03-0{i + 1}T10:00:00+00:00")
    repo.commit(XSS_MESSAGE, {XSS_PATH: "spec\n"}, author=human, date="2025-03-10T10:00:00+00:00")
    return repo


def sample_evidence(make_repo, **kwargs) -> dict:
    repo = build_sample_repo(make_repo, **kwargs)
    return build_evidence(mine_repository(repo.path, use_cache=False))


def sample_level(evidence: dict, *, xss: bool = True, survey: dict | None = None, study: dict | None = None) -> dict:
    """A hand-written placement for ``evidence`` that follows level.schema.json; its shares and gaps
    come from the placement's own functions (the report only formats them)."""
    from assess.levels import pool_signals
    from assess.levels.gaps import perception_gaps, window_shares

    window = pool_signals([evidence])["window"]
    overall = {"level": 2, "range": [2, 3], "confidence": "medium", "placeable": True,
               "summary": "A real share of multi-file AI commits with agent instructions, but humans still "
                          "author most code.",
               "failed_gate": {"level": 3, "dimension": "authorship",
                               "reason": "AI-attributed lines are 40% of changed lines in the window.",
                               "needed": "at least 50% of changed lines AI-attributed"}}
    agent = evidence["attribution"]["agents"][0]
    name = evidence["repository"]["name"]
    text = XSS_MESSAGE if xss else "Agent commits are small and reviewed."
    return {
        "rubric": {"file": "levels/rubric.yaml", "version": "1.0",
                   "gates": {"3": {"authorship": {"ai_share_lines_min": 0.5, "comment": "most code AI-attributed"}}}},
        "sources": {"git": True, "survey": False, "study": False},
        "overall": overall,
        "dimensions": {
            "authorship": {"level": 2, "range": [2, 3], "confidence": "medium", "source": "git",
                           "summary": "AI writes a real share of the code.",
                           "evidence": [
                               {"signal": "authorship.ai_share_lines", "value": 0.4, "supports": "for", "level": 2,
                                "source": "git", "text": "40% of changed lines come from AI-attributed commits.",
                                "refs": {"commits": agent["example_commits"][:2], "repositories": [name]}},
                               {"signal": "authorship.commit_message", "supports": "against", "source": "git",
                                "text": text, "refs": {"paths": [XSS_PATH], "repositories": [name]}},
                           ]},
            "specification": {"level": 1, "range": [1, 2], "confidence": "low", "source": "git",
                              "summary": "Agent instructions, no spec folder.",
                              "evidence": [{"signal": "specification.instructions", "supports": "for",
                                            "source": "git", "text": "CLAUDE.md is present.",
                                            "refs": {"paths": ["CLAUDE.md"]}}]},
        },
        "timeline": [{"month": m["month"], "level": 1 if i < 2 else 2, "range": [1, 2] if i < 2 else [2, 3],
                      "ai_share": m["ai_share_lines"],
                      **{k: m[k] for k in ("commits", "ai_commits", "lines", "ai_lines", "ai_share_commits",
                                           "ai_share_lines", "by_agent")}}
                     for i, m in enumerate(evidence["attribution"]["by_month"])],
        "contradictions": [{"dimension": "review", "text": "The questionnaire says every diff is read."}],
        "shares": window_shares([evidence], window),
        "gaps": perception_gaps(overall, window, survey, study),
        "next_steps": ["Let an agent take whole tickets end to end and review its pull requests.",
                       "Add a spec folder (specs/) and write a spec before each feature."],
    }


@pytest.fixture
def evidence(make_repo):
    return sample_evidence(make_repo)


def test_sample_level_follows_the_level_schema(evidence):
    jsonschema.validate(sample_level(evidence), LEVEL_SCHEMA)


def test_git_only_report_validates_and_states_what_is_missing(evidence):
    report = assemble_report(evidences=[evidence], team=sample_level(evidence))
    validate_report(report)
    assert report["headline"]["evidenced_level"] == 2
    assert report["headline"]["evidenced_text"] == "2 (junior developer)"
    assert report["headline"]["claimed_level"] is None
    assert report["gaps"]["level"] is None and report["gaps"]["speedup"] is None
    share = report["gaps"]["ai_share"]
    window = evidence["signals"]["window"]
    assert share["perceived"] is None and share["mined"] == round(window["ai_code_lines"] / window["code_lines"], 4)
    assert report["ai_share_window"]["ai_share_lines"] == share["mined"]  # one figure, from the placement
    assert "gaps" not in report["team_level"] and "shares" not in report["team_level"]  # one gaps block
    missing = " ".join(report["missing"])
    assert "No questionnaire" in missing and "No randomised study" in missing
    assert "No repository" not in missing
    assert report["agents"][0]["name"] == "Claude Code" and report["agents"][0]["commits"] == 5


def test_commit_and_file_links_only_for_known_forges(make_repo):
    ev = sample_evidence(make_repo)
    report = assemble_report(evidences=[ev], team=sample_level(ev))
    item = report["dimensions"][0]["for"][0]
    sha = item["commits"][0]["sha"]
    assert item["commits"][0]["url"] == f"https://github.com/acme/widgets/commit/{sha}"
    path = report["dimensions"][0]["against"][0]["paths"][0]
    assert path["url"].startswith(f"https://github.com/acme/widgets/blob/{ev['repository']['head']}/%3Cimg")
    claude = next(a for a in report["artefacts"] if a["path"] == "CLAUDE.md")
    assert claude["first_commit"]["url"].startswith("https://github.com/acme/widgets/commit/")

    local = sample_evidence(make_repo, name="local", remote=None)
    report = assemble_report(evidences=[local], team=sample_level(local))
    item = report["dimensions"][0]["for"][0]
    assert item["commits"][0]["url"] is None and item["commits"][0]["short"] == item["commits"][0]["sha"][:10]
    assert all(a["link"] is None for a in report["artefacts"])


def test_a_hostile_commit_url_template_gives_no_link(evidence):
    ev = copy.deepcopy(evidence)
    ev["repository"]["commit_url"] = "javascript:alert('{sha}')"
    report = assemble_report(evidences=[ev], team=sample_level(ev))
    assert report["dimensions"][0]["for"][0]["commits"][0]["url"] is None


def test_survey_and_study_make_all_three_gaps(evidence, tmp_path):
    """The placement computes the gaps once; the report shows that block (no second copy)."""
    from assess.speedup import simulate_study
    from assess.survey import simulate_responses

    simulate_responses(tmp_path / "survey", n=12, seed=0)
    simulate_study(tmp_path / "study")
    report = build_report([_save(evidence, tmp_path)], [tmp_path / "survey"], tmp_path / "study", bootstrap_reps=50)
    validate_report(report)
    gaps = report["gaps"]
    assert "gaps" not in report["team_level"]
    assert gaps["level"]["claimed"] == report["survey"]["claimed_level"]["median"]
    lo, hi = report["headline"]["evidenced_range"]
    c = gaps["level"]["claimed"]
    assert gaps["level"]["gap"] == pytest.approx(0 if lo <= c <= hi else (c - hi if c > hi else c - lo))
    assert gaps["ai_share"]["gap_pp"] == pytest.approx(
        (report["survey"]["perceived_ai_share"]["mean"] - gaps["ai_share"]["mined"]) * 100, abs=0.06)
    # the study's own perception gaps are taken from the analysis, not recomputed
    assert gaps["speedup"]["gap_pp"] == round(report["study"]["gaps"]["post_study_pp"], 1)
    assert gaps["speedup"]["forecast_gap_pp"] == round(report["study"]["gaps"]["forecast_pp"], 1)
    sp = gaps["speedup"]
    study = report["study"]
    assert sp["measured"] == study["estimate"]["speedup"] and sp["measured_ci95"] == study["estimate"]["ci95"]
    assert sp["forecast"] == study["forecast_speedup"]
    assert sp["perceived"] == study["perceived"]["post_study"]["speedup"]
    assert [r["source"] for r in sp["rows"]].count("survey") == 2
    assert sp["rows"][-1]["kind"] == "measured"
    # developers are pseudonymised unless identities are asked for
    assert [d["developer"] for d in study["per_developer"]][:2] == ["Developer 1", "Developer 2"]
    assert report["missing"] == []
    assert report["next_level"]["team_says"]  # 12 respondents: free text is shown


def _save(evidence: dict, tmp_path: Path) -> Path:
    path = tmp_path / "evidence.json"
    path.write_text(json.dumps(evidence), encoding="utf-8")
    return path


def test_study_only_report(tmp_path):
    from assess.speedup import simulate_study

    simulate_study(tmp_path / "study")
    report = build_report(study=tmp_path / "study", bootstrap_reps=50)
    validate_report(report)
    assert report["evidence"] == [] and report["gaps"]["ai_share"] is None and report["gaps"]["level"] is None
    assert report["gaps"]["speedup"]["measured"] is not None
    assert any("No repository" in m for m in report["missing"])
    assert report["timeline"]["months"] == [] or all(m["commits"] == 0 for m in report["timeline"]["months"])


def test_small_survey_keeps_free_text_withheld(tmp_path):
    from assess.survey import simulate_responses

    simulate_responses(tmp_path / "s", n=3, seed=1)
    report = build_report(survey=[tmp_path / "s"])
    validate_report(report)
    assert report["survey"]["anonymity"]["aggregated_only"] is True
    assert report["next_level"]["team_says"] == [] and report["next_level"]["team_says_withheld"] is True


def test_nothing_to_report_is_an_error():
    from assess.errors import AssessError

    with pytest.raises(AssessError, match="nothing to report"):
        build_report()


def test_bad_evidence_json_names_the_file(tmp_path):
    from assess.errors import InputError

    bad = tmp_path / "ev.json"
    bad.write_text('{"schema_version": "2.0"}', encoding="utf-8")
    with pytest.raises(InputError, match="ev.json: not repository evidence"):
        build_report([bad])
    # evidence of an older schema (untyped signals) is refused with what to do, not misread
    bad.write_text('{"schema_version": "1.0"}', encoding="utf-8")
    with pytest.raises(InputError, match="ev.json: field 'schema_version': evidence schema 1.0 .*mine the"):
        build_report([bad])


def test_schema_catches_a_broken_report(evidence):
    report = assemble_report(evidences=[evidence], team=sample_level(evidence))
    report["headline"]["confidence"] = "certain"
    del report["gaps"]["speedup"]
    errors = report_errors(report)
    assert any("/headline/confidence" in e for e in errors) and any("/gaps" in e for e in errors)


HOSTILE_REPO = "</script><script>window.__xss=4</script>"
HOSTILE_AGENT = "<img src=x onerror=window.__xss=5>"
HOSTILE_DEV = "</script><!--<script>window.__xss=6</script>\u2028dev"


def hostile_report(make_repo, tmp_path: Path) -> dict:
    """A report whose every user-controlled string tries to run script: commit message and path
    (as evidence text and refs), repository name, agent name, developer name (identities shown)."""
    from assess.report.inputs import load_study
    from assess.speedup import simulate_study

    ev = sample_evidence(make_repo)
    ev["repository"]["name"] = HOSTILE_REPO
    for agent in ev["attribution"]["agents"]:
        agent["name"] = HOSTILE_AGENT
    simulate_study(tmp_path / "hostile-study")
    study = load_study(tmp_path / "hostile-study", bootstrap_reps=20)
    level = sample_level(ev, study=study)
    level["dimensions"]["authorship"]["evidence"][0]["refs"]["repositories"] = [HOSTILE_REPO]
    level["dimensions"]["authorship"]["evidence"][1]["refs"]["repositories"] = [HOSTILE_REPO]
    study["per_developer"][0]["developer"] = HOSTILE_DEV
    study["study"]["name"] = HOSTILE_REPO
    report = assemble_report(evidences=[ev], team=level, study=study, show_identities=True)
    validate_report(report)
    return report
