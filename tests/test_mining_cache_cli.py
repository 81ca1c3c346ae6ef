"""Incremental cache, artefacts, the `assess repo` command, its JSON schema and its errors."""

from __future__ import annotations

import csv
import json

import jsonschema
import pytest
from click.testing import CliRunner

from assess.cli import main
from assess.mining import mine_repository
from assess.resources import package_file


def _schema():
    return json.loads(package_file("schemas", "evidence.schema.json").read_text())


def test_incremental_cache_parses_only_new_commits(make_repo):
    r = make_repo()
    for i in range(6):
        r.commit(f"c{i}", {f"f{i}": "x\n"})
    first = mine_repository(r.path)
    assert first.stats.cache == "miss" and first.stats.parsed_commits == 6
    again = mine_repository(r.path)
    assert again.stats.cache == "hit" and again.stats.parsed_commits == 0 and len(again.commits) == 6
    for i in range(3):
        r.commit(f"n{i}", {f"n{i}": "x\n"})
    inc = mine_repository(r.path)
    assert inc.stats.cache == "incremental" and inc.stats.parsed_commits == 3
    fresh = mine_repository(r.path, use_cache=False)
    assert list(inc.commits["sha"]) == list(fresh.commits["sha"])
    assert inc.files.equals(fresh.files)


def test_rewritten_history_rebuilds_cache(make_repo):
    r = make_repo()
    for i in range(4):
        r.commit(f"c{i}", {f"f{i}": "x\n"})
    mine_repository(r.path)
    r.git("reset", "-q", "--hard", "HEAD~2")
    r.commit("rewritten", {"g": "y\n"})
    m = mine_repository(r.path)
    assert m.stats.cache == "rebuilt" and m.stats.parsed_commits == 3
    assert "c3" not in set(m.commits["subject"])


def test_cache_of_another_repository_is_not_trusted(make_repo, monkeypatch):
    a = make_repo("a")
    a.commit("a0", {"x": "1"})
    b = make_repo("b")
    b.commit("b0", {"y": "1"})
    mine_repository(a.path)
    # force both repositories onto the same cache file
    from assess.mining import cache as cache_mod

    monkeypatch.setattr(cache_mod, "cache_path", lambda common_dir, rev: cache_mod.cache_dir() / "same.json")
    mine_repository(a.path)
    m = mine_repository(b.path)
    assert m.stats.cache != "hit" and list(m.commits["subject"]) == ["b0"]


def test_corrupt_cache_is_rebuilt(make_repo):
    r = make_repo()
    r.commit("c0", {"x": "1"})
    mine_repository(r.path)
    from assess.mining import cache as cache_mod

    for f in cache_mod.cache_dir().glob("history-*.json"):
        f.write_bytes(b"{not json")
    m = mine_repository(r.path)
    assert m.stats.cache == "miss" and len(m.commits) == 1


def test_artefacts_at_head_and_first_seen(make_repo):
    r = make_repo()
    r.commit("start", {"src/a.py": "x\n"}, date="2024-01-01T00:00:00+00:00")
    r.commit("add claude", {"CLAUDE.md": "# rules\n"}, date="2024-02-01T00:00:00+00:00")
    r.commit("agents and specs", {"AGENTS.md": "x", "specs/001-login/spec.md": "s", ".cursor/rules/a.mdc": "r",
                                  ".github/workflows/agent.yml": "uses: anthropics/claude-code-action@v1\n",
                                  ".github/workflows/ci.yml": "run: pytest\n", "tests/test_a.py": "t",
                                  "tests/fixtures/proj/CLAUDE.md": "fixture"},
             date="2024-03-01T00:00:00+00:00")
    r.commit("drop agents", {}, delete=["AGENTS.md"], date="2024-04-01T00:00:00+00:00")
    arts = {(a["id"], a["path"]): a for a in mine_repository(r.path, use_cache=False).artefacts}
    claude = arts[("claude-md", "CLAUDE.md")]
    assert claude["first_seen"].startswith("2024-02-01") and claude["present_at_head"] and claude["location"] == "root"
    assert arts[("claude-md", "tests/fixtures/proj/CLAUDE.md")]["location"] == "fixture"
    assert not arts[("agents-md", "AGENTS.md")]["present_at_head"]
    assert ("cursorrules", ".cursor/rules/") in arts
    assert ("agent-workflow", ".github/workflows/agent.yml") in arts
    assert ("agent-workflow", ".github/workflows/ci.yml") not in arts  # no agent in it
    assert ("spec-kit", "specs/") in arts
    assert any(a["kind"] == "tests" for a in arts.values())


def test_cli_json_csv_schema_and_privacy(make_repo, tmp_path):
    r = make_repo()
    r.commit("human\n", {"a.py": "1\n"}, author=("Grace Secret", "grace@secret.example"))
    r.commit("agent\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n", {"b.py": "1\n2\n"},
             author=("Grace Secret", "grace@secret.example"))
    r.commit("Bump x\n", {"req.txt": "x\n"}, author=("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"))
    r.commit("aider edit\n", {"c.py": "1\n"}, author=("Grace Secret (aider)", "grace@secret.example"))
    out, csv_path = tmp_path / "ev.json", tmp_path / "commits.csv"
    res = CliRunner().invoke(main, ["repo", str(r.path), "--json", str(out), "--commits", str(csv_path)])
    assert res.exit_code == 0, res.output
    assert "Claude Code" in res.output
    ev = json.loads(out.read_text())
    jsonschema.validate(ev, _schema())
    assert ev["attribution"]["by_class"] == {"human": 1, "ai": 2, "automation": 1}
    assert ev["attribution"]["by_agent"] == {"claude-code": 1, "aider": 1}
    assert ev["attribution"]["window"]["ai_share_commits"] == round(2 / 3, 4)
    rows = list(csv.DictReader(csv_path.open()))
    assert set(rows[0]) >= {"sha", "author_time", "class", "agent", "matched_by", "files", "added", "deleted"}
    blob = out.read_text() + csv_path.read_text() + res.output
    assert "Grace" not in blob and "secret.example" not in blob
    res2 = CliRunner().invoke(main, ["repo", str(r.path), "--json", "-", "--show-identities", "-q"])
    assert res2.exit_code == 0
    shown = json.loads(res2.output)
    jsonschema.validate(shown, _schema())
    assert shown["identities"]["people"][0]["email"] == "grace@secret.example"


@pytest.mark.parametrize("setup,expect", [
    ("missing", "no such directory"),
    ("not_repo", "not a git repository"),
    ("empty", "no commits yet"),
    ("bad_sig", "field 'entries.0.kind'"),
])
def test_cli_errors_are_one_line_without_traceback(make_repo, tmp_path, setup, expect):
    args = []
    target = tmp_path / "missing"
    if setup == "not_repo":
        target = tmp_path / "plain"
        target.mkdir()
    elif setup == "empty":
        target = make_repo().path
    elif setup == "bad_sig":
        r = make_repo()
        r.commit("x", {"a": "1"})
        target = r.path
        sig = tmp_path / "sig.yaml"
        sig.write_text("entries:\n  - {id: x, name: X, kind: robot, rules: []}\n")
        args = ["--signatures", str(sig)]
    out = tmp_path / "out.json"
    out.write_text("previous contents")
    res = CliRunner().invoke(main, ["repo", str(target), "--json", str(out), *args])
    assert res.exit_code != 0
    assert expect in res.output
    assert "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1
    assert out.read_text() == "previous contents"  # never a half-written or clobbered output
    assert not list(tmp_path.glob(".out.json.*"))


def test_python_dash_m_entry_point(make_repo):
    import subprocess
    import sys

    r = make_repo()
    r.commit("x", {"a": "1"})
    proc = subprocess.run([sys.executable, "-m", "assess", "repo", str(r.path), "--json", "-", "-q"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["repository"]["commits"] == 1


def test_changed_mailmap_invalidates_the_cache(make_repo):
    r = make_repo()
    r.commit("one", {"a": "1"}, author=("Old Name", "old@example.com"))
    r.commit("two", {"b": "1"}, author=("New Name", "new@example.com"))
    assert mine_repository(r.path).commits["author_email"].nunique() == 2
    r.commit("mailmap", {".mailmap": "New Name <new@example.com> Old Name <old@example.com>\n"},
             author=("New Name", "new@example.com"))
    m = mine_repository(r.path)
    assert m.stats.cache != "incremental" and m.commits["author_email"].nunique() == 1


def test_until_keeps_the_main_line_and_its_merges(make_repo):
    r = make_repo()
    r.commit("base", {"a.py": "1\n"}, date="2024-01-01T10:00:00+00:00")
    r.branch("copilot/fix-a")
    r.commit("agent", {"b.py": "2\n"}, author=("copilot-swe-agent[bot]", "198982749+Copilot@users.noreply.github.com"),
             date="2024-01-02T10:00:00+00:00")
    r.checkout("main")
    r.merge("copilot/fix-a", "Merge pull request #1 from acme/copilot/fix-a", date="2024-01-03T10:00:00+00:00")
    r.commit("later", {"c.py": "3\n"}, date="2024-06-01T10:00:00+00:00")
    from assess.mining import build_evidence

    ev = build_evidence(mine_repository(r.path, until="2024-02-01", use_cache=False))
    assert ev["signals"]["window"]["ai_merges_by_human"] == 1


def test_future_dated_commit_does_not_move_the_window(make_repo):
    r = make_repo()
    for i in range(5):
        r.commit(f"c{i}\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n", {f"f{i}.py": "x\n"},
                 date=f"2024-03-0{i + 1}T10:00:00+00:00")
    r.commit("clock skew", {"g.py": "y\n"}, date="2099-11-20T10:00:00+00:00")
    from assess.mining import build_evidence

    ev = build_evidence(mine_repository(r.path, use_cache=False))
    assert ev["signals"]["window"]["ai_code_commits"] == 5
    assert any("dated in the future" in c for c in ev["caveats"])
