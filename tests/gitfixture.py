"""Build real git repositories in temporary directories for tests (no network, no global config)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

BASE_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "HOME": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
    "LC_ALL": "C",
}


class GitRepo:
    """A throwaway repository; ``commit`` writes files and commits with full control of identity,
    dates and message."""

    def __init__(self, path: Path, *, bare: bool = False, init: bool = True) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._tick = 0
        if init:
            self.git("init", "-q", "-b", "main", *(["--bare"] if bare else []))
            if not bare:
                self.git("config", "user.name", "Default Dev")
                self.git("config", "user.email", "dev@example.com")
                self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, input: bytes | None = None, env: dict[str, str] | None = None,
            check: bool = True) -> str:
        full_env = {**os.environ, **BASE_ENV, **(env or {})}
        proc = subprocess.run(["git", *args], cwd=self.path, input=input, env=full_env,
                              capture_output=True, check=False)
        if check and proc.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)} failed: {proc.stderr.decode(errors='replace')}")
        return proc.stdout.decode("utf-8", errors="replace")

    def write(self, relpath: str, content: str | bytes) -> None:
        target = self.path / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")

    def commit(self, message: str | bytes, files: dict[str, str | bytes] | None = None, *,
               author: tuple[str, str] = ("Ada Dev", "ada@example.com"),
               committer: tuple[str, str] | None = None, date: str | None = None,
               delete: list[str] | None = None, allow_empty: bool = False) -> str:
        """Commit ``files`` (path -> content). ``date`` is ISO 8601 (default: a steady clock)."""
        for rel, content in (files or {}).items():
            self.write(rel, content)
        for rel in delete or []:
            self.git("rm", "-q", "--", rel)
        self.git("add", "-A")
        if date is None:
            self._tick += 1
            date = _add_minutes("2024-01-01T00:00:00+00:00", self._tick * 37)
        committer = committer or author
        env = {
            "GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1], "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": committer[0], "GIT_COMMITTER_EMAIL": committer[1],
            "GIT_COMMITTER_DATE": date,
        }
        msg = message if isinstance(message, bytes) else message.encode("utf-8")
        self.git("commit", "-q", "--no-verify", "--cleanup=verbatim", "-F", "-",
                 *(["--allow-empty"] if allow_empty or not files and not delete else []),
                 input=msg, env=env)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def branch(self, name: str, start: str = "HEAD") -> None:
        self.git("checkout", "-q", "-b", name, start)

    def checkout(self, name: str) -> None:
        self.git("checkout", "-q", name)

    def merge(self, branch: str, message: str, *, author: tuple[str, str] = ("Ada Dev", "ada@example.com"),
              date: str | None = None) -> str:
        self._tick += 1
        date = date or _add_minutes("2024-01-01T00:00:00+00:00", self._tick * 37)
        env = {
            "GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1], "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": author[0], "GIT_COMMITTER_EMAIL": author[1], "GIT_COMMITTER_DATE": date,
        }
        self.git("merge", "-q", "--no-ff", "--no-edit", "-m", message, branch, env=env)
        return self.head()


def _add_minutes(iso: str, minutes: int) -> str:
    import datetime as dt

    t = dt.datetime.fromisoformat(iso) + dt.timedelta(minutes=minutes)
    return t.isoformat()
