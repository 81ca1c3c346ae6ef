"""Forge organisations as sources of `assess org`: ``github:ORG`` / ``gitlab:GROUP`` (or the
organisation's github.com / gitlab.com web address) list the organisation's repositories over the
forge's REST API with the forge client, and each repository becomes a clone-URL source, cloned
partially as any clone URL is.

Listing reaches the network, so it happens only when the user allows it (``ForgeAccess.allowed``,
the CLI's ``--list-from-forge``); without it a forge source is a one-line error saying what to add.
The listing is bounded (pages, repositories) and treated as hostile: a clone URL the forge returns
is used only when it is https (http when the API itself is plain http, ssh with ``ssh``), never a
local path or another transport."""

from __future__ import annotations

import fnmatch
import os
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assess.errors import AssessError
from assess.org.options import CloneCredential

MAX_PAGES = 1000  # 100 repositories a page: 100,000 repositories, as many as a list file may hold
MAX_REPOSITORIES = 100_000
DEFAULT_TOKEN_ENV = {"github": "GITHUB_TOKEN", "gitlab": "GITLAB_TOKEN"}
FORGE_NAMES = {"github": "GitHub", "gitlab": "GitLab"}

_PREFIX = re.compile(r"^(github|gitlab|forgejo|gitea|bitbucket):", re.IGNORECASE)
_GITHUB_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")  # GitHub logins: letters, digits, hyphens
_GITLAB_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$")
# web addresses that can only name an organisation: github.com/ORG (one segment: a repository has
# two) and gitlab.com/groups/GROUP (a reserved word: never a user or a project)
_GITHUB_WEB = re.compile(r"^https://(?:www\.)?github\.com/(?:orgs/)?([^/?#]+)/?$", re.IGNORECASE)
_GITLAB_WEB = re.compile(r"^https://gitlab\.com/groups/([^?#]+?)/?$", re.IGNORECASE)
_SCP = re.compile(r"^[A-Za-z0-9][\w.-]*@[A-Za-z0-9][\w.-]*:[A-Za-z0-9_][\w./-]*$")


@dataclass(frozen=True)
class ForgeOrg:
    """A forge organisation (GitHub) or group (GitLab) named as a source."""

    source: str  # as the user gave it
    forge: str  # "github" | "gitlab"
    name: str  # the organisation's login or the group's full path

    @property
    def label(self) -> str:
        return f"{self.forge}:{self.name}"


@dataclass
class ForgeAccess:
    """How forge organisation sources are listed. ``allowed`` is the user's consent to the network."""

    allowed: bool = False
    api_url: str | None = None  # GitHub Enterprise https://HOST/api/v3, self-managed GitLab https://HOST/api/v4
    token_env: str | None = None  # default GITHUB_TOKEN / GITLAB_TOKEN
    include_archived: bool = False
    include_forks: bool = False
    match: tuple[str, ...] = ()  # glob patterns on the repository name; any one keeps it
    ssh: bool = False  # clone over ssh (the forge's ssh URL) rather than https
    max_wait: float = 900.0  # longest rate-limit wait before giving up
    max_pages: int = MAX_PAGES
    say: Callable[[str], None] | None = None  # where announcements go (None: nowhere)
    # tests only: builds the forge client instead of assess.forge.github/gitlab.client
    client_factory: Callable[..., Any] | None = field(default=None, repr=False)


@dataclass
class Listing:
    """What one forge source listed: recorded in org.json's run and the manifest."""

    source: str
    forge: str
    organisation: str
    api: str
    listed: int = 0
    repositories: list[dict[str, str]] = field(default_factory=list)  # {"name", "url"} kept, in listing order
    credential: CloneCredential | None = None  # for the forge's own https clone URLs, when a token is set
    skipped: dict[str, list[str]] = field(default_factory=lambda: {"archived": [], "fork": [], "name": [],
                                                                    "no usable clone URL": []})

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "forge": self.forge, "organisation": self.organisation, "api": self.api,
                "listed": self.listed, "repositories": [r["name"] for r in self.repositories],
                "skipped": {k: v for k, v in self.skipped.items()}}


def parse_forge_source(text: str) -> ForgeOrg | None:
    """The organisation ``text`` names, or None when it names no forge organisation. A forge prefix
    with a malformed or unsupported name is an error rather than a path."""
    m = _PREFIX.match(text)
    if m:
        forge, name = m.group(1).lower(), text[m.end():].strip("/")
        if forge not in FORGE_NAMES:
            raise AssessError(f"{text}: {forge} organisations are not supported (github:ORG and gitlab:GROUP are)",
                              hint="list the repositories' clone URLs in a file instead")
    else:
        gh, gl = _GITHUB_WEB.match(text), _GITLAB_WEB.match(text)
        if gh and gh.group(1).lower() not in ("orgs", "settings", "login", "explore", "topics", "about"):
            forge, name = "github", gh.group(1)
        elif gl:
            forge, name = "gitlab", gl.group(1)
        else:
            return None
    if forge == "github" and not _GITHUB_NAME.match(name):
        raise AssessError(f"{text}: '{name}' is not a GitHub organisation name",
                          hint="github:ORG takes one name of letters, digits and hyphens")
    if forge == "gitlab" and not (name and all(_GITLAB_SEGMENT.match(s) for s in name.split("/"))
                                  and len(name.split("/")) <= 20):
        raise AssessError(f"{text}: '{name}' is not a GitLab group path",
                          hint="gitlab:GROUP or gitlab:GROUP/SUBGROUP")
    return ForgeOrg(source=text, forge=forge, name=name)


def check_api_url(url: str) -> str:
    """``--api-url`` without its trailing slash, if it is an http(s) address without credentials:
    it is recorded in org.json and the manifest, and the token travels in a header."""
    api = url.rstrip("/")
    try:
        parts = urllib.parse.urlsplit(api)
        port = parts.port  # raises on a port that is not a number
    except ValueError:
        parts, port = None, None
    if parts is None or parts.scheme not in ("https", "http") or not parts.hostname or not api.startswith(
            ("https://", "http://")):
        raise AssessError(f"--api-url '{_show_url(url)}' is not a valid https:// address",
                          hint="e.g. https://HOST/api/v3 (GitHub Enterprise) or https://HOST/api/v4 (GitLab)")
    if parts.username is not None or parts.password is not None:
        raise AssessError("--api-url carries credentials (user:password@); they would be recorded in org.json",
                          hint="drop them and put the token in $GITHUB_TOKEN / $GITLAB_TOKEN (--token-env)")
    if parts.query or parts.fragment or any(ord(ch) < 33 or ord(ch) == 127 for ch in api):
        raise AssessError(f"--api-url '{_show_url(api)}' must be the API root, without a query or spaces")
    del port
    return api


def _show_url(url: str) -> str:
    """A URL for an error message: no credentials, no control characters, bounded."""
    shown = re.sub(r"//[^/@]*@", "//", url)
    return "".join(ch if 32 <= ord(ch) != 127 else "?" for ch in shown)[:200]


def check_access(orgs: list[ForgeOrg], access: ForgeAccess) -> None:
    """Before anything reaches the network: every forge source can be listed as asked."""
    if not orgs:
        return
    if not access.allowed:
        list_organisation(orgs[0], access)  # the one-line error saying what to add
    if access.api_url is not None:
        check_api_url(access.api_url)
    if access.token_env is not None:
        from assess.forge.http import check_token_env

        check_token_env(access.token_env)
    forges = sorted({o.forge for o in orgs})
    if len(forges) > 1 and (access.api_url or access.token_env):
        raise AssessError(f"--api-url and --token-env apply to one forge; the sources name {' and '.join(forges)} "
                          "organisations", hint="run each forge's organisations separately into their own -o folder")


def clone_credential(forge: str, api: str, env: str) -> CloneCredential:
    """Where git may use the token: the forge's own web host (github.com for api.github.com; the
    API's host for GitHub Enterprise and GitLab), never a host a listed URL merely names."""
    parts = urllib.parse.urlsplit(api)
    netloc = "github.com" if parts.netloc.lower() == "api.github.com" else parts.netloc
    return CloneCredential(url_prefix=f"{parts.scheme}://{netloc}",
                           username="x-access-token" if forge == "github" else "oauth2", token_env=env)


def _token(env: str) -> str | None:
    token = (os.environ.get(env) or "").strip() or None
    if token is not None and not all(33 <= ord(ch) < 127 for ch in token):
        # never echoed: a header with a control character would fail inside the HTTP library with
        # the token in its message
        raise AssessError(f"${env} holds a token with spaces or control characters", hint="set it to the token alone")
    return token


def _usable_url(url: Any, api: str, ssh: bool) -> str | None:
    """The clone URL if it is one assess may hand to git for this forge, else None."""
    if not isinstance(url, str) or len(url) > 2000 or any(ord(ch) < 33 or ord(ch) == 127 for ch in url):
        return None
    if ssh:
        return url if url.startswith("ssh://") or _SCP.match(url) else None
    parts = urllib.parse.urlsplit(url)
    allowed = ("https", "http") if api.startswith("http://") else ("https",)
    if parts.scheme not in allowed or not parts.hostname or parts.username or parts.password:
        return None  # credentials in a listed URL would end up in org.json
    return url


def _entry(forge: str, item: dict[str, Any]) -> tuple[str, bool, bool, Any, Any]:
    """(name, archived, fork, https URL, ssh URL) of one listed repository."""
    if forge == "github":
        return (item.get("name"), bool(item.get("archived")), bool(item.get("fork")),
                item.get("clone_url"), item.get("ssh_url"))
    return (item.get("path"), bool(item.get("archived")), isinstance(item.get("forked_from_project"), dict),
            item.get("http_url_to_repo"), item.get("ssh_url_to_repo"))


def _client(org: ForgeOrg, access: ForgeAccess, token: str | None, env: str) -> Any:
    if access.client_factory is not None:
        return access.client_factory(org.forge, token, env)
    from assess.forge import github, gitlab

    module = github if org.forge == "github" else gitlab
    return module.client(token, env, max_wait=access.max_wait, say=access.say or (lambda _msg: None))


def _endpoints(org: ForgeOrg, api: str) -> list[tuple[str, dict[str, Any]]]:
    if org.forge == "github":
        # an organisation's repositories; a user account's when no organisation has that name
        return [(f"{api}/orgs/{org.name}/repos", {"type": "all"}),
                (f"{api}/users/{org.name}/repos", {"type": "owner"})]
    group = urllib.parse.quote(org.name, safe="")
    return [(f"{api}/groups/{group}/projects", {"include_subgroups": "true", "with_shared": "false",
                                                "order_by": "path", "sort": "asc"})]


def _pages(client: Any, org: ForgeOrg, url: str, params: dict[str, Any], access: ForgeAccess) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for n, page in enumerate(client.pages(url, params={"per_page": 100, **params}), start=1):
        if n > access.max_pages:
            raise AssessError(f"{org.source}: the {FORGE_NAMES[org.forge]} listing of '{org.name}' goes on past "
                              f"{access.max_pages:,} pages; stopped", hint="the forge's pagination does not end")
        items.extend(x for x in page.data if isinstance(x, dict))
        if len(items) > MAX_REPOSITORIES:
            raise AssessError(f"{org.source}: '{org.name}' lists more than {MAX_REPOSITORIES:,} repositories",
                              hint="narrow it with --match, or list the clone URLs in files")
    return items


def _listing_hint(hint: str | None, env: str) -> str | None:
    """The client's hint, minus what only `assess forge fetch` has (a resumable store, --max-wait)."""
    if hint and ("store" in hint or "--max-wait" in hint):
        return f"rerun later; a token in ${env} raises the rate limit" if "rate limit" in hint or "rerun" in hint \
            else "check the network or --api-url, and rerun"
    return hint


def _not_found(exc: AssessError) -> bool:
    return "not found (404)" in exc.message


def list_organisation(org: ForgeOrg, access: ForgeAccess) -> Listing:
    """The organisation's repositories, filtered as ``access`` says. Errors are one line naming the
    organisation."""
    forge_name = FORGE_NAMES[org.forge]
    if not access.allowed:
        raise AssessError(f"{org.source}: listing the {forge_name} organisation '{org.name}' uses the "
                          f"{forge_name} API over the network; add --list-from-forge to allow it",
                          hint="or list the repositories' clone URLs in a file")
    from assess.forge import github, gitlab

    api = check_api_url(access.api_url or (github.API if org.forge == "github" else gitlab.API))
    env = access.token_env or DEFAULT_TOKEN_ENV[org.forge]
    token = _token(env)
    say = access.say or (lambda _msg: None)
    say(f"{org.source}: listing repositories over the {forge_name} API ({api})"
        + ("" if token else f"; no token in ${env}: public repositories only, low rate limit"))
    listing = Listing(source=org.source, forge=org.forge, organisation=org.name, api=api,
                      credential=None if access.ssh or not token else clone_credential(org.forge, api, env))
    client = _client(org, access, token, env)
    try:
        endpoints = _endpoints(org, api)
        items: list[dict[str, Any]] = []
        for i, (url, params) in enumerate(endpoints):
            try:
                items = _pages(client, org, url, params, access)
                break
            except AssessError as exc:
                if _not_found(exc) and i + 1 < len(endpoints):
                    continue
                if _not_found(exc):
                    raise AssessError(f"{org.source}: no {forge_name} organisation '{org.name}' (404)",
                                      hint=f"check the name, --api-url, and that the token in ${env} can see it") from None
                if exc.message.startswith(org.source + ":"):
                    raise
                raise AssessError(f"{org.source}: {exc.message}", hint=_listing_hint(exc.hint, env)) from None
    finally:
        close = getattr(client, "close", None)
        if close is not None:
            close()
    seen: set[str] = set()
    for item in items:
        name, archived, fork, https_url, ssh_url = _entry(org.forge, item)
        if not isinstance(name, str) or not name or len(name) > 255 or any(ord(ch) < 32 for ch in name):
            continue  # not a repository name any forge gives: left out, not echoed
        listing.listed += 1
        url = _usable_url(ssh_url if access.ssh else https_url, api, access.ssh)
        if archived and not access.include_archived:
            listing.skipped["archived"].append(name)
        elif fork and not access.include_forks:
            listing.skipped["fork"].append(name)
        elif access.match and not any(fnmatch.fnmatchcase(name.lower(), p.lower()) for p in access.match):
            listing.skipped["name"].append(name)
        elif url is None:
            listing.skipped["no usable clone URL"].append(name)
        elif url not in seen:  # a repository repeated across pages is assessed once
            seen.add(url)
            listing.repositories.append({"name": name, "url": url})
    skipped = ", ".join(f"{len(v)} {k}" for k, v in listing.skipped.items() if v)
    say(f"{org.source}: {listing.listed} repositories listed, {len(listing.repositories)} to assess"
        + (f" (skipped: {skipped})" if skipped else ""))
    if not listing.repositories:
        hints = [flag for flag, key in (("--include-archived", "archived"), ("--include-forks", "fork"),
                                        ("another --match", "name")) if listing.skipped[key]]
        raise AssessError(f"{org.source}: no repositories to assess in '{org.name}' "
                          f"({listing.listed} listed" + (f"; skipped: {skipped}" if skipped else "") + ")",
                          hint=" / ".join(hints) if hints else None)
    return listing
