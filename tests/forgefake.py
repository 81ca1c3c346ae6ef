"""A fake GitHub / GitLab REST API for tests, served by pytest-httpserver on 127.0.0.1.

Routes map a path to a queue of responses; the last one repeats. Every request is recorded, so a
test can check what was asked (and that the token went in a header, never in a URL)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

from werkzeug import Request, Response

TOKEN = "ghp_TESTSECRET0123456789abcdefSECRET"


class FakeForge:
    def __init__(self, server: Any) -> None:
        self.server = server
        # the fake server's access log would mix into the CLI's stderr that tests read
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.routes: dict[str, list[Any]] = {}
        self.requests: list[Request] = []
        server.expect_request(re.compile(r".*")).respond_with_handler(self.handle)

    @property
    def api(self) -> str:
        return self.server.url_for("").rstrip("/")

    def url(self, path: str) -> str:
        return self.api + path

    def route(self, path: str, *responses: Any) -> None:
        """Each response: a JSON-able value (200), or (status, body, headers), or a callable(request)."""
        self.routes[path] = list(responses)

    def paged(self, path: str, items: list[Any], per_page: int, **extra_headers: str) -> None:
        """Serve ``items`` over pages linked by ``Link: rel="next"`` (``?page=N``)."""
        pages = [items[i:i + per_page] for i in range(0, len(items), per_page)] or [[]]

        def handler(req: Request) -> Response:
            n = int(req.args.get("page", "1"))
            headers = dict(extra_headers)
            if n < len(pages):
                headers["Link"] = f'<{self.url(path)}?page={n + 1}&per_page={per_page}>; rel="next", ' \
                                  f'<{self.url(path)}?page={len(pages)}>; rel="last"'
            return Response(json.dumps(pages[n - 1]), 200, headers={"Content-Type": "application/json", **headers})

        self.routes[path] = [handler]

    @staticmethod
    def raw_path(req: Request) -> str:
        """The path as sent (GitLab project ids keep their %2F; werkzeug's req.path decodes it)."""
        raw = req.environ.get("RAW_URI") or req.environ.get("REQUEST_URI") or req.path
        return raw.split("?", 1)[0]

    def handle(self, req: Request) -> Response:
        self.requests.append(req)
        queue = self.routes.get(self.raw_path(req))
        if not queue:
            return Response(json.dumps({"message": "Not Found"}), 404, content_type="application/json")
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        if callable(item):
            return item(req)
        if isinstance(item, tuple):
            status, body, headers = item
            text = body if isinstance(body, str) else json.dumps(body)
            return Response(text, status, headers={"Content-Type": "application/json", **headers})
        return Response(json.dumps(item), 200, content_type="application/json")

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if self.raw_path(r) == path)


ALICE_GH = {"login": "alice", "id": 1, "type": "User"}


def user(login: str, uid: int, bot: bool = False) -> dict[str, Any]:
    return {"login": login, "id": uid, "type": "Bot" if bot else "User"}


def gh_pull(number: int, author: dict[str, Any], *, created: str, updated: str | None = None, merged: str | None = None,
            merged_by: dict[str, Any] | None = None, head: str = "feature", additions: int = 10, deletions: int = 2,
            body: str = "", title: str | None = None, repo: str = "acme/widgets") -> dict[str, Any]:
    return {"number": number, "title": title or f"Change {number}", "body": body,
            "state": "closed" if merged else "open", "draft": False, "user": author,
            "created_at": created, "updated_at": updated or merged or created, "closed_at": merged, "merged_at": merged,
            "merged_by": merged_by, "head": {"ref": head, "sha": f"{number:040x}"}, "base": {"ref": "main", "repo": {"full_name": repo}},
            "additions": additions, "deletions": deletions, "changed_files": 2, "labels": [{"name": "x"}],
            "auto_merge": None, "html_url": f"https://github.com/{repo}/pull/{number}"}


def gh_review(rid: int, who: dict[str, Any], state: str, at: str, body: str = "") -> dict[str, Any]:
    return {"id": rid, "user": who, "state": state, "submitted_at": at, "body": body}


def gh_commit(sha: str, email: str, at: str, message: str = "work", name: str = "Dev") -> dict[str, Any]:
    return {"sha": sha, "commit": {"author": {"name": name, "email": email, "date": at},
                                   "committer": {"name": name, "email": email, "date": at}, "message": message},
            "author": None, "parents": [{"sha": "p"}]}


def serve_github_repo(fake: FakeForge, pulls: list[dict[str, Any]], *, reviews: dict[int, list] | None = None,
                      comments: dict[int, list] | None = None, commits: dict[int, list] | None = None,
                      repo: str = "acme/widgets", per_page: int = 2, list_handler: Callable | None = None) -> None:
    """Serve a repository: the pulls list (sorted by update time, newest first), each pull and its
    reviews, review comments, commits and check runs."""
    ordered = sorted(pulls, key=lambda p: p["updated_at"], reverse=True)
    if list_handler:
        fake.route(f"/repos/{repo}/pulls", list_handler)
    else:
        fake.paged(f"/repos/{repo}/pulls", ordered, per_page, ETag='"list-v1"')
    for p in pulls:
        n = p["number"]
        fake.route(f"/repos/{repo}/pulls/{n}", p)
        fake.paged(f"/repos/{repo}/pulls/{n}/reviews", (reviews or {}).get(n, []), 1)
        fake.paged(f"/repos/{repo}/pulls/{n}/comments", (comments or {}).get(n, []), 100)
        fake.paged(f"/repos/{repo}/pulls/{n}/commits", (commits or {}).get(n, []), 100)
        fake.route(f"/repos/{repo}/commits/{p['head']['sha']}/check-runs",
                   {"total_count": 1, "check_runs": [{"conclusion": "success"}]})
