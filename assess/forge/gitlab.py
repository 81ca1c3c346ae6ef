"""GitLab REST v4: fetch merge requests with approvals, notes, commits and diff sizes, and
normalise GitLab's JSON (also used for saved merge-request API pages)."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable
from typing import Any

from assess.errors import AssessError
from assess.forge.http import ForgeClient
from assess.forge.model import MAX_TEXT, account, count, iso, text
from assess.forge.resumable import begin, list_then_fetch, new_cursor
from assess.forge.store import StoreWriter

API = "https://gitlab.com/api/v4"
# project and group access tokens act as bot users named like this
_BOT_USER = re.compile(r"^(project|group)_\d+_bot(_[0-9a-f]+)?$|^ghost$")
_WEB_REPO = re.compile(r"^https?://[^/]+/(.+?)/-/merge_requests/\d+")


def client(token: str | None, token_env: str, **kw: Any) -> ForgeClient:
    auth = {"PRIVATE-TOKEN": token} if token else {}
    return ForgeClient("GitLab", auth, token_env, token, **kw)


def _user(u: Any) -> dict[str, Any] | None:
    if not isinstance(u, dict):
        return None
    name = u.get("username")
    bot = bool(u.get("bot")) or (isinstance(name, str) and bool(_BOT_USER.search(name)))
    return account(name, u.get("id"), bot)


def repo_of(mr: dict[str, Any]) -> str | None:
    m = _WEB_REPO.match(str(mr.get("web_url") or ""))
    return m.group(1) if m else None


def normalise_mr(mr: dict[str, Any], repo: str, *, source: str) -> dict[str, Any]:
    iid = mr.get("iid")
    if not isinstance(iid, int) or isinstance(iid, bool):
        raise ValueError("iid: must be an integer")
    if not mr.get("created_at"):
        raise ValueError("created_at: missing")
    merged_at = iso(mr.get("merged_at"))
    state = mr.get("state")
    state = "merged" if state == "merged" or merged_at else ("open" if state in ("opened", "locked") else "closed")
    pipeline = mr.get("head_pipeline") or mr.get("pipeline")
    ci = pipeline.get("status") if isinstance(pipeline, dict) else None
    labels = [lb if isinstance(lb, str) else lb.get("name") for lb in mr.get("labels") or []
              if isinstance(lb, str) or (isinstance(lb, dict) and isinstance(lb.get("name"), str))]
    return {
        "forge": "gitlab", "repo": repo, "number": iid, "title": text(mr.get("title")),
        "body": text(mr.get("description")), "state": state,
        "draft": bool(mr.get("draft") or mr.get("work_in_progress")),
        "author": _user(mr.get("author")), "merged_by": _user(mr.get("merge_user") or mr.get("merged_by")),
        "head_ref": mr.get("source_branch") if isinstance(mr.get("source_branch"), str) else None,
        "head_sha": mr.get("sha") if isinstance(mr.get("sha"), str) else None,
        "base_ref": mr.get("target_branch") if isinstance(mr.get("target_branch"), str) else None,
        "created_at": iso(mr.get("created_at")), "updated_at": iso(mr.get("updated_at")),
        "closed_at": iso(mr.get("closed_at")) or merged_at, "merged_at": merged_at,
        "additions": None, "deletions": None, "changed_files": count(mr.get("changes_count")),
        "labels": labels, "ci_state": {"success": "success", "failed": "failure"}.get(ci, "pending" if ci else None),
        "auto_merge": bool(mr.get("merge_when_pipeline_succeeds") or mr.get("auto_merge_enabled")),
        "reviews_known": False, "reviews": [], "review_comments": [],
        "commits_known": False, "commits": [], "source": source,
    }


def apply_notes(rec: dict[str, Any], notes: list[dict[str, Any]], approvals: dict[str, Any] | None) -> None:
    """Approvals, requested changes and comments from an MR's notes (system notes carry the times)."""
    reviews, comments = [], []
    approved_logins = set()
    for n in notes:
        user = _user(n.get("author"))
        body = n.get("body") if isinstance(n.get("body"), str) else ""
        when = iso(n.get("created_at")) if isinstance(n.get("created_at"), str) else None
        if n.get("system"):
            if body.startswith("approved this merge request"):
                reviews.append({"user": user, "state": "APPROVED", "submitted_at": when, "body_chars": 0})
                if user:
                    approved_logins.add(user["login"])
            elif body.startswith("requested changes"):
                reviews.append({"user": user, "state": "CHANGES_REQUESTED", "submitted_at": when, "body_chars": 0})
            continue
        if n.get("type") == "DiffNote":
            comments.append({"user": user, "created_at": when})
        else:
            reviews.append({"user": user, "state": "COMMENTED", "submitted_at": when, "body_chars": len(body)})
    for a in (approvals or {}).get("approved_by") or []:
        user = _user(a.get("user")) if isinstance(a, dict) else None
        if user and user["login"] not in approved_logins:  # an approval whose note is gone: time unknown
            reviews.append({"user": user, "state": "APPROVED", "submitted_at": None, "body_chars": 0})
    rec["reviews"], rec["review_comments"], rec["reviews_known"] = reviews, comments, True


def normalise_commit(c: dict[str, Any]) -> dict[str, Any] | None:
    if not isinstance(c.get("id"), str):
        return None
    return {"sha": c["id"], "author_email": str(c.get("author_email") or ""), "author_name": str(c.get("author_name") or ""),
            "committer_email": str(c.get("committer_email") or ""), "committer_name": str(c.get("committer_name") or ""),
            "authored_at": iso(c.get("authored_date")), "committed_at": iso(c.get("committed_date")),
            "message": str(c.get("message") or "")[:MAX_TEXT], "author_login": None,
            "parents": len(c.get("parent_ids") or [])}


def diff_size(diffs: list[dict[str, Any]]) -> tuple[int, int]:
    added = deleted = 0
    for d in diffs:
        for line in str(d.get("diff") or "").splitlines():
            if line.startswith("+") and not line.startswith("+++"):
                added += 1
            elif line.startswith("-") and not line.startswith("---"):
                deleted += 1
    return added, deleted


def fetch_one(cl: ForgeClient, api: str, repo: str, iid: int) -> dict[str, Any]:
    base = f"{api}/projects/{urllib.parse.quote(repo, safe='')}/merge_requests/{iid}"
    page = cl.get(base)
    if not isinstance(page.data, dict):
        raise AssessError(f"{page.url}: expected a merge request object from GitLab")
    try:
        rec = normalise_mr(page.data, repo, source="api")
    except ValueError as exc:
        raise AssessError(f"{page.url}: {exc}") from None
    approvals = cl.get(base + "/approvals").data
    notes = {n.get("id"): n for n in cl.items(base + "/notes", sort="asc", order_by="created_at")}
    apply_notes(rec, list(notes.values()), approvals if isinstance(approvals, dict) else None)
    commits = {c.get("id"): c for c in cl.items(base + "/commits")}
    rec["commits"] = [x for x in (normalise_commit(c) for c in commits.values()) if x]
    rec["commits_known"] = True
    try:
        rec["additions"], rec["deletions"] = diff_size(cl.items(base + "/diffs"))
    except AssessError:
        pass  # GitLab before 15.7 has no /diffs: size stays unknown
    return rec


def fetch(cl: ForgeClient, writer: StoreWriter, repo: str, *, api: str = API, full: bool = False,
          since: str | None = None, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Fetch merge requests updated after the store's high-water mark (``updated_after``)."""
    api, high_water, cursor = begin(cl, writer, api, "gitlab", full=full, since=since)
    page = None
    if not cursor:
        cursor = new_cursor("gitlab", high_water)
        params: dict[str, Any] = {"state": "all", "order_by": "updated_at", "sort": "desc", "per_page": 100}
        if high_water:
            params["updated_after"] = high_water
        page = cl.get(f"{api}/projects/{urllib.parse.quote(repo, safe='')}/merge_requests", params=params)
    elif progress:
        progress(f"resuming: {len(cursor['pending'])} merge request(s) still to fetch")
    # the server filters with updated_after, so an item at the high-water mark is only skipped
    return list_then_fetch(cl, writer, cursor, page, key="iid", noun="merge request", forge_name="GitLab",
                           high_water=high_water, sorted_by_update=False,
                           fetch_item=lambda iid: fetch_one(cl, api, repo, iid), progress=progress)
