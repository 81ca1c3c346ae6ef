"""GitHub REST v3: fetch pull requests with their reviews, review comments and commits, and
normalise GitHub's JSON (also used for saved `gh api` pages)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from assess.errors import AssessError
from assess.forge.http import ForgeClient
from assess.forge.model import MAX_TEXT, account, count, iso, text
from assess.forge.resumable import begin, list_then_fetch, new_cursor
from assess.forge.store import StoreWriter

API = "https://api.github.com"
_HTML_REPO = re.compile(r"^https?://[^/]+/([^/]+/[^/]+)/pull/\d+")


def client(token: str | None, token_env: str, **kw: Any) -> ForgeClient:
    auth = {"Authorization": f"Bearer {token}"} if token else {}
    return ForgeClient("GitHub", auth, token_env, token, **kw)


def _user(u: Any) -> dict[str, Any] | None:
    if not isinstance(u, dict):
        return None
    return account(u.get("login"), u.get("id"), u.get("type") == "Bot")


def repo_of(pull: dict[str, Any]) -> str | None:
    base = pull.get("base")
    if isinstance(base, dict) and isinstance(base.get("repo"), dict):
        name = base["repo"].get("full_name")
        if isinstance(name, str):
            return name
    m = _HTML_REPO.match(str(pull.get("html_url") or ""))
    return m.group(1) if m else None


def normalise_pull(pull: dict[str, Any], repo: str, *, source: str) -> dict[str, Any]:
    """A GitHub REST pull object (list item or full) as a store record; reviews/commits unknown."""
    merged_at = iso(pull.get("merged_at"))
    state = "merged" if merged_at else ("open" if pull.get("state") == "open" else "closed")
    head = pull.get("head") if isinstance(pull.get("head"), dict) else {}
    base = pull.get("base") if isinstance(pull.get("base"), dict) else {}
    labels = [lb.get("name") for lb in pull.get("labels") or [] if isinstance(lb, dict) and isinstance(lb.get("name"), str)]
    number = pull.get("number")
    if not isinstance(number, int) or isinstance(number, bool):
        raise ValueError("number: must be an integer")
    if not pull.get("created_at"):
        raise ValueError("created_at: missing")
    return {
        "forge": "github", "repo": repo, "number": number, "title": text(pull.get("title")),
        "body": text(pull.get("body")), "state": state, "draft": bool(pull.get("draft")),
        "author": _user(pull.get("user")), "merged_by": _user(pull.get("merged_by")),
        "head_ref": head.get("ref") if isinstance(head.get("ref"), str) else None,
        "head_sha": head.get("sha") if isinstance(head.get("sha"), str) else None,
        "base_ref": base.get("ref") if isinstance(base.get("ref"), str) else None,
        "created_at": iso(pull.get("created_at")), "updated_at": iso(pull.get("updated_at")),
        "closed_at": iso(pull.get("closed_at")), "merged_at": merged_at,
        "additions": count(pull.get("additions")), "deletions": count(pull.get("deletions")),
        "changed_files": count(pull.get("changed_files")), "labels": labels, "ci_state": None,
        "auto_merge": isinstance(pull.get("auto_merge"), dict),
        "reviews_known": False, "reviews": [], "review_comments": [],
        "commits_known": False, "commits": [], "source": source,
    }


def normalise_review(r: dict[str, Any]) -> dict[str, Any] | None:
    state = r.get("state")
    if not isinstance(state, str):
        return None
    return {"user": _user(r.get("user")), "state": state.upper(), "submitted_at": iso(r.get("submitted_at")),
            "body_chars": len(r.get("body") or "") if isinstance(r.get("body") or "", str) else 0}


def normalise_review_comment(c: dict[str, Any]) -> dict[str, Any]:
    return {"user": _user(c.get("user")), "created_at": iso(c.get("created_at"))}


def normalise_commit(c: dict[str, Any]) -> dict[str, Any] | None:
    commit = c.get("commit")
    if not isinstance(commit, dict) or not isinstance(c.get("sha"), str):
        return None
    author = commit.get("author") if isinstance(commit.get("author"), dict) else {}
    committer = commit.get("committer") if isinstance(commit.get("committer"), dict) else {}
    login = _user(c.get("author"))
    return {"sha": c["sha"], "author_email": str(author.get("email") or ""), "author_name": str(author.get("name") or ""),
            "committer_email": str(committer.get("email") or ""), "committer_name": str(committer.get("name") or ""),
            "authored_at": iso(author.get("date")), "committed_at": iso(committer.get("date")),
            "message": str(commit.get("message") or "")[:MAX_TEXT], "author_login": login,
            "parents": len(c.get("parents") or [])}


def ci_state(check_runs: list[dict[str, Any]]) -> str | None:
    """failure if any check failed, success if all finished well, pending otherwise; None if none."""
    if not check_runs:
        return None
    conclusions = [r.get("conclusion") for r in check_runs]
    if any(c in ("failure", "timed_out", "cancelled", "action_required") for c in conclusions):
        return "failure"
    if all(c in ("success", "neutral", "skipped") for c in conclusions):
        return "success"
    return "pending"


def fetch_one(cl: ForgeClient, api: str, repo: str, number: int) -> dict[str, Any]:
    base = f"{api}/repos/{repo}/pulls/{number}"
    page = cl.get(base)
    if not isinstance(page.data, dict):
        raise AssessError(f"{page.url}: expected a pull request object from GitHub")
    try:
        rec = normalise_pull(page.data, repo, source="api")
    except ValueError as exc:
        raise AssessError(f"{page.url}: {exc}") from None
    # reviews and comments can repeat across pages when new ones arrive mid-fetch: keep one per id
    reviews = {r.get("id"): r for r in cl.items(base + "/reviews")}
    comments = {c.get("id"): c for c in cl.items(base + "/comments")}
    commits = {c.get("sha"): c for c in cl.items(base + "/commits")}
    rec["reviews"] = [x for x in (normalise_review(r) for r in reviews.values()) if x]
    rec["review_comments"] = [normalise_review_comment(c) for c in comments.values()]
    rec["commits"] = [x for x in (normalise_commit(c) for c in commits.values()) if x]
    rec["reviews_known"] = rec["commits_known"] = True
    if rec.get("head_sha"):
        try:
            checks = cl.get(f"{api}/repos/{repo}/commits/{rec['head_sha']}/check-runs", params={"per_page": 100})
            runs = checks.data.get("check_runs") if isinstance(checks.data, dict) else None
            rec["ci_state"] = ci_state([r for r in runs or [] if isinstance(r, dict)])
        except AssessError:
            rec["ci_state"] = None  # checks are optional evidence (a token may lack the Checks scope)
    return rec


def fetch(cl: ForgeClient, writer: StoreWriter, repo: str, *, api: str = API, full: bool = False,
          since: str | None = None, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Fetch every pull request updated since the store's high-water mark (all with ``full``).

    Resumable: the list of pull requests still to fetch is saved in the manifest's cursor after
    every page and every pull request, so a rerun after an interrupt continues where it stopped.
    """
    api, high_water, cursor = begin(cl, writer, api, "github", full=full, since=since)
    mf = writer.manifest
    page = None
    if not cursor:
        cursor = new_cursor("github", high_water)
        etag = (mf.get("etags") or {}).get("list") if high_water else None
        page = cl.get(f"{api}/repos/{repo}/pulls",
                      params={"state": "all", "sort": "updated", "direction": "desc", "per_page": 100}, etag=etag)
        if page.not_modified:
            return {"listed": 0, "fetched": 0, "unchanged": True}
        writer.save(etags={**(mf.get("etags") or {}), "list": page.etag} if page.etag else mf.get("etags") or {})
    elif progress:
        progress(f"resuming: {len(cursor['pending'])} pull request(s) still to fetch")
    return list_then_fetch(cl, writer, cursor, page, key="number", noun="pull request", forge_name="GitHub",
                           high_water=high_water, sorted_by_update=True,
                           fetch_item=lambda number: fetch_one(cl, api, repo, number), progress=progress)
