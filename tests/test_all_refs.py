"""--all-refs: agent loops on side branches that never reached the main line are seen, attributed
and placed; the cache never mixes one revision's history with all refs."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from assess.cli import main as cli_main
from assess.mining import build_evidence, mine_repository
from assess.mining.refs import MAX_REF_NAME_CHARS, safe_ref_name
from assess.pipeline import SourceOptions, run_assessment
from assess.synthetic import SynthCommit, write_history
from tests.gitfixture import GitRepo
from tests.levelshapes import ALICE, CLAUDE_TRAILER, base, code, day_time

LOOP_COMMITS = 80


def _overnight_loop(fork_mark: int) -> list[SynthCommit]:
    """A headless agent loop under Alice's identity on ``ralph/overnight``: trailers on every
    commit, one every 4 minutes from 22:00 through the night, never merged."""
    out = []
    start = day_time(16, 22)
    for k in range(LOOP_COMMITS):
        files = {f"src/loop_{k % 9}.py": code("loop", 4, 1000 + k)}
        if k % 2 == 0:
            files[f"tests/test_loop_{k % 9}.py"] = code("tloop", 2, 1000 + k)
        out.append(SynthCommit(ALICE, start + k * 240, f"Loop iteration {k}: implement task {k}" + CLAUDE_TRAILER,
                               files, branch="ralph/overnight", parent=fork_mark if k == 0 else None))
    return out


def _loop_repo(path):
    """Main: human only. Side branch ralph/overnight: the loop. A tag outside every branch."""
    main = base()
    fork = len(main)  # the loop starts from main's last commit (its mark)
    commits = main + _overnight_loop(fork)
    # a later human commit on main, so main's tip is not the loop's fork point
    commits.append(SynthCommit(ALICE, day_time(17, 10), "Human change after the loop\n",
                               {"src/after.py": code("after", 3, 7)}))
    write_history(path, commits)
    return path


def _git(path) -> GitRepo:
    g = GitRepo(path, init=False)
    g.git("config", "user.name", "Tag Maker")
    g.git("config", "user.email", "tags@example.com")
    return g


def _work_ai(evidence: dict) -> int:
    return evidence["attribution"]["all_time"]["ai_commits"]


def test_side_branch_loop_is_seen_only_with_all_refs(tmp_path):
    repo = _loop_repo(tmp_path / "r")
    head_only = mine_repository(repo, use_cache=False)
    every = mine_repository(repo, use_cache=False, all_refs=True)
    assert (head_only.commits["class"] == "ai").sum() == 0
    assert every.commits["sha"].is_unique
    assert len(every.commits) == len(head_only.commits) + LOOP_COMMITS
    assert (every.commits["class"] == "ai").sum() == LOOP_COMMITS
    # the main line is still the revision's: no loop commit is on it, and head is main's tip
    assert every.head == head_only.head
    assert not every.commits.loc[every.commits["side_only"], "first_parent"].any()
    assert set(every.commits.loc[every.commits["first_parent"], "sha"]) == \
        set(head_only.commits.loc[head_only.commits["first_parent"], "sha"])

    ev = build_evidence(every)
    refs = ev["mining"]["refs_mined"]
    assert ev["mining"]["all_refs"] is True
    assert refs["side_only_commits"] == LOOP_COMMITS and refs["side_only_ai_commits"] == LOOP_COMMITS
    assert refs["side_listed"] == [{"name": "refs/heads/ralph/overnight", "kind": "branch"}]
    assert "refs/heads/main" in refs["listed"]
    # the window is anchored on the newest change across every ref and holds the loop
    assert ev["attribution"]["window"]["ai_commits"] == LOOP_COMMITS
    assert "refs_mined" not in build_evidence(head_only)["mining"]


def test_placement_moves_with_all_refs(tmp_path):
    repo = _loop_repo(tmp_path / "r")
    before = run_assessment(SourceOptions(repos=(str(repo),), use_cache=False))
    after = run_assessment(SourceOptions(repos=(str(repo),), use_cache=False, all_refs=True))
    assert _work_ai(before.evidences[0]) == 0 and _work_ai(after.evidences[0]) == LOOP_COMMITS

    def dims(a):
        return {k: (v["level"], v["range"]) for k, v in a.team["dimensions"].items()}

    b, a = dims(before), dims(after)
    # HEAD only: no agent code, so authorship cannot be placed; all refs: the loop's code is placed
    assert b["authorship"][0] is None and a["authorship"][0] is not None and a["authorship"][0] >= 2
    assert a["autonomy"][1][1] >= b["autonomy"][1][1]
    lo_before, lo_after = before.team["overall"]["range"][0], after.team["overall"]["range"][0]
    assert lo_after > lo_before


def test_cache_never_mixes_the_two_modes(tmp_path):
    repo = _loop_repo(tmp_path / "r")
    first = mine_repository(repo)
    assert first.stats.cache == "miss"
    every = mine_repository(repo, all_refs=True)
    assert every.stats.cache == "miss"  # the HEAD-only entry is not reused for all refs
    assert (every.commits["class"] == "ai").sum() == LOOP_COMMITS
    again = mine_repository(repo)
    assert again.stats.cache == "hit" and (again.commits["class"] == "ai").sum() == 0
    again_all = mine_repository(repo, all_refs=True)
    assert again_all.stats.cache == "hit" and (again_all.commits["class"] == "ai").sum() == LOOP_COMMITS
    # a side branch that moves (HEAD does not) invalidates the all-refs entry only
    g = _git(repo)
    g.checkout("ralph/overnight")
    g.commit("One more iteration" + CLAUDE_TRAILER, {"src/more.py": "x = 1\n"}, author=ALICE)
    g.checkout("main")
    moved = mine_repository(repo, all_refs=True)
    assert moved.stats.cache == "rebuilt" and (moved.commits["class"] == "ai").sum() == LOOP_COMMITS + 1
    assert mine_repository(repo).stats.cache == "hit"


def test_tag_outside_every_branch(tmp_path):
    repo = _loop_repo(tmp_path / "r")
    g = _git(repo)
    tip = g.git("rev-parse", "ralph/overnight").strip()
    g.git("tag", "-a", "-m", "loop result", "loop-v1", tip)
    blob = g.git("hash-object", "-w", "--stdin", input=b"not a commit\n").strip()
    g.git("tag", "blob-tag", blob)  # a tag of a blob: listed, never walked
    g.git("branch", "-D", "ralph/overnight")  # only the tag reaches the loop now
    every = mine_repository(repo, use_cache=False, all_refs=True)
    assert (every.commits["class"] == "ai").sum() == LOOP_COMMITS
    refs = build_evidence(every)["mining"]["refs_mined"]
    assert refs["side_listed"] == [{"name": "refs/tags/loop-v1", "kind": "tag"}]
    assert refs["non_commit_refs"] == 1 and refs["side_only_commits"] == LOOP_COMMITS


def test_merged_side_branch_is_not_counted_twice(tmp_path):
    repo = _loop_repo(tmp_path / "r")
    g = _git(repo)
    g.merge("ralph/overnight", "Merge branch 'ralph/overnight'", author=ALICE)
    g.git("branch", "keep-loop", "ralph/overnight")  # two refs on the same commits
    head_only = mine_repository(repo, use_cache=False)
    every = mine_repository(repo, use_cache=False, all_refs=True)
    assert every.commits["sha"].is_unique and len(every.commits) == len(head_only.commits)
    ev = build_evidence(every)
    assert ev["mining"]["refs_mined"]["side_only_commits"] == 0
    assert ev["mining"]["refs_mined"]["side_refs"] == 0
    assert _work_ai(ev) == _work_ai(build_evidence(head_only)) == LOOP_COMMITS


def test_hostile_ref_names_are_cleaned_and_bounded(tmp_path):
    repo = _loop_repo(tmp_path / "r")
    g = _git(repo)
    long_name = "agent/<script>alert(1)</script>/" + "/".join(["x" * 60] * 4)  # each part fits a file name
    g.git("branch", "-m", "ralph/overnight", long_name)
    g.git("update-ref", "refs/heads/agent/bad" + os.fsdecode(b"\xff") + "-name", "main")  # not UTF-8
    every = mine_repository(repo, use_cache=False, all_refs=True)
    refs = build_evidence(every)["mining"]["refs_mined"]
    names = [r["name"] for r in refs["side_listed"]]
    assert len(names) == 1 and len(names[0]) == MAX_REF_NAME_CHARS and names[0].endswith("…")
    assert all(len(n) <= MAX_REF_NAME_CHARS for n in refs["listed"])
    assert "refs/heads/agent/bad\ufffd-name" in refs["listed"]
    assert safe_ref_name("a\x1b[31mb\u202ec") == "a\ufffd[31mb\ufffdc"


@pytest.mark.parametrize("command", ["repo", "report"])
def test_cli_all_refs_option(tmp_path, command):
    repo = _loop_repo(tmp_path / "r")
    out = tmp_path / "out"
    out.mkdir()
    args = [command, *(["--repo"] if command == "report" else []), str(repo), "--all-refs", "--no-cache"]
    if command == "repo":
        args += ["--json", str(out / "ev.json")]
    else:
        args += ["-o", str(out / "report.html")]
    res = CliRunner().invoke(cli_main, args)
    assert res.exit_code == 0, res.output
    if command == "report":
        model = json.loads((out / "report.json").read_text())
        assert "reachable only from side refs" in json.dumps(model)
    if command == "repo":
        ev = json.loads((out / "ev.json").read_text())
        import jsonschema

        from assess.resources import package_file

        jsonschema.validate(ev, json.loads(package_file("schemas", "evidence.schema.json").read_text()))
        assert ev["mining"]["refs_mined"]["side_only_ai_commits"] == LOOP_COMMITS
        # saved evidence mined from HEAD only cannot stand in for --all-refs
        head_json = tmp_path / "head.json"
        assert CliRunner().invoke(cli_main, ["repo", str(repo), "--no-cache", "--json", str(head_json)]).exit_code == 0
        bad = CliRunner().invoke(cli_main, ["report", "--repo", str(head_json), "--all-refs", "-o", str(tmp_path / "o2.html")])
        assert bad.exit_code != 0 and "--all-refs" in bad.output


def test_parallel_reading_of_all_refs_matches_one_process(tmp_path, monkeypatch):
    from assess.mining import history

    repo = _loop_repo(tmp_path / "r")
    one = mine_repository(repo, use_cache=False, all_refs=True, jobs=1)
    monkeypatch.setattr(history, "PARALLEL_MIN_COMMITS", 2)
    many = mine_repository(repo, use_cache=False, all_refs=True, jobs=2)
    assert list(many.commits["sha"]) == list(one.commits["sha"])
    assert many.commits["added"].sum() == one.commits["added"].sum()
