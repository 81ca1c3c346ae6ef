"""The streamed git-log parser against real fixture repositories."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assess.errors import AssessError
from assess.mining import mine_repository
from assess.mining.gitrepo import open_repository
from assess.mining.history import stream_history, to_frames
from assess.mining.trailers import parse_trailers


def frames(repo_path):
    repo = open_repository(repo_path)
    parsed = stream_history(repo, ["HEAD"])
    return to_frames(parsed)


def test_commits_files_merges_renames_binary(make_repo):
    r = make_repo()
    r.commit("first\n\nbody text\n", {"a.txt": "1\n2\n3\n", "img.bin": b"\x00\x01\x02"},
             date="2024-03-01T10:00:00+02:00")
    r.branch("feature")
    r.git("mv", "a.txt", "b.txt")
    r.commit("rename", {"b.txt": "1\n2\n3\n4\n"})
    r.checkout("main")
    r.commit("main work", {"c.txt": "x\n"})
    merge = r.merge("feature", "Merge branch 'feature'")
    commits, files = frames(r.path)
    assert len(commits) == 4
    row = commits.set_index("sha").loc[merge]
    assert row["is_merge"] and len(row["parents"].split()) == 2 and row["files"] == 0
    first = commits[commits["subject"] == "first"].iloc[0]
    assert first["body"] == "\nbody text\n"
    assert first["author_tz_minutes"] == 120
    assert first["author_time"].isoformat() == "2024-03-01T08:00:00+00:00"
    assert first["binary_files"] == 1 and first["added"] == 3
    binary = files[files["path"] == "img.bin"].iloc[0]
    assert binary["binary"] and binary["added"] == 0
    renamed = files[files["path"] == "b.txt"].iloc[0]
    assert renamed["renamed_from"] == "a.txt"
    assert renamed["added"] == 1 and renamed["deleted"] == 0


def test_paths_with_spaces_newlines_and_unicode(make_repo):
    r = make_repo()
    odd = ["with space.txt", "new\nline.txt", "ünïcødé/日本.txt", "tab\there.txt", 'quote"d.txt']
    r.commit("odd paths", {p: "x\n" for p in odd})
    _, files = frames(r.path)
    assert sorted(files["path"]) == sorted(odd)


def test_non_utf8_message_and_name(make_repo):
    r = make_repo()
    r.git("config", "i18n.commitEncoding", "ISO-8859-1")
    r.write("f.txt", "x")
    r.git("add", "-A")
    env = {"GIT_AUTHOR_NAME": "Jos\xe9", "GIT_AUTHOR_EMAIL": "jose@example.com"}
    # raw Latin-1 bytes in the message, declared as ISO-8859-1
    r.git("commit", "-q", "-F", "-", input="caf\xe9 cr\xe8me\n".encode("latin-1"), env=env)
    # and one with invalid UTF-8 and no declared encoding
    r.git("config", "--unset", "i18n.commitEncoding")
    r.write("g.txt", "y")
    r.git("add", "-A")
    r.git("commit", "-q", "-F", "-", input=b"bad \xff\xfe bytes\n")
    commits, _ = frames(r.path)
    subjects = set(commits["subject"])
    assert "café crème" in subjects
    assert any(s.startswith("bad ") for s in subjects)


def test_mailmap_identities(make_repo):
    r = make_repo()
    r.commit("one", {"a": "1"}, author=("Old Name", "old@example.com"))
    r.commit("two", {"b": "1"}, author=("New Name", "new@example.com"))
    r.commit("mailmap", {".mailmap": "New Name <new@example.com> Old Name <old@example.com>\n"},
             author=("New Name", "new@example.com"))
    m = mine_repository(r.path, use_cache=False)
    assert set(m.commits["author_email"]) == {"new@example.com"}
    assert set(m.commits["author_email_raw"]) == {"old@example.com", "new@example.com"}
    assert m.commits["person"].nunique() == 1


def test_empty_repository_answers_clearly(make_repo):
    r = make_repo()
    with pytest.raises(AssessError, match="no commits yet"):
        mine_repository(r.path)


def test_unknown_revision(make_repo):
    r = make_repo()
    r.commit("x", {"a": "1"})
    with pytest.raises(AssessError, match="revision 'nope' not found"):
        mine_repository(r.path, rev="nope")


def test_not_a_repository(tmp_path):
    with pytest.raises(AssessError, match="not a git repository"):
        mine_repository(tmp_path)
    with pytest.raises(AssessError, match="no such directory"):
        mine_repository(tmp_path / "missing")


def test_shallow_bare_worktree_and_subdirectory(make_repo, tmp_path):
    r = make_repo("origin")
    for i in range(5):
        r.commit(f"c{i}", {f"dir/f{i}.txt": str(i)})
    shallow = tmp_path / "shallow"
    r.git("clone", "-q", "--depth", "2", f"file://{r.path}", str(shallow))
    m = mine_repository(shallow, use_cache=False)
    assert m.shallow and len(m.commits) == 2
    bare = tmp_path / "bare.git"
    r.git("clone", "-q", "--bare", str(r.path), str(bare))
    mb = mine_repository(bare, use_cache=False)
    assert mb.repo.bare and len(mb.commits) == 5 and not mb.shallow
    wt = tmp_path / "wt"
    r.git("worktree", "add", "-q", "-b", "side", str(wt), "HEAD~2")
    mw = mine_repository(wt, use_cache=False)
    assert len(mw.commits) == 3  # the worktree's own HEAD, not the main checkout's
    ms = mine_repository(r.path / "dir", use_cache=False)
    assert len(ms.commits) == 5


def test_window_since_until(make_repo):
    r = make_repo()
    r.commit("old", {"a": "1"}, date="2023-01-01T00:00:00+00:00")
    r.commit("mid", {"b": "1"}, date="2023-06-01T13:53:00+00:00")
    r.commit("new", {"c": "1"}, date="2024-01-01T00:00:00+00:00")
    m = mine_repository(r.path, since="2023-03-01", until="2023-12-31", use_cache=False)
    assert list(m.commits["subject"]) == ["mid"]
    assert set(m.files["path"]) == {"b"}
    # a date for --until means that whole day
    assert list(mine_repository(r.path, until="2023-06-01", use_cache=False).commits["subject"]) == ["mid", "old"]
    with pytest.raises(AssessError, match="no commits were authored between"):
        mine_repository(r.path, since="2030-01-01", use_cache=False)
    with pytest.raises(AssessError, match="--since 'yesterday-ish' is not a date"):
        mine_repository(r.path, since="yesterday-ish")


def test_trailers_follow_git_rules():
    assert parse_trailers("subject\n\nbody\n\nCo-authored-by: A <a@x>\nReviewed-by: B <b@x>\n") == [
        ("Co-authored-by", "A <a@x>"), ("Reviewed-by", "B <b@x>")]
    # the subject alone is never a trailer block
    assert parse_trailers("Fixes: the bug\n") == []
    # prose paragraph with a colon is not a trailer block
    assert parse_trailers("subj\n\nNote: this is prose\nthat continues without a key\n") == []
    # mixed block counts when a git-generated trailer is present and >= 25% are trailers
    assert parse_trailers("subj\n\nsome text\nSigned-off-by: A <a@x>\n") == [("Signed-off-by", "A <a@x>")]
    # continuation lines are unfolded
    assert parse_trailers("subj\n\nKey: first\n  second\n") == [("Key", "first second")]


def _agrees_with_git(r, message: str) -> None:
    r.commit(message, {"f.txt": message})
    ours = parse_trailers(r.git("log", "-1", "--format=%B"))
    theirs = r.git("log", "-1", "--format=%(trailers:only,unfold)").strip()
    expected = [tuple(p.strip() for p in line.split(":", 1)) for line in theirs.splitlines() if line.strip()]
    assert [(k, v) for k, v in ours] == expected


def test_trailers_agree_with_git_interpret_trailers(make_repo):
    r = make_repo()
    for msg in [
        "s\n\nbody\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n",
        "s\n\n\U0001f916 Generated with [Claude Code](https://claude.com/claude-code)\n\nCo-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>\n",
        "s\n\nbody\nSigned-off-by: A <a@x>\n",
        "s\n\nplain prose: not a trailer\nmore prose\n",
        "s\n\nA: 1\nB: 2\n   continued\n",
    ]:
        _agrees_with_git(r, msg)


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n\t"),
                min_size=1, max_size=60)
_name = st.text(alphabet=string.ascii_letters + "éøü日本 .-'", min_size=1, max_size=20).map(str.strip).filter(
    lambda s: s and s[0].isalnum() and s[-1].isalnum())
_path = st.text(alphabet=string.ascii_letters + string.digits + " _-.éü日\n", min_size=1, max_size=20).filter(
    lambda s: s not in (".", "..") and not s.startswith(".git") and s.strip() == s and "\n" not in s[:1])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subject=_text.map(lambda s: s.replace("\n", " ").strip()).filter(bool), body=_text, name=_name, path=_path)
def test_messages_names_paths_survive_the_parser(make_repo, subject, body, name, path):
    r = make_repo()
    message = f"{subject}\n\n{body.strip()}\n" if body.strip() else f"{subject}\n"
    sha = r.commit(message, {path: "content\n"}, author=(name, "p@example.com"))
    commits, files = frames(r.path)
    row = commits.iloc[0]
    assert row["sha"] == sha
    # committed with --cleanup=verbatim, so the message must come back byte for byte
    assert row["subject"] + "\n" + row["body"] == message
    assert row["author_name"] == name
    assert list(files["path"]) == [path]


def test_parallel_git_processes_give_identical_history(make_repo, monkeypatch):
    from assess.mining import history

    r = make_repo()
    for i in range(12):
        r.commit(f"c{i}\n\nbody {i}\n", {f"d/f{i % 3}.txt": f"{i}\n" * (i + 1), f"g{i}.bin": bytes([0, i])})
    r.branch("side", "HEAD~4")
    r.commit("side work", {"side.txt": "s\n"})
    r.checkout("main")
    r.merge("side", "Merge branch 'side'")
    repo = open_repository(r.path)
    single = stream_history(repo, ["HEAD"])
    monkeypatch.setattr(history, "PARALLEL_MIN_COMMITS", 2)
    for jobs in (2, 3, 5):  # blocks of unequal size; 5 jobs: blocks of one commit
        parallel = stream_history(repo, ["HEAD"], jobs=jobs)
        assert parallel.commits == single.commits
        assert parallel.files == single.files


def test_missing_blob_loses_only_that_paths_lines(make_repo):
    r = make_repo()
    r.commit("start", {"keep.txt": "a\nb\n", "big.bin.txt": "x\n" * 50})
    r.commit("more", {"keep.txt": "a\nb\nc\n", "big.bin.txt": "y\n" * 60})
    oid = r.git("rev-parse", "HEAD:big.bin.txt").strip()
    (r.path / ".git" / "objects" / oid[:2] / oid[2:]).unlink()  # like a snapshot without its large files
    m = mine_repository(r.path, use_cache=False)
    assert m.lines_available and m.missing_paths == 1
    keep = m.files[m.files["path"] == "keep.txt"]
    assert sorted(keep["added"]) == [1, 2]
    assert m.files.loc[m.files["path"] == "big.bin.txt", "added"].sum() == 0
    from assess.mining import build_evidence

    assert any("1 path(s) are missing" in c for c in build_evidence(m)["caveats"])


def test_partial_clone_is_mined_without_fetching(make_repo, tmp_path):
    src = make_repo("src")
    src.git("config", "uploadpack.allowfilter", "true")
    for i in range(4):
        src.commit(f"c{i}", {"a.txt": f"{i}\n" * (i + 1), f"f{i}.txt": "x\n"})
    clone = tmp_path / "partial"
    src.git("clone", "-q", "--filter=blob:none", f"file://{src.path}", str(clone))
    src.path.rename(tmp_path / "gone")  # any fetch from the remote would now fail
    m = mine_repository(clone, use_cache=False)
    assert len(m.commits) == 4
    # the checked-out blobs are present, so the newest change to a.txt still has its lines
    newest = m.commits.iloc[0]["sha"]
    assert m.files[(m.files["sha"] == newest) & (m.files["path"] == "f3.txt")]["added"].sum() == 1
