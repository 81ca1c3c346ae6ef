"""Claude Code transcripts (`~/.claude/projects/<slug>/<sessionId>.jsonl`, subagent files).

Rules from /work/shared/reference/sessions.md §1: usage repeats on every content-block line of one
API response (de-duplicated by message id + request id, keeping the highest output); a `/btw`
sidechain replays a parent message under a new request id (keyed by message id alone); `<synthetic>`
messages are not API calls; a user line is a human prompt only when it is not a tool result, not
meta, not a compaction summary, not a sidechain and not harness text; `entrypoint: sdk-*` or
`promptSource: sdk` means a program wrote the prompt.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any, BinaryIO

from assess.sessions.context import ReadContext
from assess.sessions.lines import iter_lines
from assess.sessions.model import Event, Tokens
from assess.sessions.timeutil import parse_iso

FORMAT = "claude-code"

# git commit output printed in a tool result: "[main abc1234] message" (simonw COMMIT_PATTERN)
COMMIT_PATTERN = re.compile(r"\[[\w\-/.]+(?: \(root-commit\))? ([0-9a-f]{7,40})\] ")
HARNESS_PREFIXES = ("<command-message>", "<local-command-stdout>", "<local-command-stderr>",
                    "<local-command-caveat>", "Caveat:", "<system-reminder>", "<task-notification>",
                    "<bash-stdout>", "<bash-stderr>", "<user-memory-input>", "This session is being continued")
COMMAND_PREFIXES = ("<command-name>", "<bash-input>")
INTERRUPT_PREFIX = "[Request interrupted by user"
REJECTION_PREFIX = "The user doesn't want to proceed"
SUBAGENT_TOOLS = frozenset({"Task", "Agent"})


def sniff(first: dict[str, Any]) -> bool:
    return "sessionId" in first and ("type" in first or "uuid" in first) and "projectHash" not in first


def is_subagent_file(name: str) -> bool:
    p = PurePath(name)
    return p.name.startswith("agent-") or "subagents" in p.parts


def read(stream: BinaryIO, name: str, ctx: ReadContext) -> Iterator[Event]:
    sub_file = is_subagent_file(name)
    stem = PurePath(name).name.split(".")[0]
    fallback_sid = _fallback_session_id(name)
    for line in iter_lines(stream, ctx.max_line_bytes):
        entry = ctx.json_line(name, line)
        if entry is None:
            continue
        try:
            yield from _entry_events(entry, sub_file, stem, fallback_sid)
        except (TypeError, AttributeError, ValueError, KeyError):
            ctx.skip(name, line.number, "unexpected field shape")


def _fallback_session_id(name: str) -> str:
    p = PurePath(name)
    if "subagents" in p.parts:
        return p.parts[p.parts.index("subagents") - 1]
    return p.name.split(".")[0]


def _entry_events(e: dict[str, Any], sub_file: bool, stem: str, fallback_sid: str) -> Iterator[Event]:
    etype = e.get("type")
    sid = e.get("sessionId") or fallback_sid
    if not isinstance(sid, str):
        sid = fallback_sid
    ts = parse_iso(e.get("timestamp"))
    uid = e.get("uuid") if isinstance(e.get("uuid"), str) else None
    cwd = e.get("cwd") if isinstance(e.get("cwd"), str) else None
    branch = e.get("gitBranch") if isinstance(e.get("gitBranch"), str) and e.get("gitBranch") else None
    sidechain = e.get("isSidechain") is True or sub_file
    subagent_id = (e.get("agentId") or stem) if sidechain else None
    entrypoint = e.get("entrypoint")
    headless = (isinstance(entrypoint, str) and entrypoint.startswith("sdk")) or e.get("promptSource") == "sdk"
    base = {"session_id": sid, "ts": ts, "uid": uid, "cwd": cwd, "branch": branch,
            "subagent_id": subagent_id, "headless": headless}

    if etype == "assistant":
        msg = e.get("message") or {}
        model = msg.get("model")
        content = msg.get("content")
        kind = "agent_message"
        spawned = False
        if isinstance(content, list):
            for block in content:
                if isinstance(block, dict) and block.get("type") == "tool_use":
                    kind = "tool_call"
                    spawned = spawned or block.get("name") in SUBAGENT_TOOLS
        tokens = key = None
        lower = False
        usage = msg.get("usage")
        if isinstance(usage, dict) and model != "<synthetic>":
            tokens = Tokens(_int(usage.get("input_tokens")), _int(usage.get("output_tokens")),
                            _int(usage.get("cache_read_input_tokens")),
                            _int(usage.get("cache_creation_input_tokens")))
            mid, rid = msg.get("id"), e.get("requestId")
            if isinstance(mid, str):
                # a sidechain replay (/btw) repeats the parent's message id under a new request id
                key = f"m:{mid}" if sidechain else f"{mid}:{rid}"
            version = e.get("version")
            lower = isinstance(version, str) and version.startswith("2.1")
        yield Event(kind=kind, model=model if model != "<synthetic>" else None, tokens=tokens,
                    usage_key=key, lower_bound_output=lower, **base)
        if spawned:
            yield Event(kind="subagent", **{**base, "uid": None})
        return

    if etype == "user":
        if e.get("isMeta") is True:
            return
        if e.get("isCompactSummary") is True:
            return  # the summary after a compact_boundary: neither a prompt nor a second compaction
        msg = e.get("message") or {}
        content = msg.get("content")
        texts: list[str] = []
        results: list[dict[str, Any]] = []
        if isinstance(content, str):
            texts.append(content)
        elif isinstance(content, list):
            for block in content:
                if not isinstance(block, dict):
                    continue
                if block.get("type") == "tool_result":
                    results.append(block)
                elif block.get("type") == "text" and isinstance(block.get("text"), str):
                    texts.append(block["text"])
        if results:
            shas: list[str] = []
            rejected = False
            for block in results:
                text = _result_text(block.get("content"))
                if block.get("is_error") and text.startswith(REJECTION_PREFIX):
                    rejected = True
                if "] " in text:
                    shas.extend(COMMIT_PATTERN.findall(text))
            kind = "rejection" if rejected and not sidechain else "tool_result"
            yield Event(kind=kind, commit_shas=tuple(shas), **base)
            return
        text = texts[0].lstrip() if texts else ""
        if sidechain:  # the parent agent wrote this prompt for its subagent
            yield Event(kind="agent_message", **base)
        elif text.startswith(INTERRUPT_PREFIX):
            yield Event(kind="interrupt", **base)
        elif text.startswith(COMMAND_PREFIXES):
            yield Event(kind="command", **base)
        elif not text or text.startswith(HARNESS_PREFIXES):
            return
        else:
            origin = e.get("origin")
            peer = isinstance(origin, dict) and origin.get("kind") not in (None, "human")
            yield Event(kind="program_prompt" if headless or peer else "human_prompt", **base)
        return

    if etype == "system" and e.get("subtype") == "compact_boundary":
        yield Event(kind="compaction", **base)
    elif etype == "queue-operation" and e.get("operation") == "remove":
        yield Event(kind="steering", **base)
    elif etype == "attachment":
        att = e.get("attachment")
        if isinstance(att, dict) and att.get("type") == "queued_command" and att.get("commandMode") == "prompt":
            yield Event(kind="steering", **base)


def _result_text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(b.get("text", "") for b in content if isinstance(b, dict) and isinstance(b.get("text"), str))
    return ""


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
