"""Identities and credentials removed from text before it reaches any output.

Remote URLs carry tokens (``https://user:token@``, ``?access_token=``) and rule-match descriptions
can carry a co-author's name and address; both are written to JSON, CSV and the report, so they are
cleaned here, in one place, for every writer.
"""

from __future__ import annotations

import re
from typing import Any

_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?:(?P<userinfo>[^/?#]*)@)?(?P<rest>[^?#]*)")


def sanitize_remote(remote: str | None) -> str | None:
    """Drop credentials from a remote URL before it is written anywhere: any user and password
    (``https://user:token@``, ``ssh://user:pass@``, whatever the scheme's case), except the
    conventional ``git@``, and the query and fragment (``?access_token=...``)."""
    if not remote:
        return None
    text = remote.strip()
    m = _URL.match(text)
    if m:
        userinfo = m.group("userinfo")
        keep = "git@" if userinfo is not None and userinfo.lower() == "git" else ""
        return m.group("scheme").lower() + keep + m.group("rest")
    # scp-like "user@host:path" (no password possible); a local path; never a query
    text = re.split(r"[?#]", text, maxsplit=1)[0]
    m = re.match(r"^(?P<user>[^@/:]+)@(?P<rest>[^/:]+:.*)$", text)
    if m and m.group("user") != "git":
        return m.group("rest")
    return text


_EMAIL = re.compile(r"[^\s<>\"',;()]+@[^\s<>\"',;()]+")
_AGENT_ADDRESS = re.compile(r"(noreply|no-reply|bot|agent|\[bot\]|users\.noreply)", re.IGNORECASE)


def scrub_identities(text: Any) -> Any:
    """A rule-match description without people: e-mail addresses other than bot/agent ones become
    ``<e-mail>`` and the name before them goes too (a trailer like ``Ada Dev <ada@corp>``)."""
    if not isinstance(text, str):
        return text

    def person(m: re.Match[str]) -> str:
        return m.group(0) if _AGENT_ADDRESS.search(m.group(0)) else "<e-mail>"

    out = _EMAIL.sub(person, text)
    # "Name <e-mail>" -> "<e-mail>"
    return re.sub(r"[^:,;<>]*<<e-mail>>|[^:,;<>]*<e-mail>", " <e-mail>", out).replace("  ", " ")


