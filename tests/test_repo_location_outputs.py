"""Where a repository lives must not leak, and must not rename it (found running assess on real clones):
a clone of a local folder has that folder as its `origin`, which went into every JSON as `remote`;
a sub-folder given to `assess repo` named the whole repository's history after the sub-folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from gitfixture import GitRepo

from assess.cli import main


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("loc")
    origin = GitRepo(base / "home-of-alice-smith" / "acme-client" / "shop")
    for i in range(6):
        origin.commit(f"feat: step {i}", {f"src/mod{i}.py": f"x = {i}\n", "tests/test_x.py": f"# {i}\n"})
    target = base / "work" / "shop"
    target.parent.mkdir(parents=True)
    GitRepo(target.parent, init=False).git("clone", "-q", str(origin.path), str(target))
    return target


def _run(*args: str) -> str:
    res = CliRunner().invoke(main, list(args))
    assert res.exit_code == 0, res.output
    return res.output


def test_a_local_origin_path_is_cut_without_show_identities(clone: Path, tmp_path: Path) -> None:
    out = tmp_path / "e.json"
    _run("repo", str(clone), "--no-cache", "-q", "--json", str(out))
    text = out.read_text()
    assert "alice-smith" not in text and "acme-client" not in text
    assert json.loads(text)["repository"]["remote"] == "shop"
    report = tmp_path / "r.html"
    _run("report", "--repo", str(clone), "--no-cache", "-q", "-o", str(report))
    for written in (report, report.with_suffix(".json"), report.with_suffix(".md")):
        assert "alice-smith" not in written.read_text(), written.name
    shown = tmp_path / "shown.json"
    _run("repo", str(clone), "--no-cache", "-q", "--show-identities", "--json", str(shown))
    assert "home-of-alice-smith" in json.loads(shown.read_text())["repository"]["remote"]


def test_a_forge_remote_is_kept_for_commit_links(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "svc")
    repo.commit("feat: one", {"src/a.py": "a = 1\n"})
    repo.git("remote", "add", "origin", "https://github.com/acme/svc.git")
    out = tmp_path / "e.json"
    _run("repo", str(repo.path), "--no-cache", "-q", "--json", str(out))
    remote = json.loads(out.read_text())["repository"]
    assert remote["remote"] == "https://github.com/acme/svc.git" and remote["commit_url"]


def test_a_sub_folder_is_named_as_its_repository_with_a_caveat(clone: Path, tmp_path: Path) -> None:
    out = tmp_path / "sub.json"
    _run("repo", str(clone / "src"), "--no-cache", "-q", "--json", str(out))
    doc = json.loads(out.read_text())
    assert doc["repository"]["name"] == "shop" and doc["repository"]["commits"] == 6
    assert any("whole repository's history was mined" in c for c in doc["caveats"])
    top = tmp_path / "top.json"
    _run("repo", str(clone), "--no-cache", "-q", "--json", str(top))
    assert not any("whole repository's history" in c for c in json.loads(top.read_text())["caveats"])
