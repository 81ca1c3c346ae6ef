"""Joining sessions to commits (Entire checkpoints, printed SHAs, base commit, cwd/branch/time), export
bundles with their privacy, combining bundles under the anonymity floor, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sessionfixtures import Claude, claude_project, codex_home, jl

from assess.cli import main
from assess.errors import InputError
from assess.sessions.collect import collect
from assess.sessions.export import combine_bundles, describe_bundle, make_bundle
from assess.sessions.join import join
from assess.sessions.summary import all_metrics
from assess.sessions.synthetic import write_claude_logs


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASSESS_PSEUDONYM_KEY", "test-key-0123456789abcdef")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    monkeypatch.delenv("CODEX_HOME", raising=False)


def _entire_repo(make_repo):
    """A repository whose commits carry Entire-Checkpoint trailers, with the checkpoint branch."""
    repo = make_repo("shop")
    repo.commit("initial", {"README.md": "x\n"}, date="2026-02-03T03:00:00+00:00")
    c = Claude("sess-cp", cwd="/Users/someone/shop", branch="main")
    transcript = "\n".join(json.dumps(e) for e in [
        c.prompt(0), c.assistant(1, "m1", "r1"), c.result(2, "[main abc1234] nope"), c.assistant(3, "m2", "r2")]) + "\n"
    main = repo.head()
    repo.git("checkout", "-q", "--orphan", "entire/checkpoints/v1")
    repo.git("rm", "-rq", "--cached", ".")
    repo.commit("checkpoint", {
        "ab/cdef012345/metadata.json": json.dumps({"checkpoint_id": "abcdef012345", "session_id": "sess-cp"}),
        "ab/cdef012345/0/metadata.json": json.dumps({"session_id": "sess-cp", "agent": "Gemini CLI"}),
        "ab/cdef012345/0/full.jsonl": transcript,
        # a later checkpoint of the same session repeats the whole transcript (de-duplicated by uuid)
        "ab/cdef012345/1/full.jsonl": transcript,
    }, date="2026-02-03T03:30:00+00:00")
    repo.git("checkout", "-q", "-f", "main")
    assert repo.head() == main
    repo.commit("feat: limiter\n\nEntire-Checkpoint: abcdef012345", {"src/limit.py": "x = 1\n"},
                date="2026-02-03T03:05:00+00:00")
    repo.commit("docs: unrelated, much later", {"docs/a.md": "y\n"}, date="2026-02-05T12:00:00+00:00")
    return repo


def test_entire_checkpoints_join_by_trailer(make_repo) -> None:
    repo = _entire_repo(make_repo)
    coll = collect([repo.path])
    assert set(coll.sessions) == {"sess-cp"}
    assert coll.entry_duplicates == 4          # the second checkpoint's copy
    m = all_metrics(coll)
    assert m[0].human_prompts == 1 and m[0].tokens.input == 16
    j = join(m, repo.path, coll.checkpoints)
    methods = {link["method"] for link in j["links"]}
    assert "checkpoint_trailer" in methods
    assert j["code_commits"] == 3 and j["commits_by_method"]["checkpoint_trailer"] == 1
    assert j["sessions"] == 1 and j["session_share_with_commit"] == 1.0
    assert j["commit_share_with_session"] == pytest.approx(2 / 3, abs=1e-3)   # the late docs commit is not joined
    assert j["unmatched_printed_shas"] == 1                                 # abc1234 is not in this history


def test_printed_sha_and_base_commit_joins(make_repo, tmp_path: Path) -> None:
    repo = make_repo("acme")
    base = repo.commit("base", {"a.py": "1\n"}, date="2026-05-13T08:00:00+00:00")
    fixed = repo.commit("fix flaky test", {"a.py": "2\n"}, date="2026-05-13T09:00:30+00:00")
    follow = repo.commit("follow-up", {"a.py": "3\n"}, date="2026-05-13T09:02:30+00:00")
    home = codex_home(tmp_path / "codex")
    rollout = next(home.rglob("rollout-2026-05-13T09-*.jsonl"))
    text = rollout.read_text().replace("9a2a505d", base).replace("7c0ffee", fixed[:7])
    rollout.write_text(text)
    coll = collect([home])
    j = join(all_metrics(coll), repo.path, coll.checkpoints)
    by = {(x["commit"], x["method"]) for x in j["links"]}
    assert (fixed, "printed_sha") in by and (follow, "base_commit") in by


def test_cwd_and_branch_time_window(make_repo, tmp_path: Path) -> None:
    repo = make_repo("web")
    repo.commit("before", {"a": "0"}, date="2026-02-03T01:00:00+00:00")
    inside = repo.commit("inside", {"a": "1"}, date="2026-02-03T03:20:00+00:00")
    repo.commit("after window", {"a": "2"}, date="2026-02-03T05:00:00+00:00")
    c = Claude("local", cwd=str(repo.path.resolve()), branch="main")
    jl(tmp_path / "logs" / "local.jsonl", [c.prompt(0), c.assistant(10, "m", "r")])
    other = Claude("elsewhere", cwd="/home/dev/other")
    jl(tmp_path / "logs" / "elsewhere.jsonl", [other.prompt(0), other.assistant(10, "m2", "r2")])
    coll = collect([tmp_path / "logs"])
    j = join(all_metrics(coll), repo.path, coll.checkpoints)
    assert [(x["commit"], x["session_id"], x["method"]) for x in j["links"]] == [(inside, "local", "cwd_branch_time")]
    assert j["sessions"] == 1 and j["code_commits"] == 3


def test_bundle_holds_no_text_paths_or_names(tmp_path: Path) -> None:
    claude_project(tmp_path)
    ms = all_metrics(collect([tmp_path]), show_identities=True)
    bundle = make_bundle(ms, "p-0123456789ab")
    text = json.dumps(bundle)
    for secret in ("rate limiting", "now add tests", "/home/dev", "acme", "feat/login", "sess-main"):
        assert secret not in text
    assert bundle["days"][0]["tokens"]["cache_read"] > 0
    assert any("no file paths" in line for line in describe_bundle(bundle))
    named = make_bundle(ms, "p-0123456789ab", include_repositories=True)
    assert named["days"][0]["repositories"] == ["acme"]


def test_export_prints_then_writes_and_refuses_without_confirmation(tmp_path: Path) -> None:
    claude_project(tmp_path / "logs")
    out = tmp_path / "bundle.json"
    runner = CliRunner()
    refused = runner.invoke(main, ["sessions", "export", str(tmp_path / "logs"), "-o", str(out)])
    assert refused.exit_code == 2 and "pass --yes" in refused.output and not out.exists()
    assert "This bundle holds" in refused.output          # shown before anything is written
    done = runner.invoke(main, ["sessions", "export", str(tmp_path / "logs"), "-o", str(out), "--yes"])
    assert done.exit_code == 0, done.output
    assert done.output.index("This bundle holds") < done.output.index("Wrote")
    assert json.loads(out.read_text())["schema"] == "assess-sessions-bundle/1"


def _bundles(tmp_path: Path, n: int, group: str = "team") -> list[Path]:
    write_claude_logs(tmp_path / "logs", engineers=n, days=5)
    paths = []
    for e in range(n):
        ms = all_metrics(collect([tmp_path / "logs" / f"engineer-{e + 1}"]), show_identities=True)
        p = tmp_path / "bundles" / f"{group}-{e}.json"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(make_bundle(ms, f"p-{group}{e:010d}", group=group)))
        paths.append(p)
    return paths


def test_combine_applies_the_anonymity_floor(tmp_path: Path) -> None:
    small = _bundles(tmp_path / "a", 3, "small")
    big = _bundles(tmp_path / "b", 5, "big")
    team = combine_bundles(small + big, floor=5)
    assert [g["name"] for g in team["groups"]] == ["big"]          # the 3-person group is not shown alone
    assert "group small" in team["hidden_below_floor"]
    assert team["engineers"] == 8
    small_sessions = sum(d["sessions"] for p in small for d in json.loads(p.read_text())["days"])
    assert team["totals"]["sessions"] == team["groups"][0]["sessions"] + small_sessions   # still in the totals
    only_small = combine_bundles(small, floor=5)
    assert only_small["groups"] == [] and only_small["engineers"] is None and "note" in only_small
    assert only_small["totals"] is None        # a few people's totals are their own figures


def test_combine_rejects_a_malformed_bundle(tmp_path: Path) -> None:
    bad = tmp_path / "b.json"
    bad.write_text(json.dumps({"schema": "assess-sessions-bundle/1", "person": "p", "days": [{"day": "2026-01-01",
                                                                                             "tokens": {}, "sessions": -1}]}))
    with pytest.raises(InputError, match=r"b.json: field 'days.0.sessions'"):
        combine_bundles([bad])


def test_summary_cli_default_locations_and_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    claude_project(tmp_path / "cfg")
    codex_home(tmp_path / "codexhome")
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "codexhome"))
    out = tmp_path / "s.json"
    r = CliRunner().invoke(main, ["sessions", "summary", "--json", str(out), "--since", "2026-01-01"])
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text())
    assert doc["totals"]["sources"] == {"claude-code": 2, "codex": 3}
    r2 = CliRunner().invoke(main, ["sessions", "summary", "--until", "2026-03-01", "--json", "-"])
    assert json.loads(r2.output)["totals"]["sources"] == {"claude-code": 2}
    bad = CliRunner().invoke(main, ["sessions", "summary", "--since", "yesterday"])
    assert bad.exit_code == 2 and "not a date" in bad.output
    missing = CliRunner().invoke(main, ["sessions", "summary", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "no such file or folder" in missing.output and "Traceback" not in missing.output


def test_transcripts_deleted_or_on_other_branches_are_read(make_repo) -> None:
    from sessionfixtures import AIDER_CHAT, AIDER_INPUT, SPECSTORY_V1

    repo = make_repo("hist")
    repo.commit("add transcript", {".specstory/history/2025-04-27_19-26-fix-the-session-flow.md": SPECSTORY_V1,
                                   "src/a.py": "1\n"}, date="2025-04-27T19:40:00+00:00")
    repo.commit("drop transcripts", delete=[".specstory/history/2025-04-27_19-26-fix-the-session-flow.md"],
                date="2025-05-01T10:00:00+00:00")
    repo.branch("side")
    repo.checkout("side")
    repo.commit("aider run", {".aider.chat.history.md": AIDER_CHAT, ".aider.input.history": AIDER_INPUT},
                date="2026-05-02T15:00:00+00:00")
    repo.checkout("main")
    coll = collect([repo.path])
    sources = sorted(s.source for s in coll.sessions.values())
    assert sources == ["aider", "aider", "specstory"]
    aider_first = min((s for s in coll.sessions.values() if s.source == "aider"), key=lambda s: s.start)
    assert aider_first.counts["human_prompt"] == 2 and len(aider_first.touch_times) == 3  # input history read too
    j = join(all_metrics(coll), repo.path, coll.checkpoints)
    assert {x["method"] for x in j["links"]} == {"cwd_time"}   # the untimed SpecStory session: -1 h..+6 h
