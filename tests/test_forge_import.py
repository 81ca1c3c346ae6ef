"""`assess forge import`: gh pr list / gh api / GitLab exports detected by content, bounded
readers, file:line errors, merging into an existing store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from forgefake import ALICE_GH, gh_pull, user

from assess.cli import main
from assess.errors import InputError
from assess.forge.imports import import_files, read_export
from assess.forge.jsonread import read_documents
from assess.forge.store import Store


def gh_list_item(number: int, login: str, *, is_bot: bool = False, head: str = "feature", reviews=None, commits=None,
                 created: str = "2026-01-05T10:00:00Z", merged: str | None = "2026-01-05T12:00:00Z", **extra):
    item = {"number": number, "title": f"PR {number}", "body": "", "state": "MERGED" if merged else "OPEN",
            "isDraft": False, "author": {"login": login, "is_bot": is_bot, "name": ""},
            "headRefName": head, "baseRefName": "main", "createdAt": created, "updatedAt": merged or created,
            "closedAt": merged, "mergedAt": merged, "mergedBy": {"login": "alice"} if merged else None,
            "additions": 120, "deletions": 30, "changedFiles": 3, "labels": [],
            "url": f"https://github.com/acme/widgets/pull/{number}", **extra}
    if reviews is not None:
        item["reviews"] = reviews
    if commits is not None:
        item["commits"] = commits
    return item


def _write(path: Path, data) -> Path:
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2), encoding="utf-8")
    return path


def test_gh_pr_list_export_is_imported_with_reviews_and_commit_authors(tmp_path):
    items = [
        gh_list_item(1, "alice", reviews=[{"author": {"login": "bob"}, "state": "APPROVED", "submittedAt": "2026-01-05T11:00:00Z", "body": ""}],
                     commits=[{"oid": "a" * 40, "authors": [{"email": "alice@example.com", "name": "Alice", "login": "alice"},
                                                          {"email": "noreply@anthropic.com", "name": "Claude"}],
                               "messageHeadline": "Add x", "messageBody": "", "authoredDate": "2026-01-05T09:00:00Z",
                               "committedDate": "2026-01-05T09:00:00Z"}]),
        gh_list_item(2, "app/copilot-swe-agent", is_bot=True, head="copilot/fix-2"),
    ]
    f = _write(tmp_path / "prs.json", items)
    res = CliRunner().invoke(main, ["forge", "import", str(f), "-o", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    recs = {r["number"]: r for r in Store(tmp_path / "s").records()}
    assert recs[1]["reviews_known"] and recs[1]["reviews"][0]["user"]["login"] == "bob"
    # gh lists a commit's co-authors as extra authors: they come back as trailers
    assert "Co-authored-by: Claude <noreply@anthropic.com>" in recs[1]["commits"][0]["message"]
    assert recs[2]["author"] == {"login": "copilot-swe-agent", "id": None, "bot": True}
    assert recs[2]["reviews_known"] is False  # no reviews field exported: unknown, not "none"
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert manifest["forge"] == "github" and manifest["repo"] == "acme/widgets"


def test_gh_api_paginate_and_slurp_and_gitlab_pages_are_detected(tmp_path):
    p1 = [gh_pull(1, ALICE_GH, created="2026-01-01T00:00:00Z"), gh_pull(2, ALICE_GH, created="2026-01-02T00:00:00Z")]
    p2 = [gh_pull(3, ALICE_GH, created="2026-01-03T00:00:00Z")]
    paginate = _write(tmp_path / "paginate.json", json.dumps(p1) + json.dumps(p2))  # gh api --paginate
    slurp = _write(tmp_path / "slurp.json", [p1, p2])  # gh api --paginate --slurp
    assert [r["number"] for r in read_export(paginate)] == [1, 2, 3]
    assert [r["number"] for r in read_export(slurp)] == [1, 2, 3]
    assert {r["source"] for r in read_export(slurp)} == {"gh-api"}
    mr = {"iid": 4, "title": "MR", "description": "", "state": "merged", "author": {"username": "carol", "id": 3},
          "source_branch": "codex/x", "target_branch": "main", "created_at": "2026-02-01T10:00:00.000+01:00",
          "updated_at": "2026-02-01T12:00:00Z", "merged_at": "2026-02-01T12:00:00Z",
          "web_url": "https://gitlab.com/grp/sub/proj/-/merge_requests/4"}
    recs = read_export(_write(tmp_path / "mrs.json", [mr]))
    assert recs[0]["repo"] == "grp/sub/proj" and recs[0]["forge"] == "gitlab"
    assert recs[0]["created_at"] == "2026-02-01T09:00:00Z"  # normalised to UTC


def test_bad_items_are_file_line_field_errors(tmp_path):
    good = gh_list_item(1, "alice")
    bad = gh_list_item(2, "bob")
    bad["createdAt"] = "yesterday"
    text = json.dumps([good, bad], indent=2)
    f = _write(tmp_path / "bad.json", text)
    with pytest.raises(InputError) as exc:
        read_export(f)
    line = text.splitlines().index("  {", 2) + 1  # the second item starts on this line
    assert str(exc.value).startswith(f"{f}:{line}: ")
    other = _write(tmp_path / "other.json", [{"hello": 1}])
    with pytest.raises(InputError, match=r"other.json:2: not a pull request"):
        read_export(other)
    broken = _write(tmp_path / "broken.json", '[\n{"number": 1,\n "createdAt": }\n]')
    with pytest.raises(InputError, match=r"broken.json:3: not valid JSON"):
        read_export(broken)
    nourl = gh_list_item(5, "alice")
    del nourl["url"]
    with pytest.raises(InputError, match=r"field 'url'"):
        read_export(_write(tmp_path / "nourl.json", [nourl]))
    assert read_export(tmp_path / "nourl.json", repo="acme/widgets")[0]["repo"] == "acme/widgets"
    res = CliRunner().invoke(main, ["forge", "import", str(f), "-o", str(tmp_path / "s")])
    assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.output
    assert not (tmp_path / "s" / "pulls.jsonl").exists()


def test_hostile_files_are_bounded(tmp_path):
    deep = _write(tmp_path / "deep.json", "[" * 100000 + "]" * 100000)
    with pytest.raises(InputError, match="nested deeper"):
        read_documents(deep)
    with pytest.raises(InputError, match="more than"):
        read_documents(_write(tmp_path / "big.json", "[" + " " * 4096 + "]"), max_bytes=1024)
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError, match="not UTF-8"):
        read_documents(tmp_path / "bin.json")
    with pytest.raises(InputError, match="empty file"):
        read_documents(_write(tmp_path / "empty.json", "  \n"))
    import os
    os.mkfifo(tmp_path / "fifo.json")
    with pytest.raises(InputError, match="not a regular file"):
        read_documents(tmp_path / "fifo.json")  # refused at once, never hangs


def test_reimport_keeps_reviews_a_later_export_lacks_and_refuses_mixed_repositories(tmp_path):
    with_reviews = gh_list_item(1, "alice", reviews=[{"author": {"login": "bob"}, "state": "APPROVED",
                                                      "submittedAt": "2026-01-05T11:00:00Z"}])
    import_files([_write(tmp_path / "a.json", [with_reviews])], tmp_path / "s")
    later = gh_list_item(1, "alice")
    later["title"] = "renamed"
    import_files([_write(tmp_path / "b.json", [later, gh_list_item(2, "bob")])], tmp_path / "s")
    recs = {r["number"]: r for r in Store(tmp_path / "s").records()}
    assert recs[1]["title"] == "renamed" and recs[1]["reviews_known"] and len(recs[1]["reviews"]) == 1
    assert len(recs) == 2
    other = gh_list_item(3, "x")
    other["url"] = "https://github.com/other/repo/pull/3"
    with pytest.raises(InputError, match="more than one repository"):
        import_files([tmp_path / "a.json", _write(tmp_path / "c.json", [other])], tmp_path / "t")
    with pytest.raises(Exception, match="one store per repository"):
        import_files([tmp_path / "c.json"], tmp_path / "s")


def test_user_factory_marks_bots():
    assert user("x", 1, bot=True)["type"] == "Bot"
