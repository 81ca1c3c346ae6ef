"""Partial clones of URL sources (``--filter=blob:none``): history without file contents, which is
what mining reads (missing contents only cost their line counts, and are never fetched)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from assess.errors import AssessError
from assess.mining.gitrepo import git_env

CLONE_TIMEOUT = 3600  # seconds; a clone that hangs longer is an error, not a stuck worker


def default_clone_dir() -> Path:
    from assess.mining.cache import cache_dir

    return cache_dir() / "clones"


def partial_clone(url: str, key: str, clone_dir: str | None) -> Path:
    """A bare partial clone of ``url`` under ``clone_dir`` (fetched again when it exists)."""
    base = Path(clone_dir) if clone_dir else default_clone_dir()
    base.mkdir(parents=True, exist_ok=True)
    target = base / f"{key}.git"
    env = {**git_env(), "GIT_TERMINAL_PROMPT": "0"}
    if (target / "HEAD").exists():
        cmd = ["git", "--git-dir", str(target), "fetch", "--quiet", "--filter=blob:none", "--prune", "origin",
               "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]
    else:
        tmp = base / f".{key}.{os.getpid()}.partial"
        cmd = ["git", "clone", "--quiet", "--bare", "--filter=blob:none", "--", url, str(tmp)]
    try:
        proc = subprocess.run(cmd, capture_output=True, env=env, timeout=CLONE_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise AssessError(f"{url}: clone took longer than {CLONE_TIMEOUT} s") from None
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise AssessError(f"{url}: git clone failed: {detail[-1] if detail else proc.returncode}")
    if not (target / "HEAD").exists():
        os.replace(tmp, target)  # a clone interrupted half-way never looks like a finished one
    return target
