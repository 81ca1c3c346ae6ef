"""Wording of `assess repo` that misled on real repositories: a Copilot CLI co-author trailer was called
an "editor-level" marker ("1 commits carry ..."), and the window's AI share of all changed lines stood
next to the placement's share of code lines with nothing to tell them apart."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from gitfixture import GitRepo

from assess.cli import main

COPILOT_CLI = "Co-authored-by: Copilot <223556219+Copilot@users.noreply.github.com>"


def test_one_assisted_commit_is_worded_as_a_tool_marker_in_the_singular(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "lib")
    for i in range(5):
        repo.commit(f"fix: part {i}", {f"src/p{i}.c": f"int p{i};\n"})
    repo.commit(f"build: flags\n\n{COPILOT_CLI}\n", {"src/flags.c": "int flags;\n"})
    res = CliRunner().invoke(main, ["repo", str(repo.path), "--no-cache"])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "1 commit carries only an 'assisted' marker that a tool adds by itself" in text
    assert "editor-level" not in text and "1 commits" not in text
    assert "changed lines (all files; the placement below counts code only)" in text
