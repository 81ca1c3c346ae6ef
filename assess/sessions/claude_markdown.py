"""Claude Code transcripts rendered to Markdown by a Stop hook (e.g. `.claude/transcripts/*.md` written
by a `transcribe.py`): a header table (Date, Session ID, Model, Tokens, Duration) then
`## User (HH:MM UTC)` / `## Assistant (HH:MM UTC)` blocks with `- **Used Tool**` lines.

Times are minutes in UTC on the header's date (rolled over midnight when they go backwards).
The header's tokens are not used: the known writer (UnrealFrog's `transcribe.py`, `parse_jsonl`) sums
input + cache reads + cache writes over every content-block line without de-duplication, so the figure
is neither non-cached input nor a call count; the model is kept (as a call without tokens).
The main conversation and each of its subagents are rendered to separate files that share one Session
ID; files are read in name order (names start with the time), the first file of a session is its main
conversation and later ones are subagents, whose `## User` blocks the parent agent wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePath
from typing import BinaryIO

from assess.sessions.claude import COMMAND_PREFIXES, HARNESS_PREFIXES, INTERRUPT_PREFIX
from assess.sessions.context import ReadContext
from assess.sessions.lines import iter_lines
from assess.sessions.model import Event, Tokens
from assess.sessions.timeutil import parse_iso

FORMAT = "claude-markdown"

_ROW = re.compile(r"^\|\s*(Date|Session ID|Model|Tokens|Duration)\s*\|\s*(.*?)\s*\|\s*$")
_HEAD = re.compile(r"^## (User|Assistant) \((\d{2}):(\d{2}) UTC\)\s*$")
_TOK = re.compile(r"~?([\d,]+) (input|output)")


def sniff_text(head: str) -> bool:
    return head.startswith("# Conversation:") and "| Session ID |" in head


def read(stream: BinaryIO, name: str, ctx: ReadContext) -> Iterator[Event]:
    fields: dict[str, str] = {}
    day = None
    last: float | None = None
    pending_user: float | None = None
    sid = None
    model = None
    emitted_usage = False
    sub = False
    subagent_id: str | None = None
    for line in iter_lines(stream, ctx.max_line_bytes):
        if line.data is None:
            ctx.skip(name, line.number, f"line longer than {ctx.max_line_bytes} bytes")
            continue
        text = line.data.decode("utf-8", "replace").rstrip()
        r = _ROW.match(text)
        if r and not emitted_usage:
            fields[r.group(1)] = r.group(2).strip("`")
            sid = fields.get("Session ID") or sid
            model = fields.get("Model") or model
            day = fields.get("Date") or day
            continue
        h = _HEAD.match(text)
        if h:
            if sid is None or day is None:
                ctx.skip(name, line.number, "transcript block before the header's Date and Session ID")
                continue
            ts = parse_iso(f"{day}T{h.group(2)}:{h.group(3)}:00Z")
            if ts is not None and last is not None:
                while ts < last - 60:
                    ts += 86400  # the session ran past midnight
            last = ts
            if not emitted_usage:
                emitted_usage = True
                sub = ctx.owners.setdefault(sid, name) != name
                subagent_id = PurePath(name).name if sub else None
                if model:
                    yield Event(session_id=sid, kind="usage", ts=ts, model=model, tokens=Tokens(),
                                usage_key=f"md:{name}", subagent_id=subagent_id)
            if h.group(1) == "User" and sub:
                yield Event(session_id=sid, kind="agent_message", ts=ts, subagent_id=subagent_id)
            elif h.group(1) == "User":
                pending_user = ts if ts is not None else 0.0
            else:
                yield Event(session_id=sid, kind="agent_message", ts=ts, model=model, subagent_id=subagent_id)
            continue
        if pending_user is not None and text.strip():
            body = text.strip()
            ts = pending_user or None
            pending_user = None
            if body.startswith(INTERRUPT_PREFIX):
                yield Event(session_id=sid, kind="interrupt", ts=ts)
            elif body.startswith(COMMAND_PREFIXES):
                yield Event(session_id=sid, kind="command", ts=ts)
            elif not body.startswith(HARNESS_PREFIXES):
                yield Event(session_id=sid, kind="human_prompt", ts=ts)
            continue
        if text.startswith("- **Used ") and sid is not None:
            yield Event(session_id=sid, kind="tool_call", ts=last, subagent_id=subagent_id)
