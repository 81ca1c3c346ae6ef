"""Attack class: hostile repositories (forged dates, huge messages, cache staleness, the same
repository three ways)."""

from __future__ import annotations

import subprocess
import tracemalloc

import pandas as pd
import pytest

from assess.errors import AssessError
from assess.mining import build_evidence, mine_repository
from assess.report import build_report


def _raw_commit(r, *, author_time: int, committer_time: int, message: bytes, parent: str | None = None) -> str:
    """A commit object written by hand: git's own tools refuse some of these dates."""
    tree = r.git("write-tree").strip()
    body = (f"tree {tree}\n" + (f"parent {parent}\n" if parent else "")
            + f"author Eve <eve@example.com> {author_time} +0000\n"
            + f"committer Eve <eve@example.com> {committer_time} +0000\n\n").encode() + message
    sha = r.git("hash-object", "-t", "commit", "-w", "--stdin", input=body).strip()
    r.git("update-ref", "HEAD", sha)
    r.git("reset", "-q", "--hard", sha)
    return sha


def _archived(make_repo):
    r = make_repo()
    for i in range(4):
        r.commit(f"work {i}", {f"f{i}.py": "x\n"}, date=f"2020-05-0{i + 1}T10:00:00+00:00")
    return r


@pytest.mark.parametrize("when", [4_102_444_800, 253_402_300_800 + 86_400 * 400])  # 2100, year 10001
def test_commits_from_the_future_neither_crash_nor_stretch_the_window(make_repo, when):
    r = _archived(make_repo)
    _raw_commit(r, author_time=when, committer_time=when, message=b"from the future\n", parent=r.head())
    ev = build_evidence(mine_repository(r.path, use_cache=False))
    assert ev["repository"]["last"].startswith("2020-05-04")  # the archive keeps its age
    assert ev["window"]["end"].startswith("2020-05-04")
    assert pd.Timestamp(ev["window"]["end"]) - pd.Timestamp(ev["window"]["start"]) <= pd.Timedelta(days=91)
    assert any("clamped" in c for c in ev["caveats"])


def test_a_huge_commit_message_costs_bounded_time_and_memory(make_repo):
    r = _archived(make_repo)
    message = b"subject\n\n" + b"lorem ipsum " * (40 * 1024 * 1024 // 12) + b"\n\nCo-authored-by: Claude <noreply@anthropic.com>\n"
    _raw_commit(r, author_time=1_590_000_000, committer_time=1_590_000_000, message=message, parent=r.head())
    del message
    tracemalloc.start()
    try:
        m = mine_repository(r.path, use_cache=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 120 * 1024 * 1024  # well under the message's own size times the copies a naive reader makes
    body = m.commits.loc[m.commits["subject"] == "subject", "body"].iloc[0]
    assert len(body) < 300 * 1024 and "truncated by assess" in body
    assert m.commits.loc[m.commits["subject"] == "subject", "class"].iloc[0] == "ai"  # the trailer at the end survives
    assert any("were cut" in c for c in build_evidence(m)["caveats"])


def test_cache_follows_mailmap_file_and_replace_refs(make_repo, tmp_path):
    r = make_repo()
    r.commit("one", {"a": "1\n"}, author=("Old Name", "old@example.com"))
    r.commit("two", {"b": "2\n"}, author=("Old Name", "old@example.com"))
    mailmap = tmp_path / "outside.mailmap"
    mailmap.write_text("")
    r.git("config", "mailmap.file", str(mailmap))
    assert mine_repository(r.path).stats.cache == "miss"
    assert mine_repository(r.path).stats.cache == "hit"
    mailmap.write_text("New Name <new@example.com> Old Name <old@example.com>\n")
    m = mine_repository(r.path)
    assert m.stats.cache != "hit" and set(m.commits["author_email"]) == {"new@example.com"}
    assert mine_repository(r.path).stats.cache == "hit"
    # `git replace` rewrites what log shows without moving HEAD
    first = r.git("rev-list", "--max-parents=0", "HEAD").strip()
    r.git("replace", "--edit", first, env={"GIT_EDITOR": "sed -i s/^one$/replaced/"})
    m = mine_repository(r.path)
    assert m.stats.cache != "hit" and "replaced" in set(m.commits["subject"])


def test_the_same_repository_three_ways_counts_once(make_repo, tmp_path):
    r = make_repo()
    r.commit("one", {"a": "1\n"})
    r.git("branch", "other")
    worktree = tmp_path / "wt"
    r.git("worktree", "add", "-q", str(worktree), "other")
    for pair in ([r.path, r.path / ".git"], [r.path, worktree], [r.path / ".git", worktree]):
        with pytest.raises(AssessError, match="same repository"):
            build_report([str(p) for p in pair])


def test_dubious_ownership_is_named(make_repo, monkeypatch):
    r = make_repo()
    r.commit("one", {"a": "1\n"})
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")  # git's own switch for this check
    probe = subprocess.run(["git", "-C", str(r.path), "rev-parse", "HEAD"], capture_output=True, text=True)
    assert "dubious ownership" in probe.stderr  # the git in use honours the switch
    with pytest.raises(AssessError, match="safe.directory") as info:
        mine_repository(r.path, use_cache=False)
    assert "dubious ownership" in str(info.value) and "no commits" not in str(info.value)
