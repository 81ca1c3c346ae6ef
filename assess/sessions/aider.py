"""Aider (`.aider.chat.history.md`, with `.aider.input.history` for per-prompt times), sessions.md §5.

Each `# aider chat started at <local time>` begins a launch (a session). Consecutive `#### ` lines are
one prompt (a 20-line paste is 20 such lines). `> Tokens: 12k sent, 1.2k received.` gives rounded
per-message tokens; `> Commit <sha>` names the commit the agent made. Times in both files are local
without a zone; they are read in the caller's zone (`ReadContext.local_tz`).
Assumption (not verified in aider's source here): `sent` includes the cache-write and cache-hit
tokens aider lists beside it, so they are subtracted to get non-cached input.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import BinaryIO

from assess.sessions.context import ReadContext
from assess.sessions.lines import iter_lines
from assess.sessions.model import Event, Tokens
from assess.sessions.timeutil import parse_iso

FORMAT = "aider"
CHAT_NAME = ".aider.chat.history.md"
INPUT_NAME = ".aider.input.history"

_START = re.compile(r"^# aider chat started at (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})")
_TOKENS = re.compile(r"^> Tokens: (.+?)\.(?:\s+|$)(?:Cost: \$([\d.]+) message)?")
_PART = re.compile(r"([\d.]+)([kKmM]?) (sent|received|cache write|cache hit)")
_MODEL = re.compile(r"^> (?:Main model|Model): (\S+)")
_COMMIT = re.compile(r"^> Commit ([0-9a-f]{7,40}) ")
_INPUT_TS = re.compile(r"^# (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?)\s*$")


def sniff_text(head: str) -> bool:
    return "# aider chat started at" in head


def read_input_history(stream: BinaryIO, ctx: ReadContext) -> list[tuple[float, str]]:
    """(time, first line) of every input in `.aider.input.history` (prompt_toolkit FileHistory)."""
    out: list[tuple[float, str]] = []
    ts: float | None = None
    first: str | None = None
    for line in iter_lines(stream, ctx.max_line_bytes):
        if line.data is None:
            continue
        text = line.data.decode("utf-8", "replace").rstrip("\r\n")
        m = _INPUT_TS.match(text)
        if m:
            if ts is not None and first is not None:
                out.append((ts, first))
            ts, first = parse_iso(m.group(1), ctx.local_tz), None
        elif text.startswith("+") and first is None:
            first = text[1:].strip()
    if ts is not None and first is not None:
        out.append((ts, first))
    return out


def read(stream: BinaryIO, name: str, ctx: ReadContext,
         inputs: list[tuple[float, str]] | None = None) -> Iterator[Event]:
    inputs = inputs or []
    cursor = 0
    file_key = hashlib.sha256(name.encode()).hexdigest()[:8]
    sid: str | None = None
    now: float | None = None
    model: str | None = None
    in_prompt = False
    agent_block = False
    for line in iter_lines(stream, ctx.max_line_bytes):
        if line.data is None:
            ctx.skip(name, line.number, f"line longer than {ctx.max_line_bytes} bytes")
            continue
        text = line.data.decode("utf-8", "replace").rstrip("\r\n").rstrip()
        m = _START.match(text)
        if m:
            now = parse_iso(m.group(1), ctx.local_tz)
            sid = f"aider-{file_key}-{m.group(1).replace(' ', 'T')}"
            model, in_prompt, agent_block = None, False, False
            yield Event(kind="agent_message", ts=now, session_id=sid)  # the launch banner
            continue
        if sid is None:
            continue
        base = {"session_id": sid}
        if text.startswith("#### ") or text == "####":   # a blank line inside a paste is a bare "####"
            if not in_prompt:
                body = text[5:].strip()
                # find this prompt's time in the input history (same order, at or after the launch)
                for i in range(cursor, min(len(inputs), cursor + 500)):
                    t, first = inputs[i]
                    if first == body and (now is None or t >= now - 1):
                        now, cursor = t, i + 1
                        break
                kind = "command" if body.startswith("/") else "human_prompt"
                yield Event(kind=kind, ts=now, **base)
            in_prompt, agent_block = True, False
            continue
        in_prompt = False
        if text.startswith(">"):
            agent_block = False
            mm = _MODEL.match(text)
            if mm:
                model = mm.group(1)
                continue
            mt = _TOKENS.match(text)
            if mt:
                parts = {kind: _num(n, unit) for n, unit, kind in _PART.findall(mt.group(1))}
                cw, ch = parts.get("cache write", 0), parts.get("cache hit", 0)
                tokens = Tokens(max(0, parts.get("sent", 0) - cw - ch), parts.get("received", 0), ch, cw)
                cost = float(mt.group(2)) if mt.group(2) else None
                yield Event(kind="usage", ts=now, model=model, tokens=tokens, cost_usd=cost, **base)
                continue
            mc = _COMMIT.match(text)
            if mc:
                yield Event(kind="tool_result", ts=now, commit_shas=(mc.group(1),), **base)
            elif text.startswith("> Applied edit"):
                yield Event(kind="tool_call", ts=now, **base)
            elif "KeyboardInterrupt" in text:
                yield Event(kind="interrupt", ts=now, **base)
            continue
        if "KeyboardInterrupt" in text:
            yield Event(kind="interrupt", ts=now, **base)
        elif text and not agent_block:
            agent_block = True
            yield Event(kind="agent_message", ts=now, model=model, **base)


def _num(n: str, unit: str) -> int:
    scale = {"k": 1_000, "m": 1_000_000}.get(unit.lower(), 1)
    try:
        return int(float(n) * scale)
    except ValueError:
        return 0
