"""Open a git repository (work tree, subdirectory, linked worktree or bare) and run git in it."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from assess.errors import AssessError

# git must never prompt, page or read the user's pager settings while we mine.
GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "PAGER": "cat", "LC_ALL": "C"}


@dataclass(frozen=True)
class Repository:
    """A located repository: ``git_dir`` is what git commands run against."""

    path: Path  # what the user named, resolved
    git_dir: Path  # this worktree's git directory (HEAD lives here)
    common_dir: Path  # shared objects and refs (identifies the repository for the cache)
    work_tree: Path | None  # None for bare repositories
    bare: bool

    def git(self, *args: str, check: bool = True, input: bytes | None = None) -> bytes:
        """Run a git command and return its stdout as bytes."""
        proc = subprocess.run(self.git_command(*args), input=input, capture_output=True,
                              env={**os.environ, **GIT_ENV}, check=False)
        if check and proc.returncode != 0:
            msg = proc.stderr.decode("utf-8", errors="replace").strip().splitlines()
            detail = msg[-1] if msg else f"exit code {proc.returncode}"
            raise AssessError(f"{self.path}: git {args[0]} failed: {detail}")
        return proc.stdout

    def git_command(self, *args: str) -> list[str]:
        base = ["git", "--git-dir", str(self.git_dir)]
        if self.work_tree is not None:
            base += ["--work-tree", str(self.work_tree)]
        return [*base, "-c", "core.quotepath=off", "-c", "log.showSignature=false", *args]

    def rev_parse(self, rev: str) -> str | None:
        """Full sha of ``rev`` (peeled to a commit), or None if it does not resolve."""
        out = subprocess.run(self.git_command("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"),
                             capture_output=True, env={**os.environ, **GIT_ENV}, check=False)
        if out.returncode != 0:
            return None
        return out.stdout.decode().strip() or None

    def is_shallow(self) -> bool:
        return self.git("rev-parse", "--is-shallow-repository").strip() == b"true"

    def root_commits(self, rev: str) -> list[str]:
        return sorted(self.git("rev-list", "--max-parents=0", rev).decode().split())

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        proc = subprocess.run(self.git_command("merge-base", "--is-ancestor", ancestor, descendant),
                              capture_output=True, env={**os.environ, **GIT_ENV}, check=False)
        return proc.returncode == 0

    def remote_url(self) -> str | None:
        proc = subprocess.run(self.git_command("config", "--get", "remote.origin.url"),
                              capture_output=True, env={**os.environ, **GIT_ENV}, check=False)
        url = proc.stdout.decode("utf-8", errors="replace").strip()
        return url or None


def open_repository(path: str | os.PathLike[str]) -> Repository:
    """Locate the repository containing ``path`` with GitPython; a clear error if there is none."""
    import git  # GitPython; imported here so `assess --help` stays fast

    target = Path(path).expanduser()
    if not target.exists():
        raise AssessError(f"{target}: no such directory", hint="give the path of a git repository")
    if not target.is_dir():
        raise AssessError(f"{target}: not a directory", hint="give the path of a git repository")
    try:
        repo = git.Repo(target, search_parent_directories=True)
    except git.InvalidGitRepositoryError:
        raise AssessError(f"{target}: not a git repository (or any parent up to the root)",
                          hint="run assess on a folder inside a git checkout, or on a bare repository") from None
    except git.NoSuchPathError:
        raise AssessError(f"{target}: no such directory") from None
    except PermissionError as exc:
        raise AssessError(f"{target}: cannot read the repository: {exc.strerror}") from None
    bare = bool(repo.bare)
    git_dir = Path(repo.git_dir).resolve()
    common_dir = Path(repo.common_dir).resolve()
    work_tree = None if bare else Path(repo.working_tree_dir).resolve()
    repo.close()
    return Repository(path=target.resolve(), git_dir=git_dir, common_dir=common_dir,
                      work_tree=work_tree, bare=bare)
