"""Line-level attribution records kept in a repository: git-ai notes and Agent Trace files.

- git-ai (Git AI Standard v3): one note per commit under ``refs/notes/ai``; attestation lines
  (``path`` then indented ``<session-hash> <ranges>``) before a ``---`` line, JSON metadata after.
- Agent Trace (cursor/agent-trace v0.1): JSON lines in ``.agent-trace/traces.jsonl``; each record
  names ``vcs.revision`` and per file the line ranges with their contributor type.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from assess import safejson
from assess.mining.gitrepo import Repository

_RANGE = re.compile(r"^(\d{1,12})(?:-(\d{1,12}))?$")  # longer numbers are forged, never parsed
# tool names seen in git-ai notes -> catalogue ids
_TOOL_TO_AGENT = {
    "cursor": "cursor", "claude": "claude-code", "claude-code": "claude-code", "copilot": "copilot-agent",
    "github-copilot": "copilot-agent", "github-copilot-cli": "copilot-cli", "gemini": "gemini-cli",
    "gemini-cli": "gemini-cli", "codex": "codex", "amp": "amp", "droid": "factory", "opencode": "opencode",
    "windsurf": "windsurf", "cline": "cline", "aider": "aider", "junie": "junie", "devin": "devin",
}
RECORD_COLUMNS = ["sha", "ai_lines", "agent", "source"]
# Reason: no source file has more lines; a range wider than this is a forged record
MAX_RANGE_LINES = 10_000_000
# Reason: a real traces.jsonl is a few MB; a bigger one in a hostile repository is not read
MAX_TRACE_BYTES = 32 * 1024 * 1024


def _count_ranges(spec: str) -> int:
    total = 0
    for part in spec.split(","):
        m = _RANGE.match(part.strip())
        if m:
            lo = int(m.group(1))
            hi = int(m.group(2)) if m.group(2) else lo
            total += min(MAX_RANGE_LINES, max(0, hi - lo + 1))
    return total


def parse_git_ai_note(text: str) -> tuple[int, str | None]:
    """AI-attributed line count and agent id from one git-ai note."""
    head, sep, meta = text.partition("\n---")
    lines = 0
    for line in head.splitlines():
        if line.startswith("  ") and line.strip():
            parts = line.strip().split(None, 1)
            if len(parts) == 2:
                lines += _count_ranges(parts[1])
    agent = None
    if sep:
        try:
            data = safejson.loads(meta.strip().lstrip("-").strip() or "{}")
        except (safejson.JSONDecodeError, safejson.TooDeep):
            data = None
        prompts = _get(data, "prompts")
        for prompt in (prompts.values() if isinstance(prompts, dict) else []):
            tool = _get(_get(prompt, "agent_id"), "tool")
            if isinstance(tool, str) and tool:
                agent = _TOOL_TO_AGENT.get(tool.lower(), tool.lower()[:64])
                break
    return lines, agent


def read_git_ai_notes(repo: Repository) -> pd.DataFrame:
    if repo.rev_parse("refs/notes/ai") is None:
        return pd.DataFrame(columns=RECORD_COLUMNS)
    listing = repo.git("notes", "--ref=ai", "list").decode().split("\n")
    pairs = [ln.split() for ln in listing if ln.strip()]
    if not pairs:
        return pd.DataFrame(columns=RECORD_COLUMNS)
    blobs = "".join(f"{note}\n" for note, _ in pairs).encode()
    proc = repo.run("cat-file", "--batch", input=blobs)
    data = proc.stdout
    rows = []
    pos = 0
    for _note, commit in pairs:
        nl = data.index(b"\n", pos)
        header = data[pos:nl].split()
        if len(header) < 3 or header[1] == b"missing":
            pos = nl + 1
            continue
        size = int(header[2])
        body = data[nl + 1: nl + 1 + size].decode("utf-8", errors="replace")
        pos = nl + 1 + size + 1
        lines, agent = parse_git_ai_note(body)
        rows.append((commit, lines, agent, "git-ai note (refs/notes/ai)"))
    return pd.DataFrame(rows, columns=RECORD_COLUMNS)


def _get(obj: Any, key: str) -> Any:
    """``obj[key]`` when ``obj`` is a JSON object, else None: records are hostile input."""
    return obj.get(key) if isinstance(obj, dict) else None


def _list(obj: Any) -> list[Any]:
    return obj if isinstance(obj, list) else []


def _line_number(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return int(value)


def parse_agent_trace(text: str) -> pd.DataFrame:
    rows = []
    for raw in text.splitlines():
        raw = raw.strip()
        if not raw:
            continue
        try:
            rec = safejson.loads(raw)
        except (safejson.JSONDecodeError, safejson.TooDeep):
            continue
        if not isinstance(rec, dict):
            continue
        rev = _get(_get(rec, "vcs"), "revision")
        tool = _get(_get(rec, "tool"), "name")
        if not isinstance(rev, str) or not rev or len(rev) > 64:
            continue
        lines = 0
        for f in _list(_get(rec, "files")):
            for conv in _list(_get(f, "conversations")):
                conv_type = _get(_get(conv, "contributor"), "type")
                for rng in _list(_get(conv, "ranges")):
                    rtype = _get(_get(rng, "contributor"), "type") or conv_type
                    if rtype != "ai":
                        continue
                    start, end = _line_number(_get(rng, "start_line")), _line_number(_get(rng, "end_line"))
                    if start is not None and end is not None:
                        # a range beyond any real file is a forged record: capped, never trusted
                        lines += min(MAX_RANGE_LINES, max(0, end - start + 1))
        agent = None
        if isinstance(tool, str) and tool:
            agent = _TOOL_TO_AGENT.get(tool.lower(), tool.lower()[:64])
        rows.append((rev, lines, agent, "Agent Trace (.agent-trace/traces.jsonl)"))
    return pd.DataFrame(rows, columns=RECORD_COLUMNS)


def read_agent_trace(repo: Repository, head: str) -> pd.DataFrame:
    spec = f"{head}:.agent-trace/traces.jsonl"
    size = repo.run("cat-file", "-s", spec)
    if size.returncode != 0:
        return pd.DataFrame(columns=RECORD_COLUMNS)
    try:
        if int(size.stdout.strip() or 0) > MAX_TRACE_BYTES:
            return pd.DataFrame(columns=RECORD_COLUMNS)  # a hostile giant file is not read
    except ValueError:
        return pd.DataFrame(columns=RECORD_COLUMNS)
    proc = repo.run("cat-file", "-p", spec)
    if proc.returncode != 0:
        return pd.DataFrame(columns=RECORD_COLUMNS)
    return parse_agent_trace(proc.stdout.decode("utf-8", errors="replace"))


def read_line_records(repo: Repository, head: str, known_shas: set[str]) -> pd.DataFrame:
    """All line records whose commit is in the mined history (short revisions are expanded)."""
    frames = [f for f in (read_git_ai_notes(repo), read_agent_trace(repo, head)) if not f.empty]
    if not frames:
        return pd.DataFrame(columns=RECORD_COLUMNS)
    recs = pd.concat(frames, ignore_index=True)
    by_prefix = {}
    for sha in recs["sha"].unique():
        if sha in known_shas:
            by_prefix[sha] = sha
        elif len(sha) >= 7:
            full = repo.rev_parse(sha)
            if full in known_shas:
                by_prefix[sha] = full
    recs["sha"] = recs["sha"].map(by_prefix)
    return recs.dropna(subset=["sha"])
