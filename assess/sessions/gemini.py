"""Gemini CLI chats (`~/.gemini/tmp/<project>/chats/session-*.json|.jsonl`), sessions.md §3.

Two shapes: one JSON `ConversationRecord` (until 2026-04, read whole but only up to the line cap)
and the JSONL stream (metadata line, message records, `{"$set"}` updates, `{"$rewindTo": id}`).
A message re-appended with the same id replaces the earlier copy (last wins); a rewind drops the
message and everything after it. `tokens.input` includes `cached`. A file under
`chats/<parentSessionId>/` is a subagent of that parent.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePath
from typing import Any, BinaryIO

import orjson

from assess.sessions.context import ReadContext
from assess.sessions.lines import iter_lines
from assess.sessions.model import Event, Tokens
from assess.sessions.timeutil import parse_iso

FORMAT = "gemini"


def sniff(first: dict[str, Any]) -> bool:
    return "sessionId" in first and ("projectHash" in first or "messages" in first or "startTime" in first)


def read(stream: BinaryIO, name: str, ctx: ReadContext) -> Iterator[Event]:
    head = stream.peek(1)[:1] if hasattr(stream, "peek") else b""
    path = PurePath(name)
    parent = path.parent.name if path.parent.name != "chats" and path.parent.parent.name == "chats" else None
    if name.endswith(".json") and head != b"":
        yield from _read_record(stream, name, ctx, parent)
        return
    meta: dict[str, Any] = {}
    messages: dict[str, dict[str, Any]] = {}
    for line in iter_lines(stream, ctx.max_line_bytes):
        entry = ctx.json_line(name, line)
        if entry is None:
            continue
        try:
            if "$rewindTo" in entry:
                target = entry["$rewindTo"]
                if isinstance(target, str) and target in messages:
                    keys = list(messages)
                    for k in keys[keys.index(target):]:
                        del messages[k]
            elif "$set" in entry:
                if isinstance(entry["$set"], dict):
                    meta.update(entry["$set"])
            elif "sessionId" in entry and "type" not in entry:
                meta.update(entry)
            elif isinstance(entry.get("id"), str):
                messages.pop(entry["id"], None)  # last copy wins, at its latest position
                messages[entry["id"]] = (line.number, entry)
            else:
                ctx.skip(name, line.number, "unknown Gemini record")
        except (TypeError, AttributeError, ValueError, KeyError):
            ctx.skip(name, line.number, "unexpected field shape")
    yield from _events(meta, messages.values(), path, parent, ctx, name)


def _read_record(stream: BinaryIO, name: str, ctx: ReadContext, parent: str | None) -> Iterator[Event]:
    data = stream.read(ctx.max_line_bytes + 1)
    if len(data) > ctx.max_line_bytes:
        ctx.skip(name, 1, f"JSON record larger than {ctx.max_line_bytes} bytes")
        return
    try:
        record = orjson.loads(data)
    except orjson.JSONDecodeError:
        ctx.skip(name, 1, "not valid JSON")
        return
    if not isinstance(record, dict) or not isinstance(record.get("messages", []), list):
        ctx.skip(name, 1, "not a Gemini conversation record")
        return
    msgs = {m["id"]: (1, m) for m in record.get("messages", []) if isinstance(m, dict) and isinstance(m.get("id"), str)}
    yield from _events(record, msgs.values(), PurePath(name), parent, ctx, name)


def _events(meta: dict[str, Any], messages: Any, path: PurePath, parent: str | None,
            ctx: ReadContext, name: str) -> Iterator[Event]:
    sid = meta.get("sessionId") if isinstance(meta.get("sessionId"), str) else path.stem
    sub = meta.get("kind") == "subagent" or parent is not None
    owner = parent or sid
    dirs = meta.get("directories")
    cwd = dirs[0] if isinstance(dirs, list) and dirs and isinstance(dirs[0], str) else None
    for number, m in messages:
        try:
            ev = _message(m, owner, sid if sub else None, sub, cwd)
        except (TypeError, AttributeError, ValueError, KeyError):
            ctx.skip(name, number, "unexpected field shape")
            continue
        if ev is not None:
            yield ev


def _message(m: dict[str, Any], owner: str, subagent_id: str | None, sub: bool, cwd: str | None) -> Event | None:
    ts = parse_iso(m.get("timestamp"))
    mtype = m.get("type")
    base = {"session_id": owner, "ts": ts, "cwd": cwd, "subagent_id": subagent_id}
    if mtype == "user":
        return Event(kind="agent_message" if sub else "human_prompt", **base)
    if mtype == "gemini":
        tok = m.get("tokens")
        tokens = None
        if isinstance(tok, dict):
            inp, cached = _int(tok.get("input")), _int(tok.get("cached"))
            # `output` excludes thoughts in Gemini's count; both are billed as output
            tokens = Tokens(max(0, inp - cached), _int(tok.get("output")) + _int(tok.get("thoughts")), cached, 0)
        calls = m.get("toolCalls")
        kind = "tool_call" if isinstance(calls, list) and calls else "agent_message"
        return Event(kind=kind, model=m.get("model") if isinstance(m.get("model"), str) else None,
                     tokens=tokens, usage_key=f"gemini:{owner}:{subagent_id}:{m.get('id')}", **base)
    if mtype == "info" and isinstance(m.get("content"), str) and "cancel" in m["content"].lower():
        return Event(kind="interrupt", **base)
    return None


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
