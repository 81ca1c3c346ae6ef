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




def shown_path(path: str | None) -> str | None:
    """A file or folder as written without ``--show-identities``: an absolute path reveals home
    folders and client names, so a file shipped with assess becomes "bundled <package-relative
    path>" and anything else its last component (the repository's folder name, a user's rubric by
    file name)."""
    if not path:
        return path
    from pathlib import Path, PurePath

    package = Path(__file__).resolve().parent
    try:
        return "bundled " + Path(path).resolve().relative_to(package).as_posix().split("/", 1)[-1]
    except (ValueError, OSError):
        return PurePath(path).name or path


def shown_remote(remote: str | None) -> str | None:
    """A remote URL as written without ``--show-identities``: a clone of a local folder has that
    folder (home, client names) as its origin, so a local path or ``file:`` URL is cut like
    :func:`shown_path`; a forge URL (already without credentials) is kept for commit links."""
    if not remote:
        return remote
    if remote.startswith(("/", "~", ".", "\\\\")) or remote.lower().startswith("file:") or re.match(r"^[A-Za-z]:[\\/]", remote):
        return shown_path(remote.rstrip("/\\"))
    return remote


def private_evidence_paths(evidence: dict[str, Any]) -> dict[str, Any]:
    """A copy of one repository's evidence (``assess repo --json``) with its absolute paths cut to
    :func:`shown_path`: the repository folder, the attribution catalogues, the rubric of its level."""
    import copy

    e = copy.deepcopy(evidence)
    repo = e.get("repository") or {}
    if repo.get("path"):
        repo["path"] = shown_path(repo["path"])
    if repo.get("remote"):
        repo["remote"] = shown_remote(repo["remote"])
    catalogue = (e.get("attribution") or {}).get("catalogue") or {}
    if isinstance(catalogue.get("files"), list):
        catalogue["files"] = [shown_path(f) for f in catalogue["files"]]
    rubric = (e.get("level") or {}).get("rubric")
    if isinstance(rubric, dict) and rubric.get("file"):
        rubric["file"] = shown_path(rubric["file"])
    return e


def private_report_paths(doc: dict[str, Any]) -> dict[str, Any]:
    """The report document with every absolute path it carries cut to :func:`shown_path` (the
    evidence blocks are copied first: the caller's evidence is not changed)."""
    for repo in doc.get("repositories") or []:
        repo["path"] = shown_path(repo.get("path"))
        repo["remote"] = shown_remote(repo.get("remote"))
    for block in (doc.get("methods") or {}, doc.get("team_level") or {}):
        rubric = block.get("rubric")
        if isinstance(rubric, dict) and rubric.get("file"):
            block["rubric"] = {**rubric, "file": shown_path(rubric["file"])}
    doc["evidence"] = [private_evidence_paths(e) for e in doc.get("evidence") or []]
    study = (doc.get("study") or {}).get("study")
    if isinstance(study, dict) and study.get("directory"):
        doc["study"] = {**doc["study"], "study": {**study, "directory": shown_path(study["directory"])}}
    return doc
