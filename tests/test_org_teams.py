"""`assess org` teams, report and command line (serial engine: the Dask runs are in test_org.py)."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from orgfixture import make_org, make_repo

from assess.errors import InputError
from assess.org import OrgOptions, run_org
from assess.org.report import org_errors
from assess.org.store import OrgStore
from assess.org.teams import load_teams

ROOT = Path(__file__).resolve().parent.parent


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_teams_file_errors_name_file_line_and_field(tmp_path):
    bad = _write(tmp_path / "teams.yaml", "teams:\n  payments:\n    repositories: [a]\n    owners: [x]\n")
    with pytest.raises(InputError, match=r"teams.yaml:4: field 'teams.payments.owners': unknown key 'owners'"):
        load_teams(bad)
    bad = _write(tmp_path / "t2.yaml", "teams:\n  web:\n    people:\n      - alice\n")
    with pytest.raises(InputError, match=r"t2.yaml:4: .*'alice' is neither an e-mail pattern"):
        load_teams(bad)
    bad = _write(tmp_path / "t3.yaml", "teams:\n  web: {}\n")
    with pytest.raises(InputError, match=r"t3.yaml:2: .*needs 'repositories' or 'people'"):
        load_teams(bad)
    bad = _write(tmp_path / "t4.yaml", "teams: [a, b\n")
    with pytest.raises(InputError, match=r"t4.yaml:2: invalid YAML"):
        load_teams(bad)
    owners = _write(tmp_path / "CODEOWNERS", "# comment\nrepo-00*  @acme/alpha\nrepo-002 @acme/beta @acme/alpha\nx\n")
    with pytest.raises(InputError, match=r"CODEOWNERS:4: expected a repository pattern"):
        load_teams(owners)
    _write(owners, "repo-00*  @acme/alpha\nrepo-002 @acme/beta\n")
    teams = load_teams(owners)
    assert [(t.name, t.repositories) for t in teams.teams] == [("alpha", ("repo-00*",)), ("beta", ("repo-002",))]


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    root = tmp_path_factory.mktemp("teams")
    src = root / "src"
    make_org(src, 4, sizes=(30, 40), empty=False, broken=True)  # repo-000..002 and a broken one
    make_repo(src / "mono", 90, seed=42, ai_bias=0.6)  # owned by no team: split by its people
    teams = _write(root / "teams.yaml", (
        "teams:\n"
        "  alpha:\n    repositories: [repo-000, repo-001]\n"
        "  beta:\n    repositories: [repo-002]\n    people: ['*@team1.example.com']\n"
        "  gamma:\n    people: ['*@team0.example.com', 'dev2@team2.example.com']\n"
        "  empty:\n    repositories: [nothing-*]\n"))
    out = root / "out"
    result = run_org([str(src)], out, teams_file=teams, engine="serial", options=OrgOptions(use_cache=False),
                     min_group=3)
    return root, out, result


def test_people_count_where_they_commit(org):
    root, out, result = org
    teams = {t["name"]: t for t in result["teams"]}
    assert teams["alpha"]["repositories"] == ["repo-000", "repo-001"] and teams["alpha"]["people_in"] == []
    assert teams["beta"]["repositories"] == ["repo-002"] and teams["beta"]["people_in"] == ["mono"]
    assert teams["gamma"]["people_in"] == ["mono"]
    mono = next(r for r in result["repositories"] if r["name"] == "mono")
    commits = pd.read_parquet(out / "repos" / mono["key"] / "commits.parquet")
    people = json.loads((out / "repos" / mono["key"] / "evidence.json").read_text())
    assert people["repository"]["commits"] == len(commits) == 90
    # gamma: dev0, dev3, dev6 (team0) and dev2; beta: dev1, dev4, dev7 (team1); dev5 and dev8 in no team
    people_evidence = OrgStore(out).people_evidence(mono["key"])
    gamma, beta = people_evidence["gamma"], people_evidence["beta"]
    assert gamma["identities"]["humans"] == 4 and beta["identities"]["humans"] == 3
    assert (commits["team"] == "gamma").sum() == gamma["repository"]["commits"]
    assert (commits["team"] == "beta").sum() == beta["repository"]["commits"]
    assert commits["team"].isna().sum() == 90 - gamma["repository"]["commits"] - beta["repository"]["commits"]
    # the team's level is the pooled placement of exactly those commits
    from assess.levels import place_team

    assert teams["gamma"]["level"] == place_team([gamma])["overall"]
    assert teams["empty"]["withheld"] and teams["empty"]["level"] is None
    assert result["unassigned"] == ["zz-broken"]


def test_anonymity_floor_withholds_small_teams(org, tmp_path):
    root, _, _ = org
    result = run_org([str(root / "src")], tmp_path / "out", teams_file=root / "teams.yaml", engine="serial",
                     options=OrgOptions(use_cache=False), min_group=5, team_reports=False)
    teams = {t["name"]: t for t in result["teams"]}
    assert teams["alpha"]["level"] is not None and teams["beta"]["level"] is not None
    gamma = teams["gamma"]  # its 4 people, only in the shared repository
    assert gamma["people_at_least"] == 4 and "fewer than 5 people" in gamma["withheld"]
    assert gamma["level"] is None and gamma["agents"] == {} and gamma["quarters"] == [] and gamma["report"] is None
    assert gamma["dimensions"] == {} and gamma["held_back_by"] is None
    page = (tmp_path / "out" / "org.html").read_text()
    assert "fewer than 5 people" in page


def test_org_report_is_offline_and_links_team_reports(org):
    _, out, result = org
    assert org_errors(result) == []
    page = (out / "org.html").read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing loaded from the network
    assert "script-src 'none'" in html.unescape(page) and "<script" not in page
    for t in result["teams"]:
        if t["report"]:
            assert (out / t["report"]).is_file() and f'href="{t["report"]}"' in page
            assert (out / t["report"]).with_suffix(".json").is_file()
    assert any(t["report"] for t in result["teams"])
    alpha = next(t for t in result["teams"] if t["name"] == "alpha")
    assert alpha["quarters"] and all(re.match(r"^\d{4}-Q[1-4]$", q["quarter"]) for q in alpha["quarters"])
    assert sum(result["distribution"].values()) == len(result["teams"])
    held = {(g["level"], g["dimension"]): g["teams"] for g in result["gates"]}
    for t in result["teams"]:
        if t["held_back_by"]:
            assert t["name"] in held[(t["held_back_by"]["level"], t["held_back_by"]["dimension"])]
    md = (out / "org.md").read_text()
    assert "| alpha |" in md and "zz-broken (failed)" in md
    assert "dev1@" not in page + md + (out / "org.json").read_text()  # no e-mails in the outputs


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "assess", "org", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


def test_cli_exit_codes_and_list_file_with_clone_url(tmp_path):
    from gitfixture import GitRepo

    origin = GitRepo(tmp_path / "origin")
    origin.git("config", "uploadpack.allowfilter", "true")
    for i in range(4):
        origin.commit(f"c{i}", {f"f{i}.py": f"x = {i}\n"})
    make_repo(tmp_path / "local", 12, seed=3)
    listing = _write(tmp_path / "repos.txt", f"# our repositories\nlocal\nfile://{origin.path}\n\n")
    bad = _write(tmp_path / "teams.yaml", "teams:\n  a:\n    repos: [x]\n")
    proc = _cli(str(listing), "-o", str(tmp_path / "out"), "--serial", "--teams", str(bad), cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith(f"assess: error: {bad}:3: field 'teams.a.repos'")
    proc = _cli(str(listing), "missing-folder", "-o", str(tmp_path / "out"), "--serial", cwd=tmp_path)
    assert proc.returncode == 2 and "missing-folder: no such folder" in proc.stderr
    proc = _cli(str(listing), "-o", str(tmp_path / "out"), "--serial", "--clone-dir", str(tmp_path / "clones"),
                "--no-team-reports", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "[2/2]" in proc.stderr and "left" in proc.stderr
    org = json.loads((tmp_path / "out" / "org.json").read_text())
    by_source = {r["source"]: r for r in org["repositories"]}
    assert set(by_source) == {"local", f"file://{origin.path}"}
    url = by_source[f"file://{origin.path}"]
    assert url["status"] == "ok" and url["head"] == origin.head()
    clone = next((tmp_path / "clones").glob("*.git"))
    assert subprocess.run(["git", "--git-dir", str(clone), "config", "remote.origin.partialclonefilter"],
                          capture_output=True, text=True).stdout.strip() == "blob:none"
    # a failing repository does not change the exit status: the run completed
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / ".git").write_text("gitdir: /nowhere\n")
    _write(listing, "local\nbroken\n")
    proc = _cli(str(listing), "-o", str(tmp_path / "out2"), "--serial", "--no-team-reports", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rows = {r["source"]: r for r in json.loads((tmp_path / "out2" / "org.json").read_text())["repositories"]}
    assert rows["broken"]["status"] == "failed" and "\n" not in rows["broken"]["error"]


def test_people_teams_whose_names_share_a_slug_keep_their_own_commits(tmp_path):
    # "team a" and "team-a" both slug to team-a: the second team's people file replaced the first's
    src = tmp_path / "src"
    make_repo(src / "mono", 60, seed=7, ai_bias=0.5)
    teams = _write(tmp_path / "teams.yaml", "teams:\n  'team a':\n    people: ['*@team0.example.com']\n"
                                            "  team-a:\n    people: ['*@team1.example.com']\n")
    result = run_org([str(src)], tmp_path / "out", teams_file=teams, engine="serial",
                     options=OrgOptions(use_cache=False), min_group=1, team_reports=False)
    by_name = {t["name"]: t for t in result["teams"]}
    assert by_name["team a"]["people_in"] == ["mono"] and by_name["team-a"]["people_in"] == ["mono"]
    assert by_name["team a"]["people_at_least"] > 0 and by_name["team-a"]["people_at_least"] > 0
    mono = result["repositories"][0]["key"]
    evidence = OrgStore(tmp_path / "out").people_evidence(mono)
    commits = pd.read_parquet(tmp_path / "out" / "repos" / mono / "commits.parquet")
    for team in ("team a", "team-a"):
        assert evidence[team]["repository"]["commits"] == (commits["team"] == team).sum() > 0


def test_progress_shows_a_hostile_repository_name_without_sending_its_escapes(tmp_path):
    src = tmp_path / "src"
    make_repo(src / "fine", 12, seed=3)
    hostile = src / "br\x1b]0;PWNED\x07ok\x1b[2J"
    hostile.mkdir()
    (hostile / ".git").write_text("gitdir: /nowhere\n")  # fails, so the progress line names it
    proc = _cli(str(src), "-o", str(tmp_path / "out"), "--serial", "--no-team-reports", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stderr and "\x07" not in proc.stderr
    assert "br^[]0;PWNED\\x07ok^[[2J: failed" in proc.stderr
