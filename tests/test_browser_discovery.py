"""Browser tests find Chromium or Chrome on PATH, skip with the reason on a machine without one,
and fail instead under CI (CI=true)."""

from __future__ import annotations

import os

import browser
import pytest


@pytest.fixture
def empty_path(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("ASSESS_CHROMIUM", raising=False)
    monkeypatch.setattr(browser, "FALLBACK_PATHS", ())
    return tmp_path


def test_finds_a_chrome_on_path(empty_path):
    fake = empty_path / "google-chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert browser.find_chromium() == str(fake)
    other = empty_path / "chromium-browser"
    other.write_text("#!/bin/sh\n")
    other.chmod(0o755)
    assert browser.find_chromium() == str(other)  # chromium-browser comes before google-chrome


def test_skips_with_a_reason_on_a_laptop_without_a_browser(empty_path, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no Chromium or Chrome found"):
        browser.require_chromium()


@pytest.mark.parametrize("value", ["true", "1", "TRUE"])
def test_fails_instead_of_skipping_under_ci(empty_path, monkeypatch, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="may not be skipped in CI"):
        browser.require_chromium()


def test_ci_script_sets_ci_true():
    run = (os.path.dirname(__file__) + "/../.ci/run")
    assert "export CI=true" in open(run).read()
