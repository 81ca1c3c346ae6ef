"""Real headless Chromium for tests (Debian's /usr/bin/chromium; never downloads a browser).

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

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


@contextmanager
def launch_chromium(**launch_options: Any) -> Iterator[Any]:
    """A headless Chromium ``Browser`` (playwright sync API), closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
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
