"""Which reader a file needs (by content, not by name) and where logs live by default."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from assess.sessions import aider, claude, claude_markdown, codex, gemini, specstory
from assess.sessions.lines import iter_lines, walk_files

_SNIFF_LINES = 50
_SNIFF_LINE_BYTES = 1024 * 1024
_HEAD_BYTES = 8192
# order in which sources are read: raw logs before rendered transcripts of the same sessions
PRIORITY = {claude.FORMAT: 0, codex.FORMAT: 1, gemini.FORMAT: 2, aider.FORMAT: 3,
            claude_markdown.FORMAT: 4, specstory.FORMAT: 5}


@dataclass(frozen=True)
class FoundFile:
    path: Path
    format: str


def sniff_file(path: Path) -> str | None:
    """The format of one file from its first lines, or None when it is not a session log."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_HEAD_BYTES)
            if not head:
                return None
            stripped = head.lstrip()
            if stripped[:1] in (b"{", b"["):
                fh.seek(0)
                return _sniff_json(fh, path)
    except OSError:
        return None
    if b"\x00" in head:
        return None
    text = head.decode("utf-8", "replace")
    if path.name.endswith(".md") or path.name == aider.CHAT_NAME:
        if aider.sniff_text(text):
            return aider.FORMAT
        if specstory.sniff_text(text):
            return specstory.FORMAT
        if claude_markdown.sniff_text(text):
            return claude_markdown.FORMAT
    return None


def _sniff_json(fh, path: Path) -> str | None:
    if path.suffix == ".json":
        # a Gemini conversation record: one JSON object; its head holds sessionId/projectHash
        head = fh.read(_HEAD_BYTES)
        if b'"sessionId"' in head and (b'"projectHash"' in head or b'"messages"' in head):
            return gemini.FORMAT
        return None
    for n, line in enumerate(iter_lines(fh, _SNIFF_LINE_BYTES)):
        if n >= _SNIFF_LINES:
            break
        if line.data is None or not line.data.strip():
            continue
        try:
            entry = orjson.loads(line.data)
        except orjson.JSONDecodeError:
            continue
        if not isinstance(entry, dict):
            return None
        if codex.sniff(entry):
            return codex.FORMAT
        if gemini.sniff(entry):
            return gemini.FORMAT
        if claude.sniff(entry):
            return claude.FORMAT
        # Claude files may open with summary / snapshot lines that carry no sessionId: keep looking
    return None


def find_logs(root: Path) -> Iterator[FoundFile]:
    """Every session log under `root` (a file or folder), detected by content."""
    if root.is_file():
        fmt = sniff_file(root)
        if fmt:
            yield FoundFile(root, fmt)
        return
    for path in walk_files(root):
        name = path.name
        if not (name.endswith((".jsonl", ".json", ".md")) or name == aider.CHAT_NAME):
            continue
        if name.endswith(".meta.json") or name in ("package.json", "package-lock.json", "tsconfig.json"):
            continue
        fmt = sniff_file(path)
        if fmt:
            yield FoundFile(path, fmt)


def default_locations() -> list[Path]:
    """Claude Code, Codex and Gemini log folders of this user that exist."""
    home = Path.home()
    out: list[Path] = []
    claude_dirs = [Path(p) for p in os.environ.get("CLAUDE_CONFIG_DIR", "").split(",") if p.strip()]
    claude_dirs += [home / ".claude", home / ".config" / "claude"]
    for d in claude_dirs:
        if (d / "projects").is_dir():
            out.append(d / "projects")
    codex_home = Path(os.environ.get("CODEX_HOME") or home / ".codex")
    for sub in ("sessions", "archived_sessions"):
        if (codex_home / sub).is_dir():
            out.append(codex_home / sub)
    if (home / ".gemini" / "tmp").is_dir():
        out.append(home / ".gemini" / "tmp")
    seen: set[Path] = set()
    unique = []
    for p in out:
        r = p.resolve()
        if r not in seen:
            seen.add(r)
            unique.append(p)
    return unique
