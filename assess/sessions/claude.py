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
            events = _entry_events(entry, sub_file, stem, fallback_sid)
        except (TypeError, AttributeError, ValueError, KeyError):
            ctx.skip(name, line.number, "unexpected field shape")
            continue
        if events:
            yield from events


def _fallback_session_id(name: str) -> str:
    p = PurePath(name)
    if "subagents" in p.parts:
        return p.parts[p.parts.index("subagents") - 1]
    return p.name.split(".")[0]


def _entry_events(e: dict[str, Any], sub_file: bool, stem: str, fallback_sid: str) -> list[Event] | None:
    etype = e.get("type")
    if etype not in _WANTED:
        return None
    sid = e.get("sessionId")
    if not isinstance(sid, str) or not sid:
        sid = fallback_sid
    ts = parse_iso(e.get("timestamp"))
    uid = e.get("uuid")
    if not isinstance(uid, str):
        uid = None
    cwd = e.get("cwd")
    if not isinstance(cwd, str):
        cwd = None
    branch = e.get("gitBranch")
    if not isinstance(branch, str) or not branch:
        branch = None
    sidechain = sub_file or e.get("isSidechain") is True
    subagent_id = (e.get("agentId") or stem) if sidechain else None
    entrypoint = e.get("entrypoint")
    headless = (isinstance(entrypoint, str) and entrypoint.startswith("sdk")) or e.get("promptSource") == "sdk"

    def ev(kind: str, **kw: Any) -> Event:
        return Event(sid, kind, ts, uid=kw.pop("uid", uid), cwd=cwd, branch=branch, subagent_id=subagent_id,
                     headless=headless, **kw)

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
            mid = msg.get("id")
            if isinstance(mid, str):
                # a sidechain replay (/btw) repeats the parent's message id under a new request id
                key = f"m:{mid}" if sidechain else f"{mid}:{e.get('requestId')}"
            version = e.get("version")
            lower = isinstance(version, str) and version.startswith("2.1")
        out = [ev(kind, model=model if isinstance(model, str) and model != "<synthetic>" else None, tokens=tokens,
                  usage_key=key, lower_bound_output=lower)]
        if spawned:
            out.append(ev("subagent", uid=None))
        return out

    if etype == "user":
        if e.get("isMeta") is True or e.get("isCompactSummary") is True:
            # meta lines and the summary after a compact_boundary are neither prompts nor work
            return None
        msg = e.get("message") or {}
        content = msg.get("content")
        text = ""
        results: list[dict[str, Any]] = []
        if isinstance(content, str):
            text = content
        elif isinstance(content, list):
            for block in content:
                if not isinstance(block, dict):
                    continue
                btype = block.get("type")
                if btype == "tool_result":
                    results.append(block)
                elif btype == "text" and not text and isinstance(block.get("text"), str):
                    text = block["text"]
        if results:
            shas: list[str] = []
            rejected = False
            for block in results:
                rtext = _result_text(block.get("content"))
                if block.get("is_error") and rtext.startswith(REJECTION_PREFIX):
                    rejected = True
                if "] " in rtext:
                    shas.extend(COMMIT_PATTERN.findall(rtext))
            return [ev("rejection" if rejected and not sidechain else "tool_result", commit_shas=tuple(shas))]
        text = text.lstrip()
        if sidechain:  # the parent agent wrote this prompt for its subagent
            return [ev("agent_message")]
        if text.startswith(INTERRUPT_PREFIX):
            return [ev("interrupt")]
        if text.startswith(COMMAND_PREFIXES):
            return [ev("command")]
        if not text or text.startswith(HARNESS_PREFIXES):
            return None
        origin = e.get("origin")
        peer = isinstance(origin, dict) and origin.get("kind") not in (None, "human")
        return [ev("program_prompt" if headless or peer else "human_prompt")]

    if etype == "system":
        return [ev("compaction")] if e.get("subtype") == "compact_boundary" else None
    if etype == "queue-operation":
        return [ev("steering")] if e.get("operation") == "remove" else None
    att = e.get("attachment")
    if isinstance(att, dict) and att.get("type") == "queued_command" and att.get("commandMode") == "prompt":
        return [ev("steering")]
    return None


_WANTED = frozenset({"assistant", "user", "system", "queue-operation", "attachment"})


def _result_text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(b.get("text", "") for b in content if isinstance(b, dict) and isinstance(b.get("text"), str))
    return ""


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
