"""Open a git repository (work tree, subdirectory, linked worktree or bare) and run git in it."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from assess.errors import AssessError

# git must never prompt, page or read the user's pager settings while we mine.
# GIT_NO_LAZY_FETCH: a partial clone must never fetch missing objects from its remote (no network).
# GIT_FLUSH=0: into a pipe, git log / rev-list otherwise flush after every commit: one write, and
# one wake-up of the reading process, per commit (100,000 commits: 2.6 s of the reader's CPU and 2 s
# of git's, against 0.3 s with full buffers; measured on benchmarks/make_large_repo.py's history).
# Every git command here gets its whole input up front (nothing waits for an answer line by line),
# so buffered output changes no result.
GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "PAGER": "cat", "LC_ALL": "C", "GIT_NO_LAZY_FETCH": "1",
           "GIT_FLUSH": "0"}
# variables that would point git at another repository than the one we located
_FOREIGN = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY",
            "GIT_NAMESPACE", "GIT_ALTERNATE_OBJECT_DIRECTORIES")


def git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _FOREIGN}
    env.update(GIT_ENV)
    return env


@dataclass(frozen=True)
class Repository:
    """A located repository: ``git_dir`` is what git commands run against."""

    path: Path  # what the user named, resolved
    git_dir: Path  # this worktree's git directory (HEAD lives here)
    common_dir: Path  # shared objects and refs (identifies the repository for the cache)
    work_tree: Path | None  # None for bare repositories
    bare: bool

    def run(self, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        """Run a git command in this repository; the caller looks at the return code."""
        return subprocess.run(self.git_command(*args), input=input, capture_output=True, env=git_env(), check=False)

    def git(self, *args: str, check: bool = True, input: bytes | None = None) -> bytes:
        """Run a git command and return its stdout as bytes."""
        proc = self.run(*args, input=input)
        if check and proc.returncode != 0:
            msg = proc.stderr.decode("utf-8", errors="replace").strip().splitlines()
            detail = msg[-1] if msg else f"exit code {proc.returncode}"
            raise AssessError(f"{self.path}: git {args[0]} failed: {detail}")
        return proc.stdout

    def git_command(self, *args: str) -> list[str]:
        # -C into the work tree (not --git-dir/--work-tree): git then reads .mailmap from the top of
        # the work tree, and a linked worktree keeps its own HEAD
        where = self.work_tree if self.work_tree is not None else self.git_dir
        # core.fsmonitor would run a program named in the repository's config on some commands
        return ["git", "-C", str(where), "-c", "core.quotepath=off", "-c", "log.showSignature=false",
                "-c", "core.fsmonitor=false", *args]

    def rev_parse(self, rev: str) -> str | None:
        """Full sha of ``rev`` (peeled to a commit), or None if it does not resolve."""
        out = self.run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        if out.returncode != 0:
            return None
        return out.stdout.decode().strip() or None

    def is_shallow(self) -> bool:
        return self.git("rev-parse", "--is-shallow-repository").strip() == b"true"

    def is_partial_clone(self) -> bool:
        """A clone made with --filter: its missing objects would be fetched on demand."""
        if self.run("config", "--get", "extensions.partialclone").stdout.strip():
            return True
        promisors = self.run("config", "--get-regexp", r"^remote\..*\.promisor$").stdout.decode().split()
        return "true" in (v.lower() for v in promisors[1::2])

    def root_commits(self, rev: str) -> list[str]:
        return sorted(self.git("rev-list", "--max-parents=0", rev).decode().split())

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        return self.run("merge-base", "--is-ancestor", ancestor, descendant).returncode == 0

    def remote_url(self) -> str | None:
        proc = self.run("config", "--get", "remote.origin.url")
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
    git_dir = Path(repo.git_dir).resolve()
    # a bare repository without a config file (e.g. a mirror snapshot) is not flagged bare by
    # GitPython; a git dir that is neither ".git" nor a linked worktree's has no work tree
    bare = bool(repo.bare) or repo.working_tree_dir is None or (
        git_dir.name != ".git" and "worktrees" not in git_dir.parts)
    common_dir = Path(repo.common_dir).resolve()
    work_tree = None if bare else Path(repo.working_tree_dir).resolve()
    repo.close()
    located = Repository(path=target.resolve(), git_dir=git_dir, common_dir=common_dir,
                         work_tree=work_tree, bare=bare)
    _refuse_dubious_ownership(located)
    return located


def _refuse_dubious_ownership(repo: Repository) -> None:
    """git refuses a repository another user owns (common in containers and CI); every later git
    command would then fail as if the repository were empty, so name the cause and the fix."""
    proc = repo.run("rev-parse", "--git-dir")
    if proc.returncode != 0 and b"dubious ownership" in proc.stderr:
        where = repo.work_tree or repo.git_dir
        raise AssessError(f"{repo.path}: git refuses this repository: dubious ownership (it is owned by "
                          "another user)", hint=f"if you trust it, run `git config --global --add "
                          f"safe.directory {where}`")


def repository_key(path: str | os.PathLike[str]) -> str:
    """What identifies a repository given as a folder: its shared git directory (so a work tree,
    its ``.git`` and a linked worktree are one); any other path (an evidence JSON) by itself."""
    p = Path(path)
    if p.is_dir():
        try:
            return str(open_repository(p).common_dir)
        except AssessError:
            pass  # reported properly when the repository is read
    return str(p.resolve())
