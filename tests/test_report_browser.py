"""The report in real headless Chromium: it loads offline with no console errors and no request
leaving the page, every chart is drawn, it fits a phone, it prints, hostile user data stays text,
and a screenshot is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import launch_chromium, record_page
from gitfixture import GitRepo
from test_report_data import (
    HOSTILE_AGENT,
    XSS_MESSAGE,
    XSS_PATH,
    hostile_report,
    sample_evidence,
    sample_level,
)

from assess.report import assemble_report, write_report
from assess.report.inputs import load_study, load_survey

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    with launch_chromium() as b:
        yield b


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    from assess.speedup import simulate_study
    from assess.survey import simulate_responses

    base = tmp_path_factory.mktemp("report-browser")

    made = []

    def make_repo(name, **kwargs):
        made.append(name)
        return GitRepo(base / f"repo{len(made)}" / name, **kwargs)

    ev = sample_evidence(make_repo)
    simulate_responses(base / "survey", n=12, seed=0)
    simulate_study(base / "study")
    survey, study = load_survey([base / "survey"]), load_study(base / "study", bootstrap_reps=50)
    full = assemble_report(evidences=[ev], team=sample_level(ev, xss=False, survey=survey, study=study),
                           survey=survey, study=study)
    (base / "full").mkdir()
    (base / "hostile").mkdir()
    return {"full": write_report(full, base / "full" / "report.html").html,
            "hostile": write_report(hostile_report(make_repo, base), base / "hostile" / "report.html").html,
            "base": base}


def open_page(browser, path: Path, **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    log = record_page(page)
    page.goto(path.as_uri())
    page.wait_for_function("document.documentElement.dataset.charts === 'ready'", timeout=30000)
    return context, page, log


def test_loads_offline_draws_every_chart_and_writes_a_screenshot(browser, pages):
    context, page, log = open_page(browser, pages["full"], viewport={"width": 1280, "height": 900})
    try:
        containers = page.locator("div.plot")
        n = containers.count()
        assert n == 7
        assert page.locator(".js-plotly-plot").count() == n
        assert page.locator(".js-plotly-plot svg.main-svg").count() >= n
        # each chart has drawn data (markers, bars or lines) and its title
        for i in range(n):
            chart = containers.nth(i)
            assert chart.locator("g.trace").count() >= 1, chart.get_attribute("id")
            assert chart.locator("text.gtitle").text_content().strip(), chart.get_attribute("id")
        assert log.errors == [] and log.console_warnings == []
        assert log.external_requests() == []
        assert log.requests == [pages["full"].as_uri()]
        shot = pages["base"] / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
    finally:
        context.close()


def test_fits_a_phone_and_prints(browser, pages):
    context, page, log = open_page(browser, pages["full"], viewport={"width": 390, "height": 844},
                                   device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1
        widths = page.evaluate("Array.from(document.querySelectorAll('.js-plotly-plot')).map(e => e.clientWidth)")
        assert widths and all(0 < w <= 390 for w in widths)
        page.emulate_media(media="print")
        assert page.locator("nav.toc").is_hidden()
        assert page.locator("#methods").is_visible()
        pdf = page.pdf(format="A4")
        assert pdf[:4] == b"%PDF" and len(pdf) > 20_000
        assert log.errors == [] and log.external_requests() == []
    finally:
        context.close()


def test_hostile_user_data_never_executes(browser, pages):
    context, page, log = open_page(browser, pages["hostile"])
    try:
        assert page.evaluate("window.__xss") is None
        assert log.errors == [] and log.external_requests() == []
        assert page.locator("script").count() == 3  # figure data, plotly.js, the report's own script
        assert page.locator("img").count() == 0
        # shown as text, exactly as written
        against = page.locator("#dim-authorship ul.evidence").nth(1).inner_text()
        assert XSS_MESSAGE in against and XSS_PATH in against
        assert "</script><script>window.__xss=4</script>" in page.locator("h1").inner_text()
        legend = page.locator("#fig-timeline-share .legendtext").all_text_contents()
        assert HOSTILE_AGENT in legend
        assert page.locator(".js-plotly-plot svg.main-svg").count() >= page.locator("div.plot").count()
    finally:
        context.close()
