"""Hostile input: corrupt and truncated lines, binary junk, very long lines, unreadable files, symlink
loops; and fuzzing of every reader (only skipped lines may come out, never an exception)."""

from __future__ import annotations

import io
import os
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sessionfixtures import Claude, jl

from assess.errors import InputError
from assess.sessions import aider, claude, claude_markdown, codex, gemini, specstory
from assess.sessions.collect import collect
from assess.sessions.context import ReadContext
from assess.sessions.lines import iter_lines, walk_files


def _project(tmp_path: Path) -> Path:
    c = Claude("s1")
    return jl(tmp_path / "projects" / "p" / "s1.jsonl", [c.prompt(0), c.assistant(1, "m1", "r1")])


def test_corrupt_and_truncated_lines_are_skipped_with_file_and_line(tmp_path: Path) -> None:
    path = _project(tmp_path)
    with open(path, "ab") as fh:
        fh.write(b'{"this is": not json}\n')
        fh.write(b"\xff\xfe\x00garbage\n")
        fh.write(b'{"sessionId":"s1","type":"user","message":{"role":"user","content":"tru')  # cut mid-write
    coll = collect([tmp_path])
    assert coll.sessions["s1"].counts["human_prompt"] == 1
    skipped = [(s.file, s.line, s.reason) for s in coll.skipped]
    assert skipped == [(str(path), 3, "not valid JSON"), (str(path), 4, "not valid JSON"),
                       (str(path), 5, "truncated line")]


def test_binary_junk_file_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "junk.jsonl").write_bytes(os.urandom(50_000).replace(b"{", b"x"))
    (tmp_path / "junk.md").write_bytes(b"\x00\x01" * 1000)
    _project(tmp_path)
    coll = collect([tmp_path])
    assert set(coll.sessions) == {"s1"}


def test_a_detected_file_with_junk_after_valid_lines(tmp_path: Path) -> None:
    path = _project(tmp_path)
    with open(path, "ab") as fh:
        fh.write(os.urandom(20_000).replace(b"\n", b" ") + b"\n")
    coll = collect([tmp_path])
    assert coll.skipped_count == 1 and coll.skipped[0].line == 3


class _LongLine(io.RawIOBase):
    """A stream holding one very long line, generated lazily (never materialised)."""

    def __init__(self, size: int, tail: bytes = b"") -> None:
        self.left = size
        self.tail = tail

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:  # type: ignore[override]
        if self.left > 0:
            n = min(len(buf), self.left)
            buf[:n] = b"a" * n
            self.left -= n
            return n
        if self.tail:
            n = min(len(buf), len(self.tail))
            buf[:n] = self.tail[:n]
            self.tail = self.tail[n:]
            return n
        return 0


def test_very_long_line_is_skipped_in_bounded_memory() -> None:
    size = 40 * 1024 * 1024   # 40 MB in one line, against a 64 KB cap
    stream = io.BufferedReader(_LongLine(size, b'\n{"sessionId":"s","type":"user","uuid":"u"}\n'), 64 * 1024)
    ctx = ReadContext(max_line_bytes=64 * 1024)
    tracemalloc.start()
    events = list(claude.read(stream, "big.jsonl", ctx))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, f"peak {peak} bytes: the long line was held in memory"
    assert [(s.line, s.reason) for s in ctx.skipped] == [(1, "line longer than 65536 bytes")]
    assert events == []  # the next (user, empty content) line is read and is not a prompt


def test_iter_lines_numbers_lines_after_a_long_one() -> None:
    stream = io.BufferedReader(_LongLine(300_000, b"\nsecond\nthird"), 8192)
    lines = list(iter_lines(stream, 1000))
    assert [(x.number, x.data, x.complete) for x in lines] == [(1, None, True), (2, b"second\n", True),
                                                                (3, b"third", False)]


def test_symlink_loop_and_dangling_links_do_not_hang(tmp_path: Path) -> None:
    _project(tmp_path)
    os.symlink(tmp_path, tmp_path / "projects" / "loop")
    os.symlink(tmp_path / "projects" / "p", tmp_path / "projects" / "p" / "again")
    os.symlink(tmp_path / "nowhere", tmp_path / "projects" / "dangling.jsonl")
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    os.symlink(b, a)
    os.symlink(a, b)
    files = list(walk_files(tmp_path))
    assert files == [tmp_path / "projects" / "p" / "s1.jsonl"]
    assert set(collect([tmp_path]).sessions) == {"s1"}


def test_depth_cap(tmp_path: Path) -> None:
    deep = tmp_path
    for i in range(20):
        deep = deep / f"d{i}"
    c = Claude("deep")
    jl(deep / "deep.jsonl", [c.prompt(0)])
    assert list(walk_files(tmp_path, max_depth=5)) == []
    assert len(list(walk_files(tmp_path, max_depth=30))) == 1


def test_unreadable_file_is_reported_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _project(tmp_path)
    c = Claude("s2")
    jl(tmp_path / "projects" / "p" / "s2.jsonl", [c.prompt(0)])
    import builtins

    real_open = builtins.open

    def fake_open(file, mode="r", *a, **kw):  # permission bits do not stop root, so refuse here
        if str(file) == str(path) and "b" in mode and kw.get("buffering"):
            raise PermissionError(13, "Permission denied")
        return real_open(file, mode, *a, **kw)

    monkeypatch.setattr(builtins, "open", fake_open)
    coll = collect([tmp_path])
    assert set(coll.sessions) == {"s2"}
    assert coll.unreadable == [f"{path}: Permission denied"]
    assert any(s.file == str(path) and "unreadable" in s.reason for s in coll.skipped)


def test_missing_path_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        collect([tmp_path / "nope"])


_READERS = [claude.read, codex.read, gemini.read, specstory.read, claude_markdown.read,
            lambda s, n, c: aider.read(s, n, c, [])]
_json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
                            lambda inner: st.lists(inner, max_size=4)
                            | st.dictionaries(st.sampled_from(["type", "payload", "message", "usage", "content",
                                                                "sessionId", "timestamp", "id", "info", "tokens",
                                                                "model", "uuid", "isSidechain", "$rewindTo",
                                                                "total_token_usage", "last_token_usage", "role",
                                                                "input_tokens", "text", "git", "toolUseResult"]),
                                              inner, max_size=6), max_leaves=25)


@pytest.mark.parametrize("which", range(len(_READERS)), ids=["claude", "codex", "gemini", "specstory",
                                                             "claude_markdown", "aider"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(st.one_of(_json_values.map(lambda v: __import__("json").dumps(v)), st.text(max_size=80),
                                st.binary(max_size=60).map(lambda b: b.decode("latin-1"))), max_size=12),
       name=st.sampled_from(["x.jsonl", "x.json", "subagents/agent-1.jsonl",
                                                                        "2025-01-01_10-00Z-x.md", "a.md"]))
def test_fuzz_readers_only_skip_lines(lines: list[str], which: int, name: str) -> None:
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    ctx = ReadContext(max_line_bytes=4096)
    events = list(_READERS[which](io.BufferedReader(io.BytesIO(data)), name, ctx))  # must not raise
    for ev in events:
        assert isinstance(ev.session_id, str)
    for s in ctx.skipped:
        assert s.file == name and 0 < s.line <= max(1, data.count(b"\n") + 1)
