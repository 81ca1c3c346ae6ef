"""Partial clones of URL sources (``--filter=blob:none``): history without file contents, which is
what mining reads (missing contents only cost their line counts, and are never fetched)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from assess.errors import AssessError
from assess.mining.gitrepo import git_env
from assess.org.options import CloneCredential

CLONE_TIMEOUT = 3600  # seconds; a clone that hangs longer is an error, not a stuck worker


def default_clone_dir() -> Path:
    from assess.mining.cache import cache_dir

    return cache_dir() / "clones"


# a credential helper that answers git's "get" with the username and token from its environment:
# the token is never in a URL, a command line or the clone's config
_HELPER = ('!f() { test "$1" = get && printf "username=%s\\npassword=%s\\n" '
           '"$ASSESS_GIT_USERNAME" "$ASSESS_GIT_PASSWORD"; }; f')


def credential_env(url: str, credential: CloneCredential | None, environ: dict[str, str]) -> dict[str, str]:
    """Environment for git that lets it authenticate ``url`` with the forge token, when the URL is
    under the credential's prefix and the token is set here; else nothing."""
    if credential is None or not url.startswith(credential.url_prefix.rstrip("/") + "/"):
        return {}
    token = (os.environ.get(credential.token_env) or "").strip()
    if not token:
        return {}
    try:
        n = int(environ.get("GIT_CONFIG_COUNT") or 0)
    except ValueError:
        n = 0
    # scoped to the forge's URL prefix: git asks this helper for no other host (nor after a redirect).
    # The empty value first clears the user's own helpers for that prefix: git hands credentials that
    # worked to every helper to keep ('approve'), and `credential.helper=store` wrote the token to
    # ~/.git-credentials in plain text
    key = f"credential.{credential.url_prefix}.helper"
    return {"GIT_CONFIG_COUNT": str(n + 2), f"GIT_CONFIG_KEY_{n}": key, f"GIT_CONFIG_VALUE_{n}": "",
            f"GIT_CONFIG_KEY_{n + 1}": key, f"GIT_CONFIG_VALUE_{n + 1}": _HELPER,
            "ASSESS_GIT_USERNAME": credential.username, "ASSESS_GIT_PASSWORD": token}


def clone_env(url: str, credential: CloneCredential | None, environ: os._Environ[str] | dict[str, str]) -> dict[str, str]:
    """git's environment for a clone that never waits on a terminal: many clones run at once (and on
    cluster workers), so neither git nor ssh may ask for a password, a passphrase or a host key; they
    fail with their own error instead. A user's own GIT_SSH_COMMAND / GIT_SSH is kept as given."""
    env = {**git_env(), "GIT_TERMINAL_PROMPT": "0"}
    if not environ.get("GIT_SSH_COMMAND") and not environ.get("GIT_SSH"):
        env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
    env.update(credential_env(url, credential, env))
    return env


_SSH_REFUSAL = re.compile(r"Host key verification failed|Permission denied \(|Could not resolve hostname|"
                          r"Connection (refused|timed out|closed)|Enter passphrase|Bad owner or permissions")
_SSH_HINT = ("ssh may not ask here: load the key into ssh-agent and add the host to known_hosts "
             "(ssh-keyscan HOST >> ~/.ssh/known_hosts)")


def _git_error(stderr: bytes) -> str:
    """What went wrong, in one line: git's (and ssh's) own error lines, not the advice after them
    (the last line of a refused ssh clone is "and the repository exists.")."""
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").replace("\r", "\n").splitlines() if ln.strip()]
    # ssh's own refusals come before git's "fatal: Could not read from remote repository."
    ssh = [ln for ln in lines if ln.startswith("ssh:") or _SSH_REFUSAL.search(ln)]
    errors = ssh + [ln for ln in lines if ln.startswith(("fatal:", "error:", "remote: fatal", "remote: error"))]
    chosen = "; ".join(dict.fromkeys(errors[:2])) if errors else (lines[-1] if lines else "")
    return "".join(ch if ch.isprintable() else "?" for ch in chosen)[:500]


def _redact(text: str, env: dict[str, str]) -> str:
    """``text`` (recorded in org.json) without the token, as sent or base64-encoded in a header: the
    server's own messages come back in git's errors."""
    token = env.get("ASSESS_GIT_PASSWORD")
    if not token:
        return text
    import base64

    basic = base64.b64encode(f"{env.get('ASSESS_GIT_USERNAME', '')}:{token}".encode()).decode()
    for form in (basic, token):
        text = text.replace(form, "***")
    return text


def partial_clone(url: str, key: str, clone_dir: str | None, *, credential: CloneCredential | None = None) -> Path:
    """A bare partial clone of ``url`` under ``clone_dir`` (fetched again when it exists).
    ``credential``: a forge token git may use for this URL (forge organisation sources)."""
    base = Path(clone_dir) if clone_dir else default_clone_dir()
    base.mkdir(parents=True, exist_ok=True)
    target = base / f"{key}.git"
    env = clone_env(url, credential, os.environ)
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
        detail = _git_error(proc.stderr) or f"exit code {proc.returncode}"
        ssh_refused = any(w in detail for w in ("Host key verification failed", "Permission denied (publickey"))
        raise AssessError(f"{url}: git clone failed: {_redact(detail, env)}", hint=_SSH_HINT if ssh_refused else None)
    if not (target / "HEAD").exists():
        os.replace(tmp, target)  # a clone interrupted half-way never looks like a finished one
    return target
