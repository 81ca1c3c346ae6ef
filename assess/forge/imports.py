"""Offline import of what teams already export: ``gh pr list --json …`` / ``gh pr view --json``,
saved ``gh api`` pull pages (REST arrays, ``--paginate`` or ``--slurp``) and GitLab merge-request
API pages. The kind is detected from each item's content; a bad item is a file:line error."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from assess.errors import InputError
from assess.forge import github, gitlab
from assess.forge.jsonread import read_documents
from assess.forge.model import MAX_TEXT, account, count, iso, key, text, valid_repo
from assess.forge.store import Store

_GH_URL = re.compile(r"^https?://[^/]+/([^/]+/[^/]+)/pull/\d+")


def kind_of(item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    if "iid" in item and ("source_branch" in item or "/-/merge_requests/" in str(item.get("web_url", ""))):
        return "gitlab-api"
    if "number" in item and ("createdAt" in item or "headRefName" in item or "mergedAt" in item):
        return "gh-pr-list"
    if "number" in item and "created_at" in item and ("head" in item or "/pull/" in str(item.get("html_url", ""))):
        return "gh-api"
    return None


def _gh_commit(c: Any) -> dict[str, Any] | None:
    if not isinstance(c, dict) or not isinstance(c.get("oid"), str):
        return None
    authors = [a for a in c.get("authors") or [] if isinstance(a, dict)]
    first = authors[0] if authors else {}
    message = str(c.get("messageHeadline") or "")
    if c.get("messageBody"):
        message += "\n\n" + str(c["messageBody"])
    # gh lists every author of a commit; the others are its Co-authored-by trailers
    extra = [f"Co-authored-by: {a.get('name') or ''} <{a.get('email') or ''}>" for a in authors[1:] if a.get("email")]
    if extra and not any(x in message for x in extra):
        message += "\n\n" + "\n".join(extra)
    return {"sha": c["oid"], "author_email": str(first.get("email") or ""), "author_name": str(first.get("name") or ""),
            "committer_email": "", "committer_name": "", "authored_at": iso(c.get("authoredDate")),
            "committed_at": iso(c.get("committedDate")), "message": message[:MAX_TEXT],
            "author_login": account(first.get("login")), "parents": None}


def _ci(rollup: Any) -> str | None:
    if not isinstance(rollup, list) or not rollup:
        return None
    states = [str(c.get("conclusion") or c.get("state") or "").lower() for c in rollup if isinstance(c, dict)]
    if any(s in ("failure", "error", "timed_out", "cancelled", "action_required") for s in states):
        return "failure"
    if states and all(s in ("success", "neutral", "skipped") for s in states):
        return "success"
    return "pending"


def normalise_gh_pr_list(item: dict[str, Any], repo: str) -> dict[str, Any]:
    number = item.get("number")
    if not isinstance(number, int) or isinstance(number, bool):
        raise ValueError("number: must be an integer")
    if not isinstance(item.get("createdAt"), str):
        raise ValueError("createdAt: missing (export with --json createdAt,…)")
    merged_at = iso(item.get("mergedAt"))
    state = str(item.get("state") or "").upper()
    state = "merged" if state == "MERGED" or merged_at else ("open" if state == "OPEN" else "closed")
    author = item.get("author") if isinstance(item.get("author"), dict) else {}
    merged_by = item.get("mergedBy") if isinstance(item.get("mergedBy"), dict) else None
    rec = {
        "forge": "github", "repo": repo, "number": number, "title": text(item.get("title")), "body": text(item.get("body")),
        "state": state, "draft": bool(item.get("isDraft")),
        "author": account(author.get("login"), None, author.get("is_bot")),
        "merged_by": account(merged_by.get("login"), None, merged_by.get("is_bot")) if merged_by else None,
        "head_ref": item.get("headRefName") if isinstance(item.get("headRefName"), str) else None,
        "head_sha": item.get("headRefOid") if isinstance(item.get("headRefOid"), str) else None,
        "base_ref": item.get("baseRefName") if isinstance(item.get("baseRefName"), str) else None,
        "created_at": iso(item.get("createdAt")), "updated_at": iso(item.get("updatedAt")),
        "closed_at": iso(item.get("closedAt")), "merged_at": merged_at,
        "additions": count(item.get("additions")), "deletions": count(item.get("deletions")),
        "changed_files": count(item.get("changedFiles")),
        "labels": [lb.get("name") for lb in item.get("labels") or [] if isinstance(lb, dict) and isinstance(lb.get("name"), str)],
        "ci_state": _ci(item.get("statusCheckRollup")), "auto_merge": isinstance(item.get("autoMergeRequest"), dict),
        "reviews_known": isinstance(item.get("reviews"), list), "reviews": [],
        "review_comments_known": False,  # gh pr list has no inline review comments (each sits in a review)
        "review_comments": [], "commits_known": isinstance(item.get("commits"), list), "commits": [],
        "source": "gh-pr-list",
    }
    for r in item.get("reviews") or []:
        if isinstance(r, dict) and isinstance(r.get("state"), str):
            who = r.get("author") if isinstance(r.get("author"), dict) else {}
            rec["reviews"].append({"user": account(who.get("login"), None, who.get("is_bot")), "state": r["state"].upper(),
                                   "submitted_at": iso(r.get("submittedAt")), "body_chars": len(str(r.get("body") or ""))})
    rec["commits"] = [x for x in (_gh_commit(c) for c in item.get("commits") or []) if x]
    return rec


def _repo_for(kind: str, item: dict[str, Any], repo: str | None) -> str | None:
    if repo:
        return repo
    if kind == "gh-pr-list":
        m = _GH_URL.match(str(item.get("url") or ""))
        return m.group(1) if m else None
    if kind == "gh-api":
        return github.repo_of(item)
    return gitlab.repo_of(item)


def _items(path: Path) -> Iterable[tuple[int, Any]]:
    for line, value in read_documents(path):
        if isinstance(value, list):  # gh api --slurp: an array of pages
            for v in value:
                yield line, v
        else:
            yield line, value


def read_export(path: Path, repo: str | None = None) -> list[dict[str, Any]]:
    """Normalised records from one saved export file."""
    out = []
    for line, item in _items(path):
        kind = kind_of(item)
        if kind is None:
            raise InputError(path, "not a pull request or merge request (expected `gh pr list --json` output, "
                             "a GitHub REST pulls page or a GitLab merge_requests page)", line=line)
        name = _repo_for(kind, item, repo)
        if not name:
            raise InputError(path, "cannot tell the repository", line=line, field="url",
                             hint="export the url field too, or pass --repo OWNER/NAME")
        if not valid_repo(name):  # the name from a URL reaches the store, the report and forge links
            raise InputError(path, f"'{name[:80]}' is not an OWNER/NAME repository", line=line,
                             field="repo" if repo else "url")
        try:
            if kind == "gh-pr-list":
                rec = normalise_gh_pr_list(item, name)
            elif kind == "gh-api":
                rec = github.normalise_pull(item, name, source="gh-api")
            else:
                rec = gitlab.normalise_mr(item, name, source="gitlab-api")
        except (ValueError, TypeError) as exc:
            field, _, why = str(exc).partition(": ")
            if not why:
                field, why = None, str(exc)
            raise InputError(path, why, line=line, field=field) from None
        out.append(rec)
    return out


def _merge(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """A newer export replaces a record, but never throws away reviews or commits it lacks."""
    if old is None:
        return new
    merged = dict(new)
    for known, fields in (("reviews_known", ("reviews", "review_comments", "review_comments_known")),
                          ("commits_known", ("commits",))):
        if old.get(known) and not new.get(known):
            merged[known] = True
            for f in fields:
                if f in old:
                    merged[f] = old[f]
    for f in ("additions", "deletions", "changed_files", "merged_by", "ci_state"):
        if merged.get(f) is None and old.get(f) is not None:
            merged[f] = old[f]
    return merged


def import_files(paths: list[Path], store_path: Path, *, repo: str | None = None) -> dict[str, Any]:
    records: list[dict[str, Any]] = []
    for p in paths:
        records.extend(read_export(p, repo))
    if not records:
        raise InputError(paths[0], "no pull requests in the given files")
    targets = sorted({(r["forge"], r["repo"]) for r in records})
    if len(targets) > 1:
        raise InputError(paths[0], "the files hold more than one repository: "
                         + ", ".join(f"{f} {r}" for f, r in targets[:5]),
                         hint="import each repository into its own store")
    forge, name = targets[0]
    store = Store(store_path)
    existing = {key(r): r for r in store.records()} if store.exists() else {}
    with store.writing(forge=forge, repo=name) as w:
        seen = set()
        for rec in records:
            k = key(rec)
            rec = _merge(existing.get(k), rec)
            existing[k] = rec
            seen.add(k)
            w.append(rec, sync=False)
        n = w.finish(source="import:" + ",".join(sorted({r["source"] for r in records})))
    return {"forge": forge, "repo": name, "imported": len(seen), "pull_requests": n}
