"""Commit links in a report of several repositories point into the right repository."""

from __future__ import annotations

from assess.report import build_report

TRAILER = "\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"


def test_dimension_evidence_links_commits_of_the_forge_repository(make_repo):
    plain = make_repo("plain")
    for i in range(12):
        plain.commit(f"p{i}\n", {f"src/p{i}.py": "x = 1\n"})
    forge = make_repo("forge")
    forge.git("remote", "add", "origin", "https://github.com/acme/forge.git")
    for i in range(12):
        forge.commit(f"f{i}\n" + (TRAILER if i % 2 else ""), {f"src/f{i}.py": "y = 2\n" * 3})
    forge_shas = set(forge.git("log", "--format=%H").split())
    report = build_report([plain.path, forge.path], use_cache=False)
    cited = [c for d in report["dimensions"] for side in ("for", "against", "context")
             for item in d.get(side, []) for c in item.get("commits", [])]
    assert cited, "the placement cites commits"
    for c in cited:
        if c["sha"] in forge_shas:
            assert c["url"] == f"https://github.com/acme/forge/commit/{c['sha']}"
        else:
            assert c["url"] is None
    assert any(c["url"] for c in cited)
