"""Attribution: one fixture per agent signature and per look-alike, built with real git."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from assess.errors import InputError
from assess.mining import mine_repository
from assess.mining.catalogue import load_catalogue

HUMAN = ("Ada Dev", "ada@example.com")

# (agent id, channel, commit kwargs) — strings taken from the public sources in agents.yaml
SIGNATURES = [
    ("claude-code", "co-author", {"message": "Add parser\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"}),
    ("claude-code", "co-author", {"message": "Add parser\n\n\U0001f916 Generated with [Claude Code](https://claude.com/claude-code)\n\nCo-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>\n"}),
    ("claude-code", "message", {"message": "Add parser\n\n\U0001f916 Generated with [Claude Code](https://claude.ai/code)\n"}),
    ("claude-code", "author", {"author": ("claude[bot]", "209825114+claude[bot]@users.noreply.github.com")}),
    ("claude-code", "author", {"author": ("claude[bot]", "41898282+claude[bot]@users.noreply.github.com")}),
    ("claude-code", "co-author", {"message": "Fix\n\nClaude-Session: https://claude.ai/code/session_01KknJSv8vijv85bNpvfWr5a\n"}),
    ("aider", "author", {"author": ("Ada Dev (aider)", "ada@example.com"), "committer": ("Ada Dev (aider)", "ada@example.com")}),
    # aider's committer suffix alone is on the person's own edits too: low confidence, assisted
    ("aider", "assisted", {"committer": ("Ada Dev (aider)", "ada@example.com")}),
    ("aider", "co-author", {"message": "fix\n\nCo-authored-by: aider (anthropic/claude-sonnet-4-20250514) <aider@aider.chat>\n"}),
    ("aider", "message", {"message": "aider: fix parser\n"}),
    ("copilot-agent", "author", {"author": ("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com")}),
    ("copilot-agent", "co-author", {"message": "Squash (#12)\n\nCo-authored-by: copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>\n"}),
    ("copilot-agent", "co-author", {"message": "Fix\n\nAgent-Logs-Url: https://github.com/xhluca/bm25s/sessions/31474705-fbd9-4eed-bbb9-f011558ccd5e\n"}),
    ("copilot-cli", "assisted", {"message": "Fix\n\nCo-authored-by: Copilot <223556219+Copilot@users.noreply.github.com>\n"}),
    ("copilot-agent", "co-author", {"message": "Fix parser (#12)\n\n* Fix\n\n<!-- START COPILOT CODING AGENT TIPS -->\n---\n\n"
                                               "Tip text.\n\nCo-authored-by: copilot-swe-agent[bot] "
                                               "<198982749+Copilot@users.noreply.github.com>\n"}),
    ("codex", "co-author", {"message": "Fix\n\nCo-authored-by: Codex <noreply@openai.com>\n"}),
    ("codex", "author", {"author": ("chatgpt-codex-connector[bot]", "199175422+chatgpt-codex-connector[bot]@users.noreply.github.com")}),
    ("cursor", "co-author", {"message": "[ROCm][Perf] tune (#53623)\n\nCo-authored-by: Cursor <cursoragent@cursor.com>\n"}),
    ("cursor", "author", {"author": ("Cursor Agent", "cursoragent@cursor.com")}),
    ("devin", "author", {"author": ("Devin AI", "158243242+devin-ai-integration[bot]@users.noreply.github.com")}),
    ("jules", "author", {"author": ("google-labs-jules[bot]", "161369871+google-labs-jules[bot]@users.noreply.github.com")}),
    ("openhands", "author", {"author": ("openhands", "openhands@all-hands.dev")}),
    ("amp", "co-author", {"message": "Fix\n\nAmp-Thread-ID: https://ampcode.com/threads/T-019c62c5-ce64-720a-b597-4decc9036d53\nCo-authored-by: Amp <amp@ampcode.com>\n"}),
    ("factory", "co-author", {"message": "Fix\n\nCo-authored-by: factory-droid[bot] <138933559+factory-droid[bot]@users.noreply.github.com>\n"}),
    ("gemini-cli", "author", {"author": ("gemini-cli[bot]", "gemini-cli[bot]@users.noreply.github.com")}),
    ("amazon-q", "author", {"author": ("amazon-q-developer[bot]", "208079219+amazon-q-developer[bot]@users.noreply.github.com")}),
    ("windsurf", "co-author", {"message": "Fix\n\nCo-authored-by: Windsurf <noreply@codeium.com>\n"}),
    ("cline", "author", {"author": ("cline[bot]", "205137888+cline[bot]@users.noreply.github.com")}),
    ("junie", "author", {"author": ("junie-agent", "247260674+junie-agent@users.noreply.github.com")}),
    ("sweep", "author", {"author": ("sweep-ai[bot]", "128439645+sweep-ai[bot]@users.noreply.github.com")}),
    ("generic-disclosure", "co-author", {"message": "net: fix\n\nGenerated-by: some-llm v2\n"}),
    ("generic-disclosure", "co-author", {"message": "net: fix\n\nAssisted-by: OpenAI GPT-5.4\n"}),
    ("generic-disclosure", "co-author", {"message": "Update (#4254)\n\nCloses #4252\n\nAssisted-by: GitHub Copilot (model: "
                                                    "claude-sonnet-4.6, autonomous)\n\nCo-authored-by: Jane <jane@x.example>\n"}),
    ("claude-code", "co-author", {"message": "mm: fix\n\nAssisted-by: Claude Opus 4.6\nSigned-off-by: A <a@x.example>\n"}),
    ("claude-code", "author", {"author": ("Claude Opus 4.7 (1M context)", "noreply@anthropic.com"),
                               "committer": ("Lukas", "lukas@example.com")}),
    ("claude-code", "co-author", {"message": "Squash (#3)\n\n* step one\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n\n"
                                             "* step two: a long plan follows\n\nmore prose\n"}),
    ("amp", "author", {"author": ("Amp", "amp@ampcode.com")}),
    ("amp", "co-author", {"message": "Squash (#9)\n\nAmp-Thread-ID:\n https://ampcode.com/threads/T-019c62c5-ce64-720a\n\nprose\n"}),
    ("codex", "co-author", {"message": "Fix\n\nCo-authored-by: Codex <codex@openai.com>\n"}),
    ("sisyphus", "co-author", {"message": "Fix\n\nCo-authored-by: Sisyphus <clio-agent@sisyphuslabs.ai>\n"}),
]

AUTOMATION = [
    ("dependabot", ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"), "Bump x from 1 to 2"),
    ("renovate", ("renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com"), "chore(deps): update x"),
    ("github-actions", ("github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com"), "release 1.2"),
    ("pre-commit-ci", ("pre-commit-ci[bot]", "66853113+pre-commit-ci[bot]@users.noreply.github.com"),
     "[pre-commit.ci] auto fixes from pre-commit.com hooks"),
    ("mergify", ("mergify[bot]", "37929162+mergify[bot]@users.noreply.github.com"), "merge queue"),
    ("github-actions", ("GitHub Actions", "actions@github.com"), "chore: bump Claude Code to 2.1.0"),
]

LOOKALIKES = [
    # a person called Claude, with their own address
    {"author": ("Claude Monet", "claude@monet.example")},
    # prose that names the tools
    {"message": "Compare Copilot and Cursor output\n\nWe tried Claude Code and Devin; see notes.\n"},
    # a human co-author trailer
    {"message": "Pair work\n\nCo-authored-by: Jane Roe <jane@example.com>\n"},
    # a human co-author at a company domain with a bot-like name
    {"message": "Fix\n\nCo-authored-by: Claude Dupont <claude.dupont@anthropic-partners.example>\n"},
    # the Claude footer quoted in the middle of prose, not in a trailer block, and no trailer
    {"message": "Docs\n\nOur policy: agents must add Co-Authored-By lines.\nNothing else here.\n"},
    # a user account literally named codex / cursor (no bot id)
    {"author": ("codex", "codex@users.noreply.github.com")},
    {"author": ("cursor", "12345+cursor@users.noreply.github.com")},
    # aider mentioned mid-subject
    {"message": "Document how aider: prefix works\n"},
    # a person called Claude credited with Assisted-by
    {"message": "Fix\n\nAssisted-by: Claude Martin <claude.martin@corp.example>\n"},
    # a person credited with Assisted-by (git.git 2013, 2016)
    {"message": "Fix\n\nAssisted-by: Junio C Hamano <gitster@pobox.com>\nSigned-off-by: A <a@x.example>\n"},
]


def _commit(r, i, **kw):
    author = kw.pop("author", HUMAN)
    message = kw.pop("message", f"change {i}\n")
    return r.commit(message, {f"f{i}.txt": f"{i}\n"}, author=author, **kw)


@pytest.mark.parametrize("agent,channel,kw", SIGNATURES, ids=[f"{a}-{c}-{i}" for i, (a, c, _) in enumerate(SIGNATURES)])
def test_agent_signature(make_repo, agent, channel, kw):
    r = make_repo()
    _commit(r, 0)
    sha = _commit(r, 1, **dict(kw))
    m = mine_repository(r.path, use_cache=False)
    row = m.commits.set_index("sha").loc[sha]
    assert row["class"] == "ai", row["matched_by"]
    assert row["agent"] == agent
    assert row["channel"] == channel
    assert row["matched_by"].startswith(f"{agent}/")
    other = m.commits[m.commits["sha"] != sha].iloc[0]
    assert other["class"] == "human" and pd.isna(other["agent"])


@pytest.mark.parametrize("bot,author,subject", AUTOMATION, ids=[a[0] for a in AUTOMATION])
def test_automation_is_never_ai(make_repo, bot, author, subject):
    r = make_repo()
    sha = r.commit(subject + "\n", {"deps.txt": "1\n"}, author=author)
    row = mine_repository(r.path, use_cache=False).commits.set_index("sha").loc[sha]
    assert row["class"] == "automation" and row["agent"] == bot


@pytest.mark.parametrize("kw", LOOKALIKES, ids=range(len(LOOKALIKES)))
def test_lookalikes_stay_human(make_repo, kw):
    r = make_repo()
    sha = _commit(r, 0, **dict(kw))
    row = mine_repository(r.path, use_cache=False).commits.set_index("sha").loc[sha]
    assert row["class"] == "human", row["matched_by"]


def test_human_revert_of_agent_commit_stays_human(make_repo):
    r = make_repo()
    _commit(r, 0)
    agent_sha = _commit(r, 1, message="aider: add thing\n\nCo-authored-by: aider (gpt) <aider@aider.chat>\n")
    r.git("revert", "--no-edit", agent_sha, env={"GIT_AUTHOR_NAME": HUMAN[0], "GIT_AUTHOR_EMAIL": HUMAN[1],
                                                   "GIT_COMMITTER_NAME": HUMAN[0], "GIT_COMMITTER_EMAIL": HUMAN[1]})
    m = mine_repository(r.path, use_cache=False)
    revert = m.commits[m.commits["subject"].str.startswith("Revert")].iloc[0]
    assert revert["class"] == "human"
    assert m.commits.set_index("sha").loc[agent_sha, "class"] == "ai"


def test_review_bot_coauthor_is_review_credit_not_authorship(make_repo):
    r = make_repo()
    sha = _commit(r, 0, message="Apply suggestions from code review\n\nCo-authored-by: coderabbitai[bot] "
                                "<136622811+coderabbitai[bot]@users.noreply.github.com>\n")
    row = mine_repository(r.path, use_cache=False).commits.set_index("sha").loc[sha]
    assert row["class"] == "human" and row["review_bot"] == "ai-review"


def test_vscode_copilot_trailer_is_low_confidence(make_repo):
    r = make_repo()
    sha = _commit(r, 0, message="Edit\n\nCo-authored-by: Copilot <copilot@github.com>\n")
    row = mine_repository(r.path, use_cache=False).commits.set_index("sha").loc[sha]
    assert row["agent"] == "copilot-vscode" and row["confidence"] == "low" and row["channel"] == "assisted"


def test_agent_branch_merge_attributes_branch_commits(make_repo):
    r = make_repo()
    _commit(r, 0)
    r.branch("copilot/fix-the-parser")
    b1 = _commit(r, 1)
    b2 = _commit(r, 2)
    r.checkout("main")
    main_sha = _commit(r, 3)
    merge = r.merge("copilot/fix-the-parser", "Merge pull request #7 from acme/copilot/fix-the-parser")
    c = mine_repository(r.path, use_cache=False).commits.set_index("sha")
    for sha in (b1, b2):
        assert c.loc[sha, "class"] == "ai" and c.loc[sha, "channel"] == "branch"
        assert c.loc[sha, "agent"] == "copilot-agent"
    assert c.loc[main_sha, "class"] == "human"
    assert c.loc[merge, "class"] == "human"  # the person who merged
    assert c.loc[merge, "merged_branch"] == "copilot/fix-the-parser"


def test_human_commit_on_an_agent_pull_request_stays_human(make_repo):
    r = make_repo()
    _commit(r, 0)
    r.branch("copilot/fix-stdout")
    bot = _commit(r, 1, author=("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com"))
    person = _commit(r, 2)  # the maintainer pushes a fix onto the agent's branch
    r.checkout("main")
    _commit(r, 3)
    r.merge("copilot/fix-stdout", "Merge pull request #5 from acme/copilot/fix-stdout")
    c = mine_repository(r.path, use_cache=False).commits.set_index("sha")
    assert c.loc[bot, "class"] == "ai" and c.loc[bot, "delegated"]
    assert c.loc[person, "class"] == "human"


def test_owner_named_like_an_agent_is_not_a_branch_signal(make_repo):
    r = make_repo()
    _commit(r, 0)
    r.branch("feature")
    b1 = _commit(r, 1)
    r.checkout("main")
    _commit(r, 2)
    r.merge("feature", "Merge pull request #8 from claude/main")  # fork owner 'claude', branch 'main'
    c = mine_repository(r.path, use_cache=False).commits.set_index("sha")
    assert c.loc[b1, "class"] == "human"


def test_git_ai_notes_and_agent_trace(make_repo):
    r = make_repo()
    human = _commit(r, 0)
    noted = r.commit("plain message\n", {"src/main.rs": "".join(f"l{i}\n" for i in range(20))}, author=HUMAN)
    note = ("src/main.rs\n  abcd1234abcd1234 1-10,15-20\n---\n"
            + json.dumps({"schema_version": "authorship/3.0.0", "prompts": {"abcd1234abcd1234": {
                "agent_id": {"tool": "cursor", "id": "x", "model": "m"}}}}))
    r.git("notes", "--ref=ai", "add", "-m", note, noted)
    traced = r.commit("another\n", {"b.py": "".join(f"x{i}\n" for i in range(4))}, author=HUMAN)
    trace = {"version": "0.1.0", "id": "u", "timestamp": "t", "vcs": {"type": "git", "revision": traced},
             "tool": {"name": "claude-code"}, "files": [{"path": "b.py", "conversations": [
                 {"contributor": {"type": "ai"}, "ranges": [{"start_line": 1, "end_line": 4}]}]}]}
    r.commit("trace\n", {".agent-trace/traces.jsonl": json.dumps(trace) + "\n"}, author=HUMAN)
    m = mine_repository(r.path, use_cache=False)
    c = m.commits.set_index("sha")
    assert c.loc[noted, "ai_lines"] == 16 and c.loc[noted, "class"] == "ai" and c.loc[noted, "agent"] == "cursor"
    assert c.loc[traced, "ai_lines"] == 4 and c.loc[traced, "agent"] == "claude-code"
    assert c.loc[human, "class"] == "human"
    assert set(m.line_records["sha"]) == {noted, traced}
    from assess.mining import build_evidence

    covered = build_evidence(m)["attribution"]["line_records"]
    assert covered["commits_covered"] == 2 and set(covered["covered_commits"]) == {noted, traced}
    assert covered["ai_lines"] == 20


def test_user_signatures_extend_the_catalogue(make_repo, tmp_path):
    sig = tmp_path / "sig.yaml"
    sig.write_text("entries:\n  - id: inhouse-bot\n    name: In-house agent\n    kind: agent\n    rules:\n"
                   "      - {id: email, field: author_email, pattern: '^agent@corp\\.example$'}\n")
    r = make_repo()
    sha = _commit(r, 0, author=("Corp Agent", "agent@corp.example"))
    row = mine_repository(r.path, use_cache=False, signatures=sig).commits.set_index("sha").loc[sha]
    assert row["class"] == "ai" and row["agent"] == "inhouse-bot"


@pytest.mark.parametrize("text,line,field", [
    ("entries:\n  - id: x\n    name: X\n    kind: robot\n    rules: []\n", 4, "entries.0.kind"),
    ("entries:\n  - id: x\n    name: X\n    kind: agent\n    rules:\n      - {id: r, field: author_email, pattern: '(unclosed'}\n",
     6, "entries.0.rules.0.pattern"),
    ("entries:\n  - id: x\n    name: X\n    kind: agent\n    rules:\n      - {id: r, field: trailer, pattern: 'a'}\n",
     6, "entries.0.rules.0.key"),
    ("entries: [\n", 2, None),
])
def test_malformed_catalogue_names_file_line_field(tmp_path, text, line, field):
    sig = tmp_path / "bad.yaml"
    sig.write_text(text)
    with pytest.raises(InputError) as exc:
        load_catalogue(sig)
    assert exc.value.line == line
    assert exc.value.field == field
    assert str(sig) in str(exc.value)


def test_bundled_catalogue_covers_required_agents_and_bots():
    cat = load_catalogue()
    required_agents = {"claude-code", "aider", "copilot-agent", "cursor", "devin", "jules", "openhands", "amp",
                       "factory", "codex", "gemini-cli", "amazon-q", "windsurf", "cline", "junie", "sweep"}
    assert required_agents <= {k for k, e in cat.entries.items() if e.kind == "agent"}
    assert {"dependabot", "renovate", "github-actions", "pre-commit-ci"} <= {
        k for k, e in cat.entries.items() if e.kind == "automation"}
    assert all(e.source for e in cat.entries.values())


def test_agent_author_committed_by_a_person_is_a_session_not_delegation(make_repo):
    r = make_repo()
    session = _commit(r, 0, author=("Claude Opus 4.8", "noreply@anthropic.com"),
                      committer=("Bo", "134181853+bo2themax@users.noreply.github.com"))
    own = _commit(r, 1, author=("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com"),
                  committer=("GitHub", "noreply@github.com"))
    c = mine_repository(r.path, use_cache=False).commits.set_index("sha")
    assert c.loc[session, "class"] == "ai" and not c.loc[session, "delegated"]
    assert c.loc[own, "delegated"]


def test_free_text_trailer_values_never_reach_matched_by(make_repo):
    r = make_repo()
    sha = _commit(r, 0, message="Fix\n\nAssisted-by: GPT-5 via Grace Hopper <grace@secret.example>\n")
    row = mine_repository(r.path, use_cache=False).commits.set_index("sha").loc[sha]
    assert row["class"] == "ai" and "grace" not in row["matched_by"].lower()
