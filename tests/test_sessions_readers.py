"""Each reader on small fixtures in its real format, with the pitfalls of sessions.md."""

from __future__ import annotations

from datetime import timezone
from pathlib import Path

import pytest
from sessionfixtures import (
    AIDER_CHAT,
    AIDER_INPUT,
    CLAUDE_MD,
    SPECSTORY_V0,
    SPECSTORY_V1,
    SPECSTORY_V2,
    claude_project,
    codex_home,
    gemini_dir,
    write_text,
)

from assess.sessions.collect import collect
from assess.sessions.detect import sniff_file
from assess.sessions.metrics import session_metrics
from assess.sessions.timeutil import iso


def _m(coll, sid):
    return session_metrics(coll.sessions[sid])


def test_claude_pitfalls(tmp_path: Path) -> None:
    claude_project(tmp_path)
    coll = collect([tmp_path])
    assert set(coll.sessions) == {"sess-main", "sess-resumed"}
    m = _m(coll, "sess-main")
    # repeated usage lines counted once with the highest output; /btw replay and <synthetic> dropped;
    # both subagent layouts belong to the parent
    assert m.tokens.as_dict() == {"input": 48, "output": 370, "cache_read": 6000, "cache_write": 1200}
    assert m.models == {"claude-opus-4-6": 4, "claude-sonnet-4-5-20250929": 1, "claude-haiku-4-5-20251001": 1}
    assert m.subagents == 2
    # harness text is not a prompt; interrupt and tool rejection are touch points; /clear is a command
    assert (m.human_prompts, m.interrupts, m.rejections, m.commands, m.program_prompts) == (2, 1, 1, 1, 0)
    assert m.compactions == 1
    assert m.commit_shas == ["1a2b3c4"]
    assert m.output_lower_bound
    # longest stretch without a touch point: 0.2 .. 5.0 minutes (the 22-minute gap after 7.5 is idle)
    assert m.longest_unattended_seconds == pytest.approx(4.8 * 60, abs=0.5)
    assert m.cwd == "/home/dev/acme" and m.branch == "feat/login"
    r = _m(coll, "sess-resumed")
    # the resumed file's copied history is not counted again
    assert (r.human_prompts, r.tokens.output, r.tokens.input) == (1, 9, 8)
    assert coll.entry_duplicates == 4 and coll.usage_duplicates == 3
    assert m.cost_usd > 0


def test_claude_headless_sdk_prompts_are_program_written(tmp_path: Path) -> None:
    from sessionfixtures import Claude, jl

    c = Claude("s-sdk", entrypoint="sdk-cli")
    jl(tmp_path / "projects" / "p" / "s-sdk.jsonl", [c.prompt(0, "implement spec 3"), c.assistant(1, "m", "r")])
    m = _m(collect([tmp_path]), "s-sdk")
    assert (m.human_prompts, m.program_prompts, m.headless, m.touch_points) == (0, 1, True, 0)


def test_codex_cumulative_counters_and_headless(tmp_path: Path) -> None:
    codex_home(tmp_path)
    coll = collect([tmp_path])
    m = _m(coll, "019e763f-0000-7683-a4e9-a17e2bf964fb")
    # per-turn delta, a repeated total adds nothing, a total-only count is diffed; input excludes cached
    assert m.tokens.as_dict() == {"input": 4500, "output": 500, "cache_read": 1500, "cache_write": 0}
    assert (m.human_prompts, m.interrupts, m.headless) == (1, 1, False)  # injected AGENTS.md is not a prompt
    assert m.base_commits == ["9a2a505d"] and m.commit_shas == ["7c0ffee"]
    assert m.models == {"gpt-5.1-codex-max": 2}   # two turns; the repeat is not a call
    h = _m(coll, "019e7640-0000-7000-8000-000000000002")
    assert (h.headless, h.human_prompts, h.program_prompts) == (True, 0, 1)
    f = _m(coll, "019e7641-0000-7000-8000-000000000003")
    assert f.tokens.as_dict() == {"input": 400, "output": 20, "cache_read": 0, "cache_write": 0}


def test_codex_archived_copy_is_not_counted_twice(tmp_path: Path) -> None:
    import shutil

    codex_home(tmp_path)
    src = next((tmp_path / "sessions").rglob("rollout-2026-05-13T10-*.jsonl"))
    (tmp_path / "archived_sessions").mkdir()
    shutil.copy(src, tmp_path / "archived_sessions" / src.name)
    coll = collect([tmp_path / "sessions", tmp_path / "archived_sessions"])
    assert _m(coll, "019e7640-0000-7000-8000-000000000002").program_prompts == 1


def test_gemini_last_copy_wins_and_rewind(tmp_path: Path) -> None:
    gemini_dir(tmp_path)
    coll = collect([tmp_path])
    m = _m(coll, "a1b2c3d4-gem")
    assert m.tokens.as_dict() == {"input": 5000, "output": 940, "cache_read": 16000, "cache_write": 0}
    assert m.human_prompts == 1   # the rewound prompt is gone
    legacy = _m(coll, "deadbeef-gem")
    assert (legacy.human_prompts, legacy.tokens.input, legacy.tokens.output) == (1, 1000, 100)


def test_aider_prompts_tokens_and_local_times(tmp_path: Path) -> None:
    write_text(tmp_path / "repo" / ".aider.chat.history.md", AIDER_CHAT)
    write_text(tmp_path / "repo" / ".aider.input.history", AIDER_INPUT)
    coll = collect([tmp_path], local_tz=timezone.utc)
    ms = sorted((session_metrics(s) for s in coll.sessions.values()), key=lambda m: m.start)
    assert len(ms) == 2
    first, second = ms
    assert (first.human_prompts, first.commands, first.interrupts) == (2, 1, 1)  # a 2-line prompt is one prompt
    assert first.commit_shas == ["af7d767"]
    assert first.tokens.as_dict() == {"input": 1900, "output": 638, "cache_read": 0, "cache_write": 0}
    assert iso(first.start) == "2026-05-02T13:55:39Z"
    assert iso(first.end) == "2026-05-02T14:01:00Z"   # times of later prompts from the input history
    assert second.tokens.as_dict() == {"input": 2000, "output": 1200, "cache_read": 8000, "cache_write": 2000}
    # the same files read in another zone shift by its offset (names are local time)
    coll2 = collect([tmp_path], local_tz=__import__("zoneinfo").ZoneInfo("America/Denver"))
    starts = sorted(s.start for s in coll2.sessions.values())
    assert starts[0] - first.start == 6 * 3600


def test_specstory_three_generations(tmp_path: Path) -> None:
    hist = tmp_path / ".specstory" / "history"
    write_text(hist / "executing-phase-1-with-@plan-md.md", SPECSTORY_V0)
    write_text(hist / "2025-04-27_19-26-fix-the-session-flow.md", SPECSTORY_V1)
    write_text(hist / "2026-07-13_13-40-49Z-fix-the-flaky-test.md", SPECSTORY_V2)
    coll = collect([tmp_path], local_tz=timezone.utc)
    by_start = {iso(s.start): session_metrics(s) for s in coll.sessions.values()}
    v0 = by_start["2025-02-13T09:33:58Z"]          # locale title, read in the given zone
    assert (v0.human_prompts, v0.tool_calls) == (2, 2)
    v1 = by_start["2025-04-27T19:26:00Z"]          # the UTC file name wins over the local title 15:26:44
    assert v1.human_prompts == 1
    v2 = coll.sessions["5c7d5c23-0691-4467-b98e-0fb865b4a639"]
    m2 = session_metrics(v2)
    assert (m2.human_prompts, m2.subagents, m2.tool_calls) == (2, 1, 1)   # the sidechain prompt is not human
    assert iso(m2.end) == "2026-07-13T14:10:20Z"


def test_claude_markdown_transcript(tmp_path: Path) -> None:
    write_text(tmp_path / ".claude" / "transcripts" / "2026-02-13T23-56-00-look.md", CLAUDE_MD)
    coll = collect([tmp_path])
    m = _m(coll, "5a0ddcd0-5487-4794-99ac-143f6bb9e248")
    assert (m.human_prompts, m.interrupts, m.tool_calls) == (1, 1, 2)   # <task-notification> is harness text
    assert iso(m.end) == "2026-02-14T00:07:00Z"                         # ran past midnight UTC
    # the header's token figure sums cache and input over repeated lines: not used
    assert m.tokens.total() == 0 and m.models == {"claude-haiku-4-5-20251001": 1}


def test_claude_markdown_later_file_of_a_session_is_a_subagent(tmp_path: Path) -> None:
    folder = tmp_path / ".claude" / "transcripts"
    write_text(folder / "2026-02-13T23-56-00-look.md", CLAUDE_MD)
    sub = CLAUDE_MD.replace("Look at the existing settings", "Read these files in full and report")
    write_text(folder / "2026-02-13T23-57-00-read-these-files.md", sub)
    m = _m(collect([tmp_path]), "5a0ddcd0-5487-4794-99ac-143f6bb9e248")
    assert (m.human_prompts, m.interrupts, m.subagents) == (1, 1, 1)   # the subagent's prompt is the parent's


def test_rendered_transcript_of_a_raw_session_is_not_counted_twice(tmp_path: Path) -> None:
    from sessionfixtures import Claude, jl

    c = Claude("5c7d5c23-0691-4467-b98e-0fb865b4a639")
    jl(tmp_path / "projects" / "p" / "5c7d5c23-0691-4467-b98e-0fb865b4a639.jsonl",
       [c.prompt(0), c.assistant(1, "m1", "r1")])
    write_text(tmp_path / "repo" / ".specstory" / "history" / "2026-07-13_13-40-49Z-x.md", SPECSTORY_V2)
    coll = collect([tmp_path])
    m = _m(coll, "5c7d5c23-0691-4467-b98e-0fb865b4a639")
    assert m.source == "claude-code" and m.human_prompts == 1


@pytest.mark.parametrize("name,text,expected", [
    ("x.jsonl", '{"type":"summary","summary":"t","leafUuid":"u"}\n{"sessionId":"s","type":"user","uuid":"a"}\n', "claude-code"),
    ("x.jsonl", '{"timestamp":"t","type":"session_meta","payload":{"id":"i"}}\n', "codex"),
    ("x.jsonl", '{"sessionId":"s","projectHash":"h","startTime":"t"}\n', "gemini"),
    ("notes.md", "# My notes\n\nnothing here\n", None),
    ("x.jsonl", '{"display":"hi","timestamp":1,"project":"/p","sessionId":"s"}\n', None),  # history.jsonl
    ("x.jsonl", "[1,2,3]\n", None),
])
def test_detection_by_content(tmp_path: Path, name: str, text: str, expected: str | None) -> None:
    p = write_text(tmp_path / name, text)
    assert sniff_file(p) == expected
