"""Transcripts kept in git: Entire's checkpoint branch and transcripts deleted from the work tree.

Entire (sessions.md §9) stores each checkpoint on the orphan branch `entire/checkpoints/v1` as
`<id[0:2]>/<id[2:]>/<n>/full.jsonl` (the raw agent transcript up to that point: the same session
appears in many checkpoints, so entries are de-duplicated by uuid downstream) and `metadata.json`
(`checkpoint_id`, `session_id`). Commits name their checkpoint with an `Entire-Checkpoint: <id>`
trailer, the strongest join there is. The `agent` field is unreliable, so each transcript's format
is sniffed from its content.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import orjson

from assess.sessions import claude, codex, gemini

BRANCHES = ("refs/heads/entire/checkpoints/v1", "refs/remotes/origin/entire/checkpoints/v1")
TRAILER = "Entire-Checkpoint"
MAX_METADATA_BYTES = 1024 * 1024
# committed transcript folders whose files may have been deleted from the work tree since
HISTORY_PATHSPECS = (":(glob).specstory/history/**.md", ":(glob).claude/transcripts/**.md",
                     ":(glob)**/.aider.chat.history.md")
MAX_HISTORY_FILES = 20_000


@dataclass
class Checkpoints:
    ref: str | None = None
    session_of: dict[str, set[str]] = field(default_factory=dict)   # checkpoint id -> session ids
    transcripts: list[tuple[str, str]] = field(default_factory=list)  # (blob sha, path on the branch)


def _git(repo: Path, *args: str, input: bytes | None = None) -> bytes | None:
    try:
        out = subprocess.run(["git", "-C", str(repo), *args], input=input, capture_output=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout if out.returncode == 0 else None


def is_repository(path: Path) -> bool:
    return _git(path, "rev-parse", "--git-dir") is not None


def checkpoints(repo: Path) -> Checkpoints:
    result = Checkpoints()
    for ref in BRANCHES:
        if _git(repo, "rev-parse", "--verify", "--quiet", ref) is not None:
            result.ref = ref
            break
    if result.ref is None:
        return result
    listing = _git(repo, "ls-tree", "-r", "-l", result.ref) or b""
    meta_blobs: list[tuple[str, str]] = []
    for row in listing.decode("utf-8", "replace").splitlines():
        info, _, path = row.partition("\t")
        parts = info.split()
        if len(parts) < 4 or parts[1] != "blob":
            continue
        sha, size = parts[2], parts[3]
        if path.endswith("/full.jsonl"):
            result.transcripts.append((sha, path))
        elif path.endswith("/metadata.json") and size.isdigit() and int(size) <= MAX_METADATA_BYTES:
            meta_blobs.append((sha, path))
    for _sha, path, data in _batch(repo, meta_blobs):
        try:
            meta = orjson.loads(data)
        except orjson.JSONDecodeError:
            continue
        if not isinstance(meta, dict):
            continue
        cid = meta.get("checkpoint_id")
        if not isinstance(cid, str):
            bits = path.split("/")
            cid = bits[0] + bits[1] if len(bits) >= 3 else None
        sid = meta.get("session_id")
        if isinstance(cid, str) and isinstance(sid, str):
            result.session_of.setdefault(cid, set()).add(sid)
    return result


def _batch(repo: Path, blobs: list[tuple[str, str]]) -> Iterator[tuple[str, str, bytes]]:
    """Contents of small blobs through one `git cat-file --batch`."""
    if not blobs:
        return
    out = _git(repo, "cat-file", "--batch", input="".join(f"{s}\n" for s, _ in blobs).encode())
    if out is None:
        return
    pos = 0
    for sha, path in blobs:
        nl = out.find(b"\n", pos)
        if nl < 0:
            return
        header = out[pos:nl].split()
        if len(header) < 3 or header[1] == b"missing":
            pos = nl + 1
            continue
        size = int(header[2])
        yield sha, path, out[nl + 1:nl + 1 + size]
        pos = nl + 1 + size + 1


@contextmanager
def open_blob(repo: Path, spec: str) -> Iterator[BinaryIO]:
    """Stream one blob (`<sha>` or `<commit>:<path>`) without loading it whole."""
    proc = subprocess.Popen(["git", "-C", str(repo), "cat-file", "-p", spec],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=1024 * 1024)
    try:
        assert proc.stdout is not None
        yield proc.stdout  # type: ignore[misc]
    finally:
        if proc.stdout:
            proc.stdout.close()
        proc.kill()
        proc.wait()


def sniff_blob(stream: BinaryIO) -> str | None:
    """The format of a transcript blob from its buffered head (the stream is not consumed)."""
    head = stream.peek(256 * 1024) if hasattr(stream, "peek") else b""  # type: ignore[attr-defined]
    for raw in head.split(b"\n")[:50]:
        try:
            entry = orjson.loads(raw)
        except orjson.JSONDecodeError:
            continue
        if not isinstance(entry, dict):
            return None
        for mod in (codex, gemini, claude):
            if mod.sniff(entry):
                return mod.FORMAT
    return None


def committed_transcripts(repo: Path) -> list[tuple[str, str]]:
    """(`<commit>:<path>` or `<commit>^:<path>`, path) of the newest version, on any ref, of every
    committed transcript: also those deleted since or living only on other branches."""
    out = _git(repo, "log", "--all", "--no-renames", "--format=@%H", "--name-status", "--",
               *HISTORY_PATHSPECS)
    if not out:
        return []
    found: dict[str, str] = {}
    commit = None
    for row in out.decode("utf-8", "replace").splitlines():
        if row.startswith("@"):
            commit = row[1:]
            continue
        status, _, path = row.partition("\t")
        if not path or commit is None or path in found:
            continue  # the log runs newest first: the first mention of a path is its latest state
        found[path] = f"{commit}^:{path}" if status.startswith("D") else f"{commit}:{path}"
        if len(found) >= MAX_HISTORY_FILES:
            break
    return [(spec, path) for path, spec in found.items()]
