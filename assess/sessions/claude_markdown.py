"""Claude Code transcripts rendered to Markdown by a Stop hook (e.g. `.claude/transcripts/*.md` written
by a `transcribe.py`): a header table (Date, Session ID, Model, Tokens, Duration) then
`## User (HH:MM UTC)` / `## Assistant (HH:MM UTC)` blocks with `- **Used Tool**` lines.

Times are minutes in UTC on the header's date (rolled over midnight when they go backwards). Tokens in
the header are approximate session totals (`~197,520 input, ~11 output`); whether the input figure
includes cached input is not stated, so it is kept as input and the session is marked approximate.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
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
                yield _usage(sid, ts, model, fields.get("Tokens", ""))
            if h.group(1) == "User":
                pending_user = ts if ts is not None else 0.0
            else:
                yield Event(session_id=sid, kind="agent_message", ts=ts, model=model)
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
            yield Event(session_id=sid, kind="tool_call", ts=last)


def _usage(sid: str, ts: float | None, model: str | None, tokens: str) -> Event:
    found = {kind: int(n.replace(",", "")) for n, kind in _TOK.findall(tokens)}
    return Event(session_id=sid, kind="usage", ts=ts, model=model,
                 tokens=Tokens(found.get("input", 0), found.get("output", 0), 0, 0),
                 usage_key=f"md:{sid}")
