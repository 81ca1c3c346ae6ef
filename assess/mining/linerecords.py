"""Line-level attribution records kept in a repository: git-ai notes and Agent Trace files.

- git-ai (Git AI Standard v3): one note per commit under ``refs/notes/ai``; attestation lines
  (``path`` then indented ``<session-hash> <ranges>``) before a ``---`` line, JSON metadata after.
- Agent Trace (cursor/agent-trace v0.1): JSON lines in ``.agent-trace/traces.jsonl``; each record
  names ``vcs.revision`` and per file the line ranges with their contributor type.
"""

from __future__ import annotations

import json
import re

import pandas as pd

from assess.mining.gitrepo import Repository

_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")
# tool names seen in git-ai notes -> catalogue ids
_TOOL_TO_AGENT = {
    "cursor": "cursor", "claude": "claude-code", "claude-code": "claude-code", "copilot": "copilot-agent",
    "github-copilot": "copilot-agent", "github-copilot-cli": "copilot-cli", "gemini": "gemini-cli",
    "gemini-cli": "gemini-cli", "codex": "codex", "amp": "amp", "droid": "factory", "opencode": "opencode",
    "windsurf": "windsurf", "cline": "cline", "aider": "aider", "junie": "junie", "devin": "devin",
}
RECORD_COLUMNS = ["sha", "ai_lines", "agent", "source"]


def _count_ranges(spec: str) -> int:
    total = 0
    for part in spec.split(","):
        m = _RANGE.match(part.strip())
        if m:
            lo = int(m.group(1))
            hi = int(m.group(2)) if m.group(2) else lo
            total += max(0, hi - lo + 1)
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
            data = json.loads(meta.strip().lstrip("-").strip() or "{}")
            for prompt in (data.get("prompts") or {}).values():
                tool = ((prompt or {}).get("agent_id") or {}).get("tool")
                if tool:
                    agent = _TOOL_TO_AGENT.get(str(tool).lower(), str(tool).lower())
                    break
        except (json.JSONDecodeError, AttributeError):
            pass
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


def parse_agent_trace(text: str) -> pd.DataFrame:
    rows = []
    for raw in text.splitlines():
        raw = raw.strip()
        if not raw:
            continue
        try:
            rec = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if not isinstance(rec, dict):
            continue
        rev = ((rec.get("vcs") or {}).get("revision")) or None
        tool = ((rec.get("tool") or {}).get("name")) or None
        if not rev:
            continue
        lines = 0
        for f in rec.get("files") or []:
            for conv in (f or {}).get("conversations") or []:
                conv_type = ((conv or {}).get("contributor") or {}).get("type")
                for rng in (conv or {}).get("ranges") or []:
                    rtype = ((rng or {}).get("contributor") or {}).get("type", conv_type)
                    if rtype == "ai":
                        try:
                            lines += max(0, int(rng["end_line"]) - int(rng["start_line"]) + 1)
                        except (KeyError, TypeError, ValueError):
                            continue
        agent = _TOOL_TO_AGENT.get(str(tool).lower(), str(tool).lower()) if tool else None
        rows.append((str(rev), lines, agent, "Agent Trace (.agent-trace/traces.jsonl)"))
    return pd.DataFrame(rows, columns=RECORD_COLUMNS)


def read_agent_trace(repo: Repository, head: str) -> pd.DataFrame:
    proc = repo.run("cat-file", "-p", f"{head}:.agent-trace/traces.jsonl")
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
