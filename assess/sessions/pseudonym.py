"""Pseudonymous person ids: an HMAC of the person's local name under a secret key kept on their own
machine, so the id is stable across runs but cannot be recomputed (or reversed) from a name by anyone
without that key."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

ENV_KEY = "ASSESS_PSEUDONYM_KEY"


def key_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "assess" / "pseudonym.key"


def pseudonym_key() -> bytes:
    """The key from $ASSESS_PSEUDONYM_KEY, else the machine's key file (created on first use)."""
    env = os.environ.get(ENV_KEY)
    if env:
        return env.encode()
    path = key_path()
    try:
        data = path.read_bytes()
        if len(data) >= 16:
            return data
    except OSError:
        pass
    data = secrets.token_hex(32).encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except FileExistsError:
        return path.read_bytes()
    except OSError:
        pass  # a read-only home: ids are then stable only within this run
    return data


def pseudonym(person: str, key: bytes | None = None) -> str:
    digest = hmac.new(key if key is not None else pseudonym_key(), person.encode(), hashlib.sha256).hexdigest()
    return "p-" + digest[:12]
