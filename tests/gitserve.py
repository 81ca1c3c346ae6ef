"""Git's smart HTTP protocol on 127.0.0.1 for tests: `git http-backend` (git's own CGI server) behind
the fake forge, so clone URLs a fake forge lists are cloned over HTTP as real ones are, partially
(``--filter=blob:none``) included."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from forgefake import FakeForge
from werkzeug import Request, Response

GIT_PREFIX = "/git"


def bare_copy(work: Path, target: Path) -> Path:
    """A bare clone of ``work`` at ``target`` that serves partial clones."""
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(target)], check=True, capture_output=True)
    subprocess.run(["git", "-C", str(target), "config", "uploadpack.allowFilter", "true"], check=True)
    return target


class GitForge(FakeForge):
    """A fake forge API that also serves the bare repositories under ``root`` at ``/git/NAME.git``."""

    def __init__(self, server: Any, root: Path) -> None:
        super().__init__(server)
        self.root = root
        self.git_requests: list[tuple[str, str | None]] = []  # (Host, Authorization) of each git request
        self.git_auth: str | None = None  # when set: git requests need this Authorization header (else 401)

    def clone_url(self, name: str) -> str:
        return self.url(f"{GIT_PREFIX}/{name}.git")

    def handle(self, req: Request) -> Response:
        if not req.path.startswith(GIT_PREFIX + "/"):
            return super().handle(req)
        self.git_requests.append((req.host, req.headers.get("Authorization")))
        if self.git_auth is not None and req.headers.get("Authorization") != self.git_auth:
            return Response("authentication required", 401, headers={"WWW-Authenticate": 'Basic realm="git"'})
        body = req.get_data()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GIT_PROJECT_ROOT": str(self.root),
               "GIT_HTTP_EXPORT_ALL": "1", "PATH_INFO": req.path[len(GIT_PREFIX):],
               "QUERY_STRING": req.query_string.decode(), "REQUEST_METHOD": req.method,
               "CONTENT_TYPE": req.headers.get("Content-Type", ""), "CONTENT_LENGTH": str(len(body)),
               "REMOTE_ADDR": "127.0.0.1", "GIT_PROTOCOL": req.headers.get("Git-Protocol", ""),
               "HTTP_CONTENT_ENCODING": req.headers.get("Content-Encoding", "")}
        out = subprocess.run(["git", "http-backend"], input=body, capture_output=True, env=env, timeout=120).stdout
        head, _, payload = out.partition(b"\r\n\r\n")
        status, headers = 200, {}
        for line in head.decode("latin-1").split("\r\n"):
            key, _, value = line.partition(":")
            if key.lower() == "status":
                status = int(value.split()[0])
            elif key:
                headers[key] = value.strip()
        return Response(payload, status, headers=headers)
