"""Real headless Chromium for tests: the Chromium or Chrome found on PATH (chromium,
chromium-browser, google-chrome, google-chrome-stable), else /usr/bin/chromium, or the one
``ASSESS_CHROMIUM`` names; never downloads a browser. Without one the browser tests are skipped with
the reason on a developer's machine, and FAIL under CI (``CI=true``, as `.ci/run` and CI services set).

Usage::

    from browser import launch_chromium, record_page

    with launch_chromium() as browser:
        page = browser.new_page()
        log = record_page(page)
        page.goto(path.as_uri())
        ...
        assert log.console_errors == [] and log.external_requests() == []

Or use the session-scoped ``chromium`` fixture: ``from browser import chromium  # noqa: F401``.
Mark such tests ``@pytest.mark.browser``."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FALLBACK_PATHS = ("/usr/bin/chromium",)
CHROMIUM = FALLBACK_PATHS[0]  # kept for tests written before PATH discovery; use find_chromium()
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def find_chromium() -> str | None:
    """The browser executable to drive, or None."""
    override = os.environ.get("ASSESS_CHROMIUM")
    if override:
        return override if os.access(override, os.X_OK) else None
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in FALLBACK_PATHS if os.path.isfile(p) and os.access(p, os.X_OK)), None)


def _unavailable(reason: str) -> None:
    if in_ci():  # CI must run the browser tests: a missing browser is a broken CI, not a pass
        pytest.fail(f"{reason} (CI=true: browser tests may not be skipped in CI)", pytrace=False)
    pytest.skip(reason)


def require_chromium() -> str:
    """The browser path; skips the test (fails it under CI=true) with the reason when there is none."""
    path = find_chromium()
    if path is None:
        _unavailable(f"no Chromium or Chrome found (looked for {', '.join(BROWSER_NAMES)} on PATH, "
                     f"{', '.join(FALLBACK_PATHS)} and $ASSESS_CHROMIUM); install one, e.g. "
                     "`apt-get install chromium`")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    return str(path)


_PLAYWRIGHT: Any = None


def _playwright() -> Any:
    """One playwright driver per test process: a second sync_playwright() while the first runs
    (a session fixture and a module fixture on one xdist worker) fails with "Sync API inside the
    asyncio loop"."""
    global _PLAYWRIGHT
    if _PLAYWRIGHT is None:
        import atexit

        from playwright.sync_api import sync_playwright

        _PLAYWRIGHT = sync_playwright().start()
        atexit.register(_PLAYWRIGHT.stop)
    return _PLAYWRIGHT


@contextmanager
def launch_chromium(**launch_options: Any) -> Iterator[Any]:
    """A headless Chromium ``Browser`` (playwright sync API), closed afterwards."""
    executable = require_chromium()
    browser = _playwright().chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True,
                                            **launch_options)
    try:
        yield browser
    finally:
        browser.close()


@dataclass
class PageLog:
    """What a page did: console errors, uncaught exceptions, every request it made."""

    console_errors: list[str] = field(default_factory=list)
    console_warnings: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def external_requests(self) -> list[str]:
        """Requests that would leave the machine (anything but file:, data:, blob:, about:)."""
        return [url for url in self.requests if not url.startswith(LOCAL_SCHEMES)]

    @property
    def errors(self) -> list[str]:
        """Console errors and uncaught page exceptions together."""
        return self.console_errors + self.page_errors


def record_page(page: Any) -> PageLog:
    """Start recording console errors/warnings, uncaught exceptions and requests of ``page``."""
    log = PageLog()

    def on_console(message: Any) -> None:
        if message.type == "error":
            log.console_errors.append(message.text)
        elif message.type == "warning":
            log.console_warnings.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: log.page_errors.append(str(exc)))
    page.on("request", lambda request: log.requests.append(request.url))
    page.on("requestfailed", lambda request: log.failed_requests.append(request.url))
    return log


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the whole test session."""
    with launch_chromium() as browser:
        yield browser
