"""Classification, review measures, summary and the review findings of `assess forge`."""

from __future__ import annotations

import json

import jsonschema
import pytest
from click.testing import CliRunner

from assess.cli import main
from assess.forge.classify import Classifier
from assess.forge.findings import findings
from assess.forge.measures import measure_all
from assess.forge.stats import median, proportion
from assess.forge.summary import summarise_store
from assess.forge.synthetic import generate, write_store
from assess.levels.placement import load_rubric
from assess.mining.catalogue import load_catalogue
from assess.resources import package_file

SCHEMA = json.loads(package_file("schemas", "forge-summary.schema.json").read_text())
CL = Classifier(load_catalogue())


def person(login: str) -> dict:
    return {"login": login, "id": None, "bot": False}


def bot(login: str) -> dict:
    return {"login": login, "id": None, "bot": True}


def rec(number: int, author: dict, *, head: str = "feature", created: str = "2026-01-05T10:00:00Z",
        merged: str | None = "2026-01-05T14:00:00Z", merged_by: dict | None = None, reviews=(), comments=(),
        commits=(), body: str = "", title: str | None = None, size: int = 100, known: bool = True, auto: bool = False) -> dict:
    return {"forge": "github", "repo": "acme/w", "number": number, "title": title or f"Change {number}", "body": body,
            "state": "merged" if merged else "open", "draft": False, "author": author, "merged_by": merged_by,
            "head_ref": head, "base_ref": "main", "created_at": created, "updated_at": merged or created,
            "closed_at": merged, "merged_at": merged, "additions": size, "deletions": 0, "changed_files": 1,
            "labels": [], "ci_state": None, "auto_merge": auto, "reviews_known": known, "reviews": list(reviews),
            "review_comments": list(comments), "commits_known": bool(commits), "commits": list(commits), "source": "test"}


def review(user: dict, state: str, at: str, body_chars: int = 0) -> dict:
    return {"user": user, "state": state, "submitted_at": at, "body_chars": body_chars}


def commit(email: str, message: str = "work", at: str = "2026-01-05T08:00:00Z", parents: int = 1) -> dict:
    return {"sha": f"{abs(hash((email, message, at))):040x}"[:40], "author_email": email, "author_name": "x",
            "committer_email": email, "committer_name": "x", "authored_at": at, "committed_at": at,
            "message": message, "parents": parents}


def labels(records, mined=None):
    return [(lb.cls, lb.agent) for lb in CL.classify_all(records, mined)]


def test_classes_come_from_the_catalogue():
    records = [
        rec(1, bot("Copilot")),  # REST login of the Copilot coding agent
        rec(2, bot("copilot-swe-agent")),  # gh's app/copilot-swe-agent
        rec(3, bot("devin-ai-integration")),
        rec(4, person("ana"), head="claude/fix-login-bug"),
        rec(5, person("ana"), commits=[commit("198982749+Copilot@users.noreply.github.com")]),
        rec(6, person("ana"), commits=[commit("ana@example.com", "Fix\n\nCo-Authored-By: Claude <noreply@anthropic.com>")]),
        rec(7, person("ana"), body="Does things.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)"),
        rec(8, bot("dependabot")),
        rec(9, bot("renovate")),
        rec(10, bot("some-internal-app")),
        rec(11, person("claude")),  # a person called Claude: not an agent
        rec(12, person("ana"), head="copilot-docs"),
        rec(13, person("ana"), commits=[commit("ana@example.com", "plain")]),
    ]
    got = labels(records)
    assert got[:4] == [("agent", "copilot-agent"), ("agent", "copilot-agent"), ("agent", "devin"), ("agent", "claude-code")]
    assert got[4] == ("agent", "copilot-agent")
    assert got[5] == ("assisted", "claude-code") and got[6] == ("assisted", "claude-code")
    assert [g[0] for g in got[7:10]] == ["automation"] * 3
    assert [g[0] for g in got[10:]] == ["human"] * 3


def test_mined_attribution_is_used_when_a_repository_was_mined():
    c = commit("ana@example.com", "plain")
    records = [rec(1, person("ana"), commits=[c])]
    assert labels(records) == [("human", None)]
    mined = {c["sha"]: {"class": "ai", "channel": "author", "agent": "codex"}}
    assert labels(records, mined) == [("agent", "codex")]


def test_ai_review_bots_are_reviewers_never_people():
    for login in ("coderabbitai", "gemini-code-assist", "copilot-pull-request-reviewer", "sourcery-ai"):
        assert not CL.is_person(person(login)) and CL.machine_kind(person(login)) == "review"
    assert not CL.is_person(bot("cursor")) and CL.machine_kind(bot("cursor")) == "review"  # Bugbot
    assert CL.is_person(person("cursor"))  # a person called cursor is a person
    r = rec(1, bot("Copilot"), merged_by=person("ana"),
            reviews=[review(person("coderabbitai"), "APPROVED", "2026-01-05T10:05:00Z"),
                     review(bot("copilot-pull-request-reviewer"), "COMMENTED", "2026-01-05T10:06:00Z", 50)],
            comments=[{"user": bot("gemini-code-assist"), "created_at": "2026-01-05T10:07:00Z"}])
    m = measure_all([r], CL.classify_all([r]), CL)[0]
    assert m.merged_without_human_review is True and m.human_reviewed is False
    assert m.hours_to_first_human_review is None
    assert m.review_bots == ["ai-review"]


def test_review_measures_on_hand_built_pull_requests():
    ana, ben = person("ana"), person("ben")
    records = [
        # reviewed with comments, merged by the reviewer
        rec(1, ana, merged_by=ben, size=200, reviews=[review(ben, "COMMENTED", "2026-01-05T12:00:00Z", 30),
                                                      review(ben, "APPROVED", "2026-01-05T13:00:00Z")],
            comments=[{"user": ben, "created_at": "2026-01-05T12:00:00Z"}] * 4,
            commits=[commit("ana@example.com", at="2026-01-04T10:00:00Z")]),
        # silent approval after 30 minutes, self-merged
        rec(2, ana, merged_by=ana, reviews=[review(ben, "APPROVED", "2026-01-05T10:30:00Z")]),
        # self-merged with only the author's own comment: no human review
        rec(3, ana, merged_by=ana, reviews=[review(ana, "COMMENTED", "2026-01-05T11:00:00Z", 10)]),
        # reviews unknown (an export without them): left out of review denominators
        rec(4, ana, merged_by=ana, known=False),
        # open pull request
        rec(5, ana, merged=None),
        # reverts #2 four days after it merged
        rec(6, ben, created="2026-01-09T10:00:00Z", merged="2026-01-09T11:00:00Z", merged_by=ben,
            title='Revert "Change 2"'),
        # later activity, so follow-ups of early merges are observable
        rec(7, ben, created="2026-02-01T10:00:00Z", merged="2026-02-01T11:00:00Z", merged_by=ana),
    ]
    ms = measure_all(records, CL.classify_all(records), CL)
    by = {int(m.ref.rsplit("#", 1)[1]): m for m in ms}
    assert by[1].hours_to_first_human_review == pytest.approx(2.0)
    assert by[1].comments_per_100_lines == pytest.approx(2.0)
    assert by[1].cycle_hours == pytest.approx(28.0) and by[1].hours_in_review == pytest.approx(4.0)
    assert by[1].approved_without_comment is False and by[1].human_engaged is True
    assert by[2].approved_without_comment is True and by[2].self_merged is True
    assert by[2].hours_to_first_human_approval == pytest.approx(0.5)
    assert by[3].merged_without_human_review is True and by[3].self_merged is True
    assert by[4].merged_without_human_review is None and by[4].self_merged is True
    assert by[2].reverted_or_fixed_7d is True and by[1].reverted_or_fixed_7d is False
    assert by[7].reverted_or_fixed_7d is None  # merged in the data's last 7 days: not yet observable


def test_intervals():
    p = proportion(0, 10)
    assert p["share"] == 0 and p["ci95"][0] == 0.0 and 0.25 < p["ci95"][1] < 0.3
    assert proportion(3, 3)["ci95"][1] == 1.0 and proportion(0, 3)["ci95"][0] == 0.0
    assert proportion(0, 0)["ci95"] is None
    m = median([5, 1, 3, 2, 4, 6, 7, 8, 9, 10])
    assert m["median"] == 5.5 and m["ci95"] == [2, 9]
    assert median([1, 2, 3])["ci95"] is None


@pytest.mark.parametrize(("shape", "level"), [("reads-every-diff", 3), ("checks-outcomes", 4), ("machine-merges", 5)])
def test_findings_place_the_review_dimension(tmp_path, shape, level):
    store = write_store(tmp_path / "s", generate(shape, n=160, seed=3))
    summary = summarise_store(store)
    jsonschema.validate(summary, SCHEMA)
    found = findings(summary, load_rubric())
    assert len(found) == 1
    f = found[0]
    assert (f.dimension, f.source, f.level) == ("review", "forge", level)
    assert f.confidence in ("medium", "high") and f.events >= 10
    assert any(e.refs.get("pull_requests") for e in f.evidence)


def test_thin_evidence_is_low_confidence_with_a_wider_range(tmp_path):
    store = write_store(tmp_path / "s", generate("checks-outcomes", n=12, seed=1))
    summary = summarise_store(store)
    f = findings(summary, load_rubric())[0]
    assert f.confidence == "low" and f.hi - f.lo >= 2 and "thin evidence" in f.summary


def test_no_agent_pull_requests_no_finding(tmp_path):
    records = [r for r in generate("reads-every-diff", n=60, seed=2) if r["author"]["login"] != "Copilot"]
    summary = summarise_store(write_store(tmp_path / "s", records))
    assert summary["by_class"]["agent"] == 0
    assert findings(summary, load_rubric()) == []


def test_summary_json_fields_privacy_and_schema(tmp_path):
    store = write_store(tmp_path / "s", generate("checks-outcomes", n=80, seed=5))
    out = tmp_path / "summary.json"
    res = CliRunner().invoke(main, ["forge", "summary", str(store), "--json", str(out)])
    assert res.exit_code == 0, res.output
    assert "AI vs non-AI" in res.stdout and "observational" in res.stdout.lower()
    s = json.loads(out.read_text())
    jsonschema.validate(s, SCHEMA)
    assert s["pull_requests"] == 80 and sum(s["by_class"].values()) == 80
    merged = [m for m in s["classes"].values()]
    assert s["merged_without_human_review"] == sum(g["merged_without_human_review"]["count"] for g in merged)
    assert s["self_merged"] == 0
    assert s["median_hours_to_first_human_review"] > 0
    assert s["months"] and all(sum(r["by_class"].values()) == r["pull_requests"] for r in s["months"])
    text = out.read_text()
    for login in ("ana", "ben", "chloe", "\"dev\"", "eli"):
        assert login not in text
    assert s["reviewers"][0]["reviewer"] == "reviewer 1"
    res = CliRunner().invoke(main, ["forge", "summary", str(store), "--json", str(out), "--show-identities"])
    assert res.exit_code == 0
    assert json.loads(out.read_text())["reviewers"][0]["reviewer"] in ("ana", "ben", "chloe", "dev", "eli")


def test_summary_of_a_missing_or_corrupt_store_is_one_line(tmp_path):
    res = CliRunner().invoke(main, ["forge", "summary", str(tmp_path / "nope")])
    assert res.exit_code == 2 and "not a forge store" in res.stderr
    store = write_store(tmp_path / "s", generate("checks-outcomes", n=5))
    with open(store / "pulls.jsonl", "a") as fh:
        fh.write('{"forge": "github"}\n')
    res = CliRunner().invoke(main, ["forge", "summary", str(store)])
    assert res.exit_code == 2 and "pulls.jsonl:6" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_user_rubric_without_a_forge_section_still_loads(tmp_path):
    import yaml
    data = yaml.safe_load(package_file("levels", "rubric.yaml").read_text())
    del data["forge"]
    p = tmp_path / "r.yaml"
    p.write_text(yaml.safe_dump(data))
    assert load_rubric(p)["forge"]["min_agent_pull_requests"] == 10
    data["forge"] = {"min_agent_pull_requests": 5, "typo_key": 1}
    p.write_text(yaml.safe_dump(data))
    with pytest.raises(Exception, match="typo_key"):
        load_rubric(p)


def test_forge_evidence_uses_mined_commits(tmp_path):
    import pandas as pd

    from assess.forge.source import forge_evidence

    c = commit("ana@example.com", "plain")
    store = write_store(tmp_path / "s", [rec(1, person("ana"), commits=[c], merged_by=person("ben"))])
    summary, found = forge_evidence(store, load_rubric())
    assert summary["by_class"]["human"] == 1 and found == []
    mined = pd.DataFrame([{"sha": c["sha"], "class": "ai", "channel": "author", "agent": "codex"}])
    summary, found = forge_evidence(store, load_rubric(), commits=mined)
    assert summary["by_class"]["agent"] == 1
    assert found and found[0].confidence == "low"  # one merged agent pull request: thin evidence


@pytest.mark.parametrize("damage", [
    lambda r: r.update(reviews=["x"]),
    lambda r: r.update(author="alice"),
    lambda r: r["reviews"].append({"state": "APPROVED", "user": {"login": "a"}, "submitted_at": "soon"}),
    lambda r: r.update(additions="12"),
    lambda r: r.update(state="weird"),
])
def test_a_hand_edited_store_is_a_one_line_error(tmp_path, damage):
    store = write_store(tmp_path / "s", generate("checks-outcomes", n=3))
    lines = (store / "pulls.jsonl").read_text().splitlines()
    rec2 = json.loads(lines[1])
    damage(rec2)
    lines[1] = json.dumps(rec2)
    (store / "pulls.jsonl").write_text("\n".join(lines) + "\n")
    res = CliRunner().invoke(main, ["forge", "summary", str(store)])
    assert res.exit_code == 2 and "pulls.jsonl:2" in res.stderr and "internal error" not in res.stderr


def test_a_fifo_planted_in_a_store_is_refused_not_read(tmp_path):
    import os

    store = write_store(tmp_path / "s", generate("checks-outcomes", n=3))
    (store / "pulls.jsonl").unlink()
    os.mkfifo(store / "pulls.jsonl")
    res = CliRunner().invoke(main, ["forge", "summary", str(store)])
    assert res.exit_code == 2 and "not a regular file" in res.stderr
