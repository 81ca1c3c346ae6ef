"""OpenAI Codex CLI rollouts (`$CODEX_HOME/sessions/**/rollout-*.jsonl`), sessions.md §2.

Envelope `{timestamp, type, payload}` (and the early bare shape without an envelope). Human prompts
are `event_msg/user_message` only (`response_item` user messages include injected AGENTS.md and
environment context). Tokens: `last_token_usage` is the per-turn delta; when absent, the difference of
the cumulative `total_token_usage`; a repeated total adds nothing. `input_tokens` includes
`cached_input_tokens`, `output_tokens` includes reasoning. `codex_exec` / `source: exec` /
`approval_policy: never` make the session headless: its prompts are written by a program. A forked
or subagent rollout replays its parent's token counts in its first second; those are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePath
from typing import Any, BinaryIO

from assess.sessions.claude import COMMIT_PATTERN
from assess.sessions.context import ReadContext
from assess.sessions.lines import iter_lines
from assess.sessions.model import Event, Tokens
from assess.sessions.timeutil import parse_iso

FORMAT = "codex"
_REPLAY_SECONDS = 1.0


def sniff(first: dict[str, Any]) -> bool:
    t = first.get("type")
    if t in ("session_meta", "response_item", "event_msg", "turn_context") and "payload" in first:
        return True
    # early rollouts: a bare SessionMeta first line
    return "id" in first and "instructions" in first and "timestamp" in first


def read(stream: BinaryIO, name: str, ctx: ReadContext) -> Iterator[Event]:
    state = _State(PurePath(name).stem)
    for line in iter_lines(stream, ctx.max_line_bytes):
        entry = ctx.json_line(name, line)
        if entry is None:
            continue
        try:
            yield from state.events(entry)
        except (TypeError, AttributeError, ValueError, KeyError):
            ctx.skip(name, line.number, "unexpected field shape")


class _State:
    def __init__(self, stem: str) -> None:
        self.sid = stem.split("-", 6)[-1] if stem.startswith("rollout-") else stem
        self.cwd: str | None = None
        self.branch: str | None = None
        self.base_commit: str | None = None
        self.model: str | None = None
        self.headless = False
        self.forked = False
        self.start: float | None = None
        self.last_total: tuple[int, int, int] | None = None

    def _event(self, kind: str, ts: float | None, **kw: Any) -> Event:
        return Event(session_id=self.sid, kind=kind, ts=ts, cwd=self.cwd, branch=self.branch,
                     headless=self.headless, model=kw.pop("model", self.model), **kw)

    def events(self, e: dict[str, Any]) -> Iterator[Event]:
        if "payload" in e and isinstance(e.get("payload"), dict):
            etype, p = e.get("type"), e["payload"]
        elif "instructions" in e and "id" in e:
            etype, p = "session_meta", e
        else:  # early bare response item
            etype, p = "response_item", e
        ts = parse_iso(e.get("timestamp"))
        if etype == "session_meta":
            if isinstance(p.get("id"), str):
                self.sid = p["id"]
            self.cwd = p.get("cwd") if isinstance(p.get("cwd"), str) else self.cwd
            git = p.get("git") if isinstance(p.get("git"), dict) else {}
            self.branch = git.get("branch") or self.branch
            self.base_commit = git.get("commit_hash") or self.base_commit
            src = p.get("source")
            self.headless = self.headless or p.get("originator") == "codex_exec" or src == "exec"
            self.forked = bool(p.get("forked_from_id")) or (isinstance(src, dict) and "subagent" in src)
            self.start = parse_iso(p.get("timestamp")) or ts
            yield self._event("agent_message", ts, base_commit=self.base_commit)
        elif etype == "turn_context":
            if isinstance(p.get("model"), str):
                self.model = p["model"]
            if p.get("approval_policy") == "never":
                self.headless = True
            self.cwd = p.get("cwd") if isinstance(p.get("cwd"), str) else self.cwd
        elif etype == "event_msg":
            pt = p.get("type")
            if pt == "user_message":
                yield self._event("program_prompt" if self.headless else "human_prompt", ts)
            elif pt in ("agent_message", "agent_reasoning", "task_complete"):
                yield self._event("agent_message", ts)
            elif pt == "turn_aborted" and p.get("reason") == "interrupted":
                yield self._event("interrupt", ts)
            elif pt in ("exec_approval_request", "apply_patch_approval_request"):
                yield self._event("approval", ts)
            elif pt == "context_compacted":
                yield self._event("compaction", ts)
            elif pt == "token_count":
                tokens = self._delta(p.get("info"))
                if tokens is None:
                    return
                if self.forked and ts is not None and self.start is not None and ts - self.start <= _REPLAY_SECONDS:
                    return  # the parent's counts replayed into a fork / subagent
                yield self._event("usage", ts, tokens=tokens)
        elif etype == "compacted":
            yield self._event("compaction", ts)
        elif etype == "response_item":
            pt = p.get("type")
            if pt in ("function_call", "local_shell_call", "custom_tool_call", "web_search_call"):
                yield self._event("tool_call", ts)
            elif pt in ("function_call_output", "custom_tool_call_output"):
                out = p.get("output")
                text = out if isinstance(out, str) else ""
                shas = tuple(COMMIT_PATTERN.findall(text)) if "] " in text else ()
                yield self._event("tool_result", ts, commit_shas=shas)
            elif pt == "message" and p.get("role") == "assistant":
                yield self._event("agent_message", ts)

    def _delta(self, info: object) -> Tokens | None:
        if not isinstance(info, dict):
            return None
        total = info.get("total_token_usage")
        last = info.get("last_token_usage")
        if isinstance(total, dict):
            key = (_int(total.get("input_tokens")), _int(total.get("cached_input_tokens")),
                   _int(total.get("output_tokens")))
            if key == self.last_total:
                return None  # the same cumulative count repeated
            previous = self.last_total
            self.last_total = key
            if not isinstance(last, dict):
                if previous is None:
                    previous = (0, 0, 0)
                d_in, d_cached, d_out = (max(0, a - b) for a, b in zip(key, previous))
                return Tokens(max(0, d_in - d_cached), d_out, d_cached, 0)
        if isinstance(last, dict):
            inp, cached = _int(last.get("input_tokens")), _int(last.get("cached_input_tokens"))
            return Tokens(max(0, inp - cached), _int(last.get("output_tokens")), cached, 0)
        return None


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
