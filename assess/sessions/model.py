"""The normalised event model shared by every reader.

A reader turns one file (or one git blob) into `Event`s. Events are folded into `Session`s by
`assess.sessions.collect`; nothing keeps the events themselves, so memory stays bounded by the number
of sessions and API calls, not by the size of the logs.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

# What happened, from whom. Human touch points are the kinds in TOUCH_KINDS.
Kind = Literal[
    "human_prompt",     # text a person typed as a task or instruction
    "program_prompt",   # a prompt written by a program (claude -p / sdk, codex exec, a loop script)
    "interrupt",        # a person stopped the agent mid-turn
    "rejection",        # a person refused a tool use
    "approval",         # a person answered an approval request
    "steering",         # a person queued or removed a message mid-turn
    "command",          # a slash command or `!` shell input: typed by a person, but no task
    "agent_message",
    "tool_call",
    "tool_result",
    "subagent",         # a subagent was started (fan-out)
    "compaction",
    "usage",            # tokens of one API call, nothing else
]

TOUCH_KINDS: frozenset[str] = frozenset({"human_prompt", "interrupt", "rejection", "approval", "steering"})
AGENT_KINDS: frozenset[str] = frozenset({"agent_message", "tool_call", "tool_result", "subagent", "usage"})


@dataclass(slots=True)
class Tokens:
    """Token counts of one call or a sum. `input` EXCLUDES cached input (cache reads and writes)."""

    input: int = 0
    output: int = 0
    cache_read: int = 0
    cache_write: int = 0

    def add(self, other: Tokens) -> None:
        self.input += other.input
        self.output += other.output
        self.cache_read += other.cache_read
        self.cache_write += other.cache_write

    def total(self) -> int:
        return self.input + self.output + self.cache_read + self.cache_write

    def as_dict(self) -> dict[str, int]:
        return {"input": self.input, "output": self.output, "cache_read": self.cache_read,
                "cache_write": self.cache_write}


@dataclass(slots=True)
class Event:
    """One normalised event. `session_id` is the session the work belongs to (a subagent's events carry
    its parent's id and `subagent_id`). `usage_key` de-duplicates repeated usage across files."""

    session_id: str
    kind: str
    ts: datetime | None = None
    model: str | None = None
    tokens: Tokens | None = None
    usage_key: str | None = None
    uid: str | None = None           # entry id, de-duplicated across files (resumed / copied history)
    cwd: str | None = None
    branch: str | None = None
    subagent_id: str | None = None
    headless: bool = False
    commit_shas: tuple[str, ...] = ()  # SHAs the transcript printed (git commit output, aider commits)
    base_commit: str | None = None     # commit the agent recorded as its starting point
    cost_usd: float | None = None      # a cost the tool itself reported, used only when no price is known
    lower_bound_output: bool = False   # output tokens known to be placeholders (Claude Code 2.1.x)


@dataclass(frozen=True, slots=True)
class SkippedLine:
    file: str
    line: int
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "reason": self.reason}


@dataclass(slots=True)
class Session:
    """Everything the metrics need about one session, accumulated event by event."""

    session_id: str
    source: str
    files: set[str] = field(default_factory=set)
    start: float | None = None          # epoch seconds, UTC
    end: float | None = None
    cwd: str | None = None
    branch: str | None = None
    person: str = "local"
    headless: bool = False
    agent_times: array = field(default_factory=lambda: array("d"))   # 8 bytes per event, not 32
    touch_times: list[tuple[float, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    subagents: set[str] = field(default_factory=set)
    models: dict[str, int] = field(default_factory=dict)        # model -> API calls
    tokens_by_model: dict[str, Tokens] = field(default_factory=dict)
    reported_cost_usd: float = 0.0
    commit_shas: set[str] = field(default_factory=set)
    base_commits: set[str] = field(default_factory=set)
    output_lower_bound: bool = False
    checkpoints: set[str] = field(default_factory=set)          # Entire checkpoint ids
    repository: str | None = None   # the repository a committed transcript was found in

    def count(self, kind: str, n: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n

    def tokens(self) -> Tokens:
        out = Tokens()
        for t in self.tokens_by_model.values():
            out.add(t)
        return out
