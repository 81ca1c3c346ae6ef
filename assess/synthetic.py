"""Write synthetic git histories quickly with ``git fast-import`` (demo data and benchmarks)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assess.errors import AssessError


@dataclass
class SynthCommit:
    """One commit to write. ``files`` maps path to new content (``None`` deletes the path)."""

    author: tuple[str, str]
    time: int  # unix seconds
    message: str
    files: dict[str, str | None] = field(default_factory=dict)
    branch: str = "main"
    parent: int | None = None  # mark of the first parent when starting a branch
    merge: int | None = None  # mark of a second parent (makes a merge commit)
    committer: tuple[str, str] | None = None
    tz: str = "+0000"


def _data(payload: bytes) -> bytes:
    return b"data %d\n" % len(payload) + payload + b"\n"


def write_history(path: Path, commits: Iterable[SynthCommit], *, head: str = "main",
                  checkout: bool = True) -> list[int]:
    """Create a repository at ``path`` holding ``commits`` (in order); returns their marks (1-based)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C"}
    subprocess.run(["git", "init", "-q", "-b", head, str(path)], check=True, env=env, capture_output=True)
    proc = subprocess.Popen(["git", "-C", str(path), "fast-import", "--quiet", "--done"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert proc.stdin is not None
    marks: list[int] = []
    tips: dict[str, int] = {}
    try:
        for mark, c in enumerate(commits, start=1):
            committer = c.committer or c.author
            out = [b"commit refs/heads/" + c.branch.encode(), b"mark :%d" % mark,
                   f"author {c.author[0]} <{c.author[1]}> {c.time} {c.tz}".encode(),
                   f"committer {committer[0]} <{committer[1]}> {c.time} {c.tz}".encode()]
            buf = b"\n".join(out) + b"\n" + _data(c.message.encode("utf-8"))
            parent = c.parent if c.parent is not None else tips.get(c.branch)
            if parent is not None and (c.parent is not None or c.branch in tips):
                buf += b"from :%d\n" % parent
            if c.merge is not None:
                buf += b"merge :%d\n" % c.merge
            for fpath, content in c.files.items():
                if content is None:
                    buf += b"D " + fpath.encode() + b"\n"
                else:
                    buf += b"M 100644 inline " + fpath.encode() + b"\n" + _data(content.encode("utf-8"))
            proc.stdin.write(buf + b"\n")
            tips[c.branch] = mark
            marks.append(mark)
        proc.stdin.write(b"done\n")
        proc.stdin.close()
    except BrokenPipeError:
        pass
    err = proc.stderr.read() if proc.stderr else b""
    if proc.wait() != 0:
        raise AssessError(f"git fast-import failed: {err.decode(errors='replace').strip()[:300]}")
    if checkout:
        subprocess.run(["git", "-C", str(path), "checkout", "-q", "-f", head], check=True, env=env,
                       capture_output=True)
    return marks
