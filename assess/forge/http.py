"""HTTP for the forge APIs: conditional requests, pagination, rate limits and retries.

Only `assess forge fetch` and `assess org --list-from-forge` (listing an organisation) create a
`ForgeClient`; nothing else in assess opens a connection to a forge API.
The token lives in memory only: it is sent in a header, never in a URL, only to the host of the
API (not to another host a redirect or a pagination link names), and any message that could carry
it is redacted. Answers are read, and inflated, no further than :data:`MAX_BODY`.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from assess.errors import AssessError

_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
MAX_BODY = 64 * 1024 * 1024  # one API page above 64 MiB is not an API page


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
# what GitHub and GitLab tokens start with: such a --token-env is the token itself, pasted by mistake
_TOKEN_PREFIXES = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "gloas-", "gldt-", "glrt-")


def check_token_env(name: str) -> None:
    """``--token-env`` names an environment variable. Its value is never echoed when refused: a
    token pasted in its place would otherwise reach the terminal and CI logs (every later message
    names ``$VAR``)."""
    if name.startswith(_TOKEN_PREFIXES) or re.fullmatch(r"[0-9a-fA-F]{40}", name):
        raise AssessError("--token-env was given what looks like a token, not the name of the variable holding it",
                          hint="export the token (e.g. export GITHUB_TOKEN=...) and pass --token-env GITHUB_TOKEN, "
                               "or nothing for the default; revoke a token that reached shell history or logs")
    if not _ENV_NAME.match(name):
        raise AssessError("--token-env is not an environment variable name (letters, digits and _)",
                          hint="give the variable's name, e.g. --token-env GHE_TOKEN")


def next_link(header: str | None) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header (GitHub and GitLab both send one)."""
    if not header:
        return None
    for part in header.split(","):
        m = _LINK_NEXT.search(part)
        if m:
            return m.group(1)
    return None


@dataclass
class Page:
    url: str
    data: Any
    next_url: str | None
    not_modified: bool = False
    etag: str | None = None


@dataclass
class ForgeClient:
    """One forge API session. ``sleep``/``now`` are injectable so tests wait for nothing."""

    forge: str  # "GitHub" or "GitLab", for messages
    auth_header: dict[str, str]
    token_env: str
    token: str | None = None
    max_wait: float = 900.0  # longest rate-limit wait before giving up (the store resumes later)
    retries: int = 4  # attempts on 5xx and network errors
    max_rate_waits: int = 10  # consecutive rate-limit answers to one request before giving up
    backoff: float = 2.0  # first retry delay in seconds, doubled each time
    timeout: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], float] = time.time
    say: Callable[[str], None] = field(default=lambda msg: print(f"assess: {msg}", file=sys.stderr, flush=True))
    requests: int = 0
    _http: httpx.Client | None = None
    _origin: tuple[str, str, int | None] | None = None  # the API's: the first URL asked is one assess built

    def __post_init__(self) -> None:
        headers = {"User-Agent": "assess-forge/1", **self.auth_header}
        if self.forge == "GitHub":
            headers.update({"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"})
        # the hook sees every request, redirects included: httpx drops only `Authorization` on a
        # redirect to another host (GitLab's PRIVATE-TOKEN went along), and a Link header naming
        # another host would have been asked with the token too
        self._http = httpx.Client(headers=headers, timeout=self.timeout, follow_redirects=True,
                                  event_hooks={"request": [self._token_to_the_api_only]})

    def pin_api(self, api: str) -> None:
        """The API root the token belongs to (else: the host of the first URL asked)."""
        self._origin = _origin(httpx.URL(api))

    def is_api(self, url: str | httpx.URL) -> bool:
        """``url`` is on the API's host (the token may go there): the same scheme, host and port, or
        the https address of a plain-http API on the same host (as httpx allows for redirects)."""
        if self._origin is None:
            return True
        try:
            scheme, host, port = _origin(httpx.URL(url))
        except (httpx.InvalidURL, ValueError, TypeError):
            return False
        api_scheme, api_host, api_port = self._origin
        if (scheme, host, port) == self._origin:
            return True
        return (api_scheme, scheme, host) == ("http", "https", api_host) and api_port in (None, 80) \
            and port in (None, 443)

    def _token_to_the_api_only(self, request: httpx.Request) -> None:
        if not self.is_api(request.url):
            for name in self.auth_header:
                request.headers.pop(name, None)

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    def __enter__(self) -> ForgeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def redact(self, text: str) -> str:
        """``text`` without the token, also in quoted or escaped forms, or any long piece of it."""
        if not self.token:
            return text
        for form in {self.token, repr(self.token)[1:-1], *(p for p in re.split(r"\s+", self.token) if len(p) >= 6)}:
            text = text.replace(form, "***")
        return text

    def _fail(self, message: str, hint: str | None = None) -> AssessError:
        return AssessError(self.redact(message), hint=self.redact(hint) if hint else None)

    def _rate_wait(self, resp: httpx.Response, body: bytes) -> float | None:
        """Seconds to wait when the response is a rate limit, else None."""
        if resp.status_code not in (403, 429):
            return None
        retry_after = resp.headers.get("Retry-After")
        if retry_after:
            try:
                return max(0.0, float(retry_after))
            except ValueError:
                try:
                    when = email.utils.parsedate_to_datetime(retry_after)
                    return max(0.0, when.timestamp() - self.now())
                except (TypeError, ValueError):
                    return 60.0
        remaining = resp.headers.get("X-RateLimit-Remaining", resp.headers.get("RateLimit-Remaining"))
        reset = resp.headers.get("X-RateLimit-Reset", resp.headers.get("RateLimit-Reset"))
        if remaining == "0" and reset:
            try:
                return max(0.0, float(reset) - self.now()) + 1.0
            except ValueError:
                return 60.0
        if resp.status_code == 429 or b"secondary rate limit" in body[:2000].lower():
            return 60.0  # GitHub: without a header, wait at least a minute
        return None  # a plain 403: no permission

    def _fetch(self, url: str, params: dict[str, Any] | None, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
        """The response and its body, read and inflated no further than :data:`MAX_BODY`: httpx
        inflates each network chunk whole, and a small gzip answer can inflate to gigabytes."""
        assert self._http is not None
        with self._http.stream("GET", url, params=params, headers={**headers, "Accept-Encoding": "gzip, deflate"}) \
                as resp:
            shown = _show(str(resp.request.url))
            encoding = resp.headers.get("Content-Encoding", "").strip().lower()
            if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
                raise self._fail(f"{shown}: {self.forge} answered in an encoding assess did not ask for ({encoding[:40]})")
            inflate = zlib.decompressobj(47) if encoding not in ("", "identity") else None  # 47: gzip or zlib header
            chunks: list[bytes] = []
            size = 0
            try:
                for raw in resp.iter_raw():
                    chunk = raw if inflate is None else inflate.decompress(raw, MAX_BODY - size + 1)
                    size += len(chunk)
                    if size > MAX_BODY:
                        raise self._fail(f"{shown}: response larger than {MAX_BODY // 2**20} MiB")
                    chunks.append(chunk)
                if inflate is not None:
                    chunks.append(inflate.flush())
            except zlib.error as exc:
                raise self._fail(f"{shown}: {self.forge} sent a damaged {encoding} body ({exc})") from None
        return resp, b"".join(chunks)

    def get(self, url: str, *, params: dict[str, Any] | None = None, etag: str | None = None) -> Page:
        headers = {"If-None-Match": etag} if etag else {}
        if self._origin is None:
            self._origin = _origin(httpx.URL(url))
        attempt = 0
        limited = 0
        while True:
            attempt += 1
            self.requests += 1
            try:
                resp, body = self._fetch(url, params, headers)
            except httpx.HTTPError as exc:
                if attempt < self.retries:
                    delay = self.backoff * 2 ** (attempt - 1)
                    self.say(self.redact(f"{self.forge}: {type(exc).__name__} on {_show(url)}; retrying in {delay:g}s"))
                    self.sleep(delay)
                    continue
                raise self._fail(f"{_show(url)}: cannot reach {self.forge}: {type(exc).__name__}: {exc}",
                                 "check the network or --api-url; the store resumes where it stopped") from None
            wait = self._rate_wait(resp, body)
            if wait is not None:
                if wait > self.max_wait:
                    try:
                        until = dt.datetime.fromtimestamp(self.now() + wait, dt.timezone.utc).strftime("%H:%M UTC")
                    except (ValueError, OverflowError, OSError):  # a reset time past year 9999 from the server
                        until = "an unknown time"
                    raise self._fail(f"{self.forge} rate limit: next request allowed at {until}, "
                                     f"longer than the {self.max_wait:g}s wait cap",
                                     "rerun later (the store resumes where it stopped) or raise --max-wait")
                limited += 1
                if limited > self.max_rate_waits:
                    raise self._fail(f"{_show(url)}: {self.forge} kept answering with a rate limit "
                                     f"({limited - 1} waits)", "rerun later; the store resumes where it stopped")
                self.say(f"{self.forge} rate limit reached; waiting {wait:.0f}s before retrying")
                self.sleep(wait)
                attempt = 0
                continue
            if resp.status_code >= 500:
                if attempt < self.retries:
                    delay = self.backoff * 2 ** (attempt - 1)
                    self.say(self.redact(f"{self.forge}: HTTP {resp.status_code} on {_show(url)}; retrying in {delay:g}s"))
                    self.sleep(delay)
                    continue
                raise self._fail(f"{_show(url)}: {self.forge} answered HTTP {resp.status_code} "
                                 f"{attempt} times", "try again later; the store resumes where it stopped")
            break
        page_url = str(resp.request.url)
        if resp.status_code == 304:
            return Page(page_url, None, None, not_modified=True, etag=etag)
        if resp.status_code == 401:
            raise self._fail(f"{self.forge} rejected the token in ${self.token_env} (401: expired, revoked or invalid)"
                             if self.token else f"{self.forge} requires a token (401): set ${self.token_env}",
                             "see README 'Forge evidence' for the scopes it needs")
        if resp.status_code == 403:
            raise self._fail(f"{_show(page_url)}: {self.forge} refused access (403)",
                             f"the token in ${self.token_env} lacks a scope; see README 'Forge evidence'")
        if resp.status_code == 404:
            raise self._fail(f"{_show(page_url)}: not found (404)",
                             "check the repository name, --api-url, and that the token can see it")
        if resp.status_code >= 400:
            raise self._fail(f"{_show(page_url)}: {self.forge} answered HTTP {resp.status_code}")
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise self._fail(f"{_show(page_url)}: malformed JSON from {self.forge}: {exc}") from None
        return Page(page_url, data, next_link(resp.headers.get("Link")), etag=resp.headers.get("ETag"))

    def items(self, url: str, **params: Any) -> list[dict[str, Any]]:
        """Every object of a list endpoint, 100 a page (non-objects in a page are dropped)."""
        out: list[dict[str, Any]] = []
        for page in self.pages(url, params={"per_page": 100, **params}):
            out.extend(x for x in page.data if isinstance(x, dict))
        return out

    def pages(self, url: str, *, params: dict[str, Any] | None = None) -> Iterator[Page]:
        """Every page of a list endpoint, following ``Link: rel="next"``."""
        page = self.get(url, params=params)
        seen = {page.url}
        while True:
            if not isinstance(page.data, list):
                raise self._fail(f"{_show(page.url)}: expected a JSON array from {self.forge}, got "
                                 f"{type(page.data).__name__}")
            yield page
            if not page.next_url:
                return
            if page.next_url in seen:  # a Link loop would never end
                raise self._fail(f"{_show(page.url)}: {self.forge} pagination links back to a page already read")
            page = self.get(page.next_url)
            seen.add(page.url)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port)


_USERINFO = re.compile(r"^([a-z]+://)[^/@]*@", re.IGNORECASE)


def _show(url: str) -> str:
    """A URL for messages: credentials someone put in --api-url are cut, long queries shortened."""
    url = _USERINFO.sub(r"\1", url)
    return url if len(url) <= 200 else url[:197] + "..."
