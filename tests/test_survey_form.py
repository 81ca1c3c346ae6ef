"""The offline HTML form in real headless Chromium: fill, validate, save, load the saved file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser import chromium, record_page  # noqa: F401  (chromium is a fixture)
from test_survey_import import answers

from assess.survey import load_questionnaire, load_responses
from assess.survey.form import write_form

pytestmark = pytest.mark.browser
Q = load_questionnaire()


def fill(page, values: dict) -> None:
    for item_id, value in values.items():
        item = Q.item(item_id)
        if item.type in ("single_choice", "likert"):
            page.check(f"#{item_id}--{value}")
        elif item.type == "multi_choice":
            for option_id in value:
                page.check(f"#{item_id}--{option_id}")
        else:
            page.fill(f"#{item_id}", str(value))


@pytest.fixture
def form_page(chromium, tmp_path):  # noqa: F811
    path = write_form(Q, tmp_path / "survey.html")
    context = chromium.new_context(accept_downloads=True)
    page = context.new_page()
    log = record_page(page)
    page.goto(path.as_uri())
    yield page, log
    context.close()


def test_fill_validate_and_save_a_response_the_loader_accepts(form_page, tmp_path):
    page, log = form_page
    assert page.title() == Q.title
    assert page.locator(".item").count() == len(Q.items)
    assert page.locator("#scale dt").count() == 6

    wanted = answers(4, q_text_comments="Agents <b>&</b> \"quotes\" work", q_unattended_hours=6.5)
    fill(page, {k: v for k, v in wanted.items() if k not in ("q_level_self", "q_ai_share")})
    page.fill("#q_ai_share", "130")
    page.check("#q_verify--nothing")                  # exclusive option ticked with others
    page.click("#save")
    assert page.text_content("#summary") == "3 answer(s) need attention; see the red notes above."
    assert page.text_content("#error-q_level_self") == "an answer is required"
    assert page.text_content("#error-q_ai_share") == "130% is above the maximum 100%"
    assert "cannot be ticked with other options" in page.text_content("#error-q_verify")
    assert page.locator("#download").is_hidden()

    page.uncheck("#q_verify--nothing")
    page.check("#q_level_self--level4")
    page.fill("#q_ai_share", str(wanted["q_ai_share"]))
    with page.expect_download() as info:
        page.click("#save")
    download = info.value
    assert download.suggested_filename.startswith("survey-response-") and download.suggested_filename.endswith(".json")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert page.text_content("#error-q_level_self") == ""
    assert "Saved survey-response-" in page.text_content("#summary")

    data = json.loads(saved.read_text())
    assert data["channel"] == "html-form" and "respondent" not in data
    assert data["questionnaire"] == {"id": Q.id, "version": Q.version}
    rs = load_responses([saved], Q)
    assert rs.rejected == [] and len(rs.responses) == 1
    assert rs.responses[0].answers == wanted

    assert log.errors == [] and log.external_requests() == [] and log.failed_requests == []


def test_optional_name_is_included_only_when_given(form_page, tmp_path):
    page, log = form_page
    fill(page, {"q_level_self": "level2", "q_speedup_retro": -15})
    page.fill("#respondent", "Ada Lovelace")
    with page.expect_download() as info:
        page.click("#save")
    path = tmp_path / "r.json"
    info.value.save_as(path)
    data = json.loads(path.read_text())
    assert data["respondent"] == {"name": "Ada Lovelace"}
    assert data["answers"] == {"q_level_self": "level2", "q_speedup_retro": -15}
    assert load_responses([path], Q).responses[0].answers["q_speedup_retro"] == -15
    assert log.errors == [] and log.external_requests() == []


def test_form_page_text_is_escaped(chromium, tmp_path):  # noqa: F811
    yaml_text = Path(Q.source).read_text().replace(
        'title: "How does your team build software with AI?"',
        'title: "</script><script>window.pwned=1</script> & <b>team</b>"')
    custom = tmp_path / "custom.yaml"
    custom.write_text(yaml_text)
    q = load_questionnaire(custom)
    path = write_form(q, tmp_path / "custom.html")
    page = chromium.new_page()
    log = record_page(page)
    page.goto(path.as_uri())
    assert page.text_content("#title") == "</script><script>window.pwned=1</script> & <b>team</b>"
    assert page.evaluate("window.pwned") is None
    assert log.errors == [] and log.external_requests() == []
    page.close()
