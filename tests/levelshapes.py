"""Histories shaped like each level, written with git fast-import (a real git repository).

``traces=False`` writes the same work with every agent trace removed (agents commit as their
operator, no trailers, no agent branches), for the property that traces are the only thing that
lifts a placement above what a human-only history gets.
"""

from __future__ import annotations

from dataclasses import replace

from assess.synthetic import SynthCommit

T0 = 1_767_600_000  # 2026-01-05 08:00 UTC, a Monday
HOUR = 3600
DAY = 86400
ALICE = ("Alice Human", "alice@team.example")
BOB = ("Bob Human", "bob@team.example")
CLAUDE_TRAILER = "\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"
COPILOT = ("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com")
CLAUDE_BOT = ("claude[bot]", "209825114+claude[bot]@users.noreply.github.com")
ACTIONS = ("github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com")


def code(name: str, n: int, salt: int) -> str:
    return "".join(f"def {name}_{salt}_{i}():\n    return {i + salt}\n" for i in range(n))


def day_time(day: int, hour: int = 10, minute: int = 0) -> int:
    return T0 + day * DAY + (hour - 8) * HOUR + minute * 60


def base(n_human: int = 40, with_tests: bool = True, with_ci: bool = True) -> list[SynthCommit]:
    out = [SynthCommit(ALICE, day_time(0, 9), "Initial commit\n", {"README.md": "# app\n"})]
    if with_ci:
        out.append(SynthCommit(BOB, day_time(0, 11), "CI\n", {".github/workflows/ci.yml": "jobs: {}\n"}))
    for i in range(n_human):
        who = ALICE if i % 2 else BOB
        files = {f"src/mod{i % 7}.py": code("h", 6, i)}
        if with_tests and i % 3 == 0:
            files[f"tests/test_mod{i % 7}.py"] = code("t", 3, i)
        out.append(SynthCommit(who, day_time(1 + i // 3, 9 + (i % 3) * 3), f"Human change {i}\n", files))
    return out


def strip_traces(commits: list[SynthCommit]) -> list[SynthCommit]:
    """The same work with no agent trace: bots commit as the operator, trailers and agent branch
    names gone, agent files renamed out of the catalogue's sight."""
    out = []
    for c in commits:
        author = c.author if "[bot]" not in c.author[0] and "Copilot" not in c.author[1] else ALICE
        committer = None if c.committer is None or "[bot]" in c.committer[0] else c.committer
        msg = c.message.split("\n\nCo-Authored-By:")[0].split("\n\nAgent-Logs-Url:")[0]
        msg = msg.replace("acme/copilot/", "acme/feature/").replace("acme/claude/", "acme/feature/")
        if not msg.endswith("\n"):
            msg += "\n"
        files = {k.replace("CLAUDE.md", "NOTES.md").replace(".claude/", "notes/"): v for k, v in c.files.items()}
        out.append(replace(c, author=author, committer=committer, message=msg, files=files,
                           branch=c.branch.replace("copilot/", "feature/").replace("claude/", "feature/")))
    return out


def level0_2_human_only() -> list[SynthCommit]:
    return base()


def level1_occasional() -> list[SynthCommit]:
    out = base()
    for i in range(2):
        out.append(SynthCommit(ALICE, day_time(20 + i, 10), f"Add docstring {i}" + CLAUDE_TRAILER,
                               {f"src/mod{i}.py": code("doc", 2, 100 + i)}))
    return out


def level2_pairing() -> list[SynthCommit]:
    out = base()
    out.append(SynthCommit(ALICE, day_time(15, 9), "Add CLAUDE.md\n", {"CLAUDE.md": "# rules\n"}))
    for i in range(12):
        files = {f"src/mod{j}.py": code("pair", 5, 200 + i * 10 + j) for j in range(3)}
        out.append(SynthCommit(BOB if i % 2 else ALICE, day_time(16 + i // 2, 14), f"Refactor with agent {i}" + CLAUDE_TRAILER, files))
    return out


def _pr(out: list[SynthCommit], agent: tuple[str, str], branch: str, start: int, n: int, merger: tuple[str, str],
        merge_after: int, pr: int, size: int = 8, gap: int = 600, tests: bool = False,
        trailer: str = "") -> None:
    """An agent branch of ``n`` commits from ``start`` (seconds), merged ``merge_after`` s after its last commit."""
    base_mark = len(out)
    t = start
    for k in range(n):
        files = {f"src/{branch.split('/')[-1]}_{k}.py": code("agent", size, pr * 100 + k)}
        if tests:
            files[f"tests/test_{branch.split('/')[-1]}_{k}.py"] = code("tagent", size, pr * 100 + k)
        out.append(SynthCommit(agent, t, f"Implement part {k} of #{pr}\n" + trailer, files, branch=branch,
                               parent=base_mark if k == 0 else None))
        t += gap
    tip = len(out)
    out.append(SynthCommit(merger, t - gap + merge_after, f"Merge pull request #{pr} from acme/{branch}\n",
                           {}, branch="main", merge=tip))


def level3_agents_merged_by_humans() -> list[SynthCommit]:
    out = base(n_human=15)
    out.append(SynthCommit(ALICE, day_time(6, 9), "Agent setup\n", {"AGENTS.md": "# agents\n"}))
    for p in range(12):
        _pr(out, COPILOT, f"copilot/task-{p}", day_time(7 + p, 10), 3, BOB if p % 2 else ALICE,
            merge_after=30 * HOUR, pr=p, size=4)
    return out


def level4_spec_driven() -> list[SynthCommit]:
    out = base(n_human=4)
    out.append(SynthCommit(ALICE, day_time(3, 9), "Spec-driven setup\n",
                           {"CLAUDE.md": "# rules\n", "specs/001-core/spec.md": "# core\n",
                            ".github/workflows/claude.yml": "steps:\n  - uses: anthropics/claude-code-action@v1\n"}))
    for p in range(10):
        day = 4 + p
        for s in range(2):  # people write specs, and only specs
            out.append(SynthCommit(ALICE if s else BOB, day_time(day, 9, 10 * s), f"Spec for feature {p}.{s}\n",
                                   {f"specs/{p:03d}-feature/spec.md": f"# feature {p}\n" + "- requirement\n" * (5 + s)}))
        # the agent works unattended for hours on its branch with tests, merged soon after, in bulk
        _pr(out, CLAUDE_BOT, f"claude/feature-{p}", day_time(day, 19), 8, ALICE if p % 2 else BOB,
            merge_after=20 * 60, pr=100 + p, size=20, gap=40 * 60, tests=True)
    return out


def level5_dark_factory() -> list[SynthCommit]:
    out = [SynthCommit(ALICE, day_time(0, 9), "Factory setup\n",
                       {"specs/000-system/spec.md": "# system\n", "pipeline/factory.dot": "digraph { a -> b }\n",
                        ".github/workflows/agent.yml": "on: schedule\nsteps:\n  - uses: anthropics/claude-code-action@v1\n",
                        ".github/workflows/ci.yml": "jobs: {}\n"})]
    out.append(SynthCommit(CLAUDE_BOT, day_time(0, 12), "Scaffold\n",
                           {"src/app.py": code("app", 10, 1), "scenarios/checkout.md": "scenario\n",
                            "twins/okta/server.py": code("twin", 5, 2), "tests/test_app.py": code("t", 10, 3)}))
    for p in range(14):
        day = 1 + p
        out.append(SynthCommit(ALICE if p % 2 else BOB, day_time(day, 10), f"Spec {p}\n",
                               {f"specs/{p:03d}-f/spec.md": "- requirement\n" * 6}))
        _pr(out, CLAUDE_BOT, f"claude/f-{p}", day_time(day, 22), 6, ACTIONS, merge_after=5 * 60, pr=200 + p,
            size=25, gap=45 * 60, tests=True)
    return out


def spec_only() -> list[SynthCommit]:
    return [SynthCommit(ALICE if i % 2 else BOB, day_time(i, 10), f"Spec {i}\n",
                        {f"spec-{i}.md": "# spec\n" * (i + 1), "README.md": f"v{i}\n"}) for i in range(30)]


SHAPES = {
    "human-only": (level0_2_human_only, None, (0, 2)),
    "occasional": (level1_occasional, 1, (1, 2)),
    "pairing": (level2_pairing, 2, (2, 3)),
    "agents-merged-by-humans": (level3_agents_merged_by_humans, 3, (3, 4)),
    "spec-driven": (level4_spec_driven, 4, (4, 5)),
    "dark-factory": (level5_dark_factory, 5, (5, 5)),
}


# ---- issue 11 shapes: agents that leave few traces, and people who must not look like agents ----
OPUS = ("Claude Opus 4.6", "noreply@anthropic.com")


def overnight_loop_under_a_persons_name(trailers: bool = True) -> list[SynthCommit]:
    """A headless agent loop run overnight under the operator's git identity: a commit every 3-4
    minutes from 20:00 to 07:00, most with Claude trailers, after ordinary daytime work."""
    out = base()
    t0 = day_time(20, 20)
    for i in range(180):
        msg = f"loop: step {i} of the parser port\n" + (CLAUDE_TRAILER if trailers and i % 30 else "")
        files = {f"src/port{i % 9}.py": code("p", 4, i)}
        if i % 4 == 0:
            files[f"tests/test_port{i % 9}.py"] = code("tp", 2, i)
        out.append(SynthCommit(ALICE, t0 + i * 220 + (i % 3) * 47, msg, files))
    return out


def model_authored_tests_outside() -> list[SynthCommit]:
    """Every change authored by a model identity in multi-day runs; no tests or specs in the
    repository (they are kept outside, as a holdout)."""
    out = [SynthCommit(ALICE, day_time(0, 9), "Initial commit\n", {"README.md": "# compiler\n"})]
    t = day_time(1, 0)
    for i in range(400):
        out.append(SynthCommit(OPUS, t, f"Implement lowering step {i}\n", {f"src/lower{i % 11}.rs": code("r", 5, i)}))
        t += 600 + (i % 7) * 60
    return out


def pairing_team_large_line_share() -> list[SynthCommit]:
    """Two people pairing with an agent in their own sessions on 30% of commits, with large diffs
    on those: every co-authored commit is a person's session, so its lines are mixed."""
    out = base(n_human=0)
    for i in range(100):
        who = ALICE if i % 2 else BOB
        paired = i % 10 < 3
        n = 80 if paired else 6
        msg = f"Change {i}\n" + (CLAUDE_TRAILER if paired else "")
        out.append(SynthCommit(who, day_time(1 + i // 4, 9 + (i % 4) * 2), msg, {f"src/m{i % 13}.py": code("c", n, i)}))
    return out


def distributed_team_round_the_clock() -> list[SynthCommit]:
    """Twelve people in twelve time zones, each at a human pace (a few commits in their own working
    day): the team commits round the clock, no person does."""
    out = base(n_human=0)
    zones = [-8, -6, -5, -3, 0, 1, 2, 3, 5, 8, 9, 10]
    for d in range(30):
        for k, z in enumerate(zones):
            who = (f"Dev {k}", f"dev{k}@team.example")
            for j in range(4):  # 09:30, 11:30, 14:30, 16:30 local
                local_hour = (9, 11, 14, 16)[j]
                t = T0 + (d + 1) * DAY + (local_hour - z) * HOUR + 1800 + (k * 7 + j * 11) * 60 - 8 * HOUR
                tz = f"{'+' if z >= 0 else '-'}{abs(z):02d}00"
                out.append(SynthCommit(who, t, f"Dev {k} change {d}.{j}\n", {f"src/{k}/m{j}.py": code("d", 5, d * 4 + j)},
                                       tz=tz))
    return sorted(out, key=lambda c: c.time)
