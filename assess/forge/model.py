"""The normalised pull-request record every forge source writes (format ``assess-forge/1``).

One record per pull/merge request::

    forge, repo, number, title, body, state (open|closed|merged), draft,
    author {login, id, bot}, merged_by {…}|None, head_ref, base_ref,
    created_at, updated_at, closed_at, merged_at (ISO 8601 UTC or None),
    additions, deletions, changed_files (int or None when unknown), labels [str], ci_state, auto_merge,
    reviews_known (False when the export held no reviews: then no review measure uses the record),
    reviews [{user, state (APPROVED|CHANGES_REQUESTED|COMMENTED|DISMISSED), submitted_at, body_chars}],
    review_comments [{user, created_at}],
    commits_known, commits [{sha, author_email, author_name, committer_email, committer_name,
              authored_at, committed_at, message}],
    source (api|gh-pr-list|gh-api|gitlab-api)
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

FORMAT = "assess-forge/1"
MAX_TEXT = 65536  # a body or commit message is kept up to 64 KiB: enough for trailers and disclosures

REVIEW_STATES = ("APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED", "PENDING")


def account(login: Any, user_id: Any = None, bot: bool | None = None) -> dict[str, Any] | None:
    """A forge account. ``app/x`` (gh output), a ``[bot]`` suffix or a Bot type mark a bot."""
    if not isinstance(login, str) or not login:
        return None
    name = login.strip()
    is_bot = bool(bot)
    if name.startswith("app/"):
        name, is_bot = name[4:], True
    if name.endswith("[bot]"):
        name, is_bot = name[:-5], True
    ident = user_id if isinstance(user_id, int) and not isinstance(user_id, bool) else None
    return {"login": name, "id": ident, "bot": is_bot}


def login_key(acc: dict[str, Any] | None) -> str | None:
    """The form catalogue ``login`` rules match: lower-case, ``[bot]`` appended for bots."""
    if not acc:
        return None
    return acc["login"].lower() + ("[bot]" if acc.get("bot") else "")


def iso(value: Any) -> str | None:
    """An ISO 8601 timestamp normalised to UTC ``YYYY-MM-DDTHH:MM:SSZ``; None when absent."""
    if value is None or value == "":
        return None
    # "timestamp: …" names the field in the import's file:line error (the message after ": " is its text)
    if not isinstance(value, str):
        raise ValueError(f"timestamp: must be an ISO 8601 string, not {type(value).__name__}")
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"timestamp: '{value[:40]}' is not an ISO 8601 timestamp") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str | None) -> dt.datetime | None:
    """A stored timestamp (``YYYY-MM-DDTHH:MM:SSZ``, as :func:`iso` writes it) as an aware datetime."""
    if not value:
        return None
    if not isinstance(value, str) or len(value) != 20 or value[-1] != "Z" or value[10] != "T":
        raise ValueError(f"not a normalised timestamp: {value!r}")
    return dt.datetime.fromisoformat(value[:-1]).replace(tzinfo=dt.timezone.utc)


def text(value: Any) -> str:
    return value[:MAX_TEXT] if isinstance(value, str) else ""


def count(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.isdigit():  # GitLab's changes_count is a string ("1000+")
        return int(value)
    return None


_REPO = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$")


def valid_repo(repo: str) -> bool:
    return bool(_REPO.match(repo)) and ".." not in repo


def key(record: dict[str, Any]) -> tuple[str, str, int]:
    return (record["forge"], record["repo"], int(record["number"]))


def _is_account(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("login"), str) and bool(value["login"])


def check_record(record: Any) -> str | None:
    """Why a stored line is not a valid record (the field), or None."""
    if not isinstance(record, dict):
        return "record: must be an object"
    for name, kind in (("forge", str), ("repo", str), ("number", int), ("state", str), ("created_at", str),
                       ("reviews", list), ("review_comments", list), ("commits", list)):
        if not isinstance(record.get(name), kind) or isinstance(record.get(name), bool):
            return f"{name}: missing or not a {kind.__name__}"
    if record["state"] not in ("open", "closed", "merged"):
        return "state: must be open, closed or merged"
    for name in ("author", "merged_by"):
        if record.get(name) is not None and not _is_account(record[name]):
            return f"{name}: must be an account object with a login"
    for name in ("reviews", "review_comments", "commits"):
        if not all(isinstance(x, dict) for x in record[name]):
            return f"{name}: every item must be an object"
    for r in record["reviews"]:
        if not isinstance(r.get("state"), str) or (r.get("user") is not None and not _is_account(r["user"])):
            return "reviews: each needs a state and an account (or null) as user"
    for c in record["review_comments"]:
        if c.get("user") is not None and not _is_account(c["user"]):
            return "review_comments: user must be an account or null"
    for name in ("additions", "deletions"):
        if record.get(name) is not None and (not isinstance(record[name], int) or isinstance(record[name], bool)):
            return f"{name}: must be an integer or null"
    try:
        for r in record["reviews"]:
            parse_time(r.get("submitted_at"))
        for c in record["review_comments"] + record["commits"]:
            parse_time(c.get("created_at") or c.get("authored_at"))
    except (TypeError, ValueError):
        return "reviews: a time is not a normalised timestamp"
    try:
        for name in ("created_at", "updated_at", "closed_at", "merged_at"):
            if record.get(name) is not None:
                parse_time(record[name])
    except (TypeError, ValueError):
        return f"{name}: not a normalised timestamp"
    return None
