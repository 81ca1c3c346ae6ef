"""Generated Claude Code and Codex session logs with a known working style, for `assess demo`, the
benchmark and tests. Each style is a rhythm of human touch points against agent work:

- `pairing`: a person prompts every 2-5 minutes (Level 2);
- `delegating`: a prompt, then 15-40 minutes of agent work, then review (Level 3);
- `unattended`: one prompt, then hours of agent work against tests (Level 4);
- `factory`: headless `claude -p` runs chained by a program, no human prompt (Level 5).

Each API call is written as two or three content-block lines repeating the same usage (the real
pitfall), so readers must de-duplicate.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson

STYLES = ("pairing", "delegating", "unattended", "factory")
MODELS = ("claude-sonnet-4-5-20250929", "claude-opus-4-5-20251101", "claude-haiku-4-5-20251001")
_RHYTHM = {  # (minutes between touch points lo..hi, session length in minutes lo..hi, seconds between agent events)
    "pairing": ((2, 5), (30, 90), (8, 30)),
    "delegating": ((15, 40), (60, 150), (10, 45)),
    "unattended": ((150, 400), (180, 420), (15, 60)),
    "factory": ((10_000, 10_000), (25, 55), (10, 40)),
}


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def session_lines(rng: random.Random, sid: str, start: datetime, style: str, cwd: str,
                  branch: str = "main", padding: int = 0) -> Iterator[bytes]:
    """JSONL lines of one Claude Code session in `style`; `padding` adds that many characters of
    tool output per result (to make large files quickly)."""
    touch_gap, length, agent_gap = _RHYTHM[style]
    end = start + timedelta(minutes=rng.uniform(*length))
    headless = style == "factory"
    entry = "sdk-cli" if headless else "cli"
    t = start
    parent = None
    n = 0
    model = rng.choice(MODELS[:2])
    next_touch = start
    pad = "x" * padding

    def env(kind: str, **kw) -> dict:
        nonlocal parent, n
        n += 1
        u = f"{sid[:8]}-{n:07d}"
        e = {"parentUuid": parent, "isSidechain": False, "userType": "external", "cwd": cwd, "sessionId": sid,
             "version": "2.0.76", "gitBranch": branch, "type": kind, "uuid": u, "timestamp": _iso(t),
             "entrypoint": entry, **kw}
        parent = u
        return e

    while t < end:
        if t >= next_touch:
            yield orjson.dumps(env("user", message={"role": "user", "content": "continue with the next task in the spec"}))
            next_touch = t + timedelta(minutes=rng.uniform(*touch_gap))
        t += timedelta(seconds=rng.uniform(*agent_gap))
        mid, rid = f"msg_{uuid.UUID(int=rng.getrandbits(128)).hex[:24]}", f"req_{rng.getrandbits(64):016x}"
        usage = {"input_tokens": rng.randint(1, 40), "cache_creation_input_tokens": rng.randint(0, 4000),
                 "cache_read_input_tokens": rng.randint(20_000, 150_000), "output_tokens": rng.randint(20, 900),
                 "service_tier": "standard"}
        blocks = [{"type": "thinking", "thinking": "planning", "signature": "sig"}, {"type": "text", "text": "Running the tests."},
                  {"type": "tool_use", "id": f"toolu_{mid[4:]}", "name": "Bash", "input": {"command": "pytest -q"}}]
        for block in blocks[rng.randint(0, 1):]:
            yield orjson.dumps(env("assistant", requestId=rid, message={
                "model": model, "id": mid, "type": "message", "role": "assistant", "content": [block],
                "stop_reason": None, "stop_sequence": None, "usage": usage}))
        t += timedelta(seconds=rng.uniform(1, 20))
        yield orjson.dumps(env("user", message={"role": "user", "content": [
            {"tool_use_id": f"toolu_{mid[4:]}", "type": "tool_result", "content": "12 passed" + pad, "is_error": False}]}))


def write_claude_logs(root: Path, *, engineers: int = 6, days: int = 20, style_of=None,
                      start: datetime | None = None, seed: int = 7, sessions_per_day: tuple[int, int] = (1, 3),
                      project: str = "shop") -> int:
    """Write `~/.claude`-like folders under `root/<engineer>/projects/...`; returns the number of sessions.

    `style_of(engineer_index, day_index) -> style` chooses the working style (default: by engineer)."""
    rng = random.Random(seed)
    start = start or datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    count = 0
    for e in range(engineers):
        folder = root / f"engineer-{e + 1}" / "projects" / f"-home-dev{e + 1}-{project}"
        folder.mkdir(parents=True, exist_ok=True)
        for d in range(days):
            day = start + timedelta(days=d)
            if day.weekday() >= 5:
                continue
            style = style_of(e, d) if style_of else STYLES[e % len(STYLES)]
            t = day + timedelta(minutes=rng.uniform(0, 90))
            for _ in range(rng.randint(*sessions_per_day)):
                sid = str(uuid.UUID(int=rng.getrandbits(128)))
                with open(folder / f"{sid}.jsonl", "wb") as fh:
                    for line in session_lines(rng, sid, t, style, f"/home/dev{e + 1}/{project}"):
                        fh.write(line + b"\n")
                count += 1
                t += timedelta(minutes=rng.uniform(60, 200) if style != "factory" else rng.uniform(2, 8))
    return count


def write_claude_volume(root: Path, megabytes: float, *, seed: int = 11, padding: int = 400) -> int:
    """Write at least `megabytes` MB of Claude Code JSONL under `root/projects/` (for the benchmark)."""
    rng = random.Random(seed)
    target = int(megabytes * 1024 * 1024)
    written = sessions = 0
    t = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)
    folder = root / "projects" / "-home-dev-bench"
    folder.mkdir(parents=True, exist_ok=True)
    while written < target:
        sid = str(uuid.UUID(int=rng.getrandbits(128)))
        style = STYLES[sessions % len(STYLES)]
        with open(folder / f"{sid}.jsonl", "wb", buffering=1024 * 1024) as fh:
            for line in session_lines(rng, sid, t, style, "/home/dev/bench", padding=padding):
                fh.write(line + b"\n")
                written += len(line) + 1
        sessions += 1
        t += timedelta(minutes=97)
    return sessions
