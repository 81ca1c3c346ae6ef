"""A self-contained offline HTML form for the questionnaire: no server, no CDN, no network.

The questionnaire is embedded as JSON; the page builds the form, checks the answers in the browser
and saves a response file (the same format as `assess survey take`) through a Blob download."""

from __future__ import annotations

import html
import json
from pathlib import Path

from assess.fileio import write_text
from assess.survey.model import Questionnaire

TEMPLATE = Path(__file__).with_name("form_template.html")


def form_payload(questionnaire: Questionnaire) -> dict:
    """What the page needs to know about the questionnaire (no scoring data)."""
    data = questionnaire.model_dump(mode="json", exclude={"source"})
    for section in data["sections"]:
        for item in section["items"]:
            for key in ("bands", "level_range", "reverse", "section", "dimension", "role", "convention"):
                item.pop(key, None)
            for option in item.get("options", []):
                option.pop("level", None)  # do not steer respondents towards a level
    return data


def render_form(questionnaire: Questionnaire) -> str:
    payload = json.dumps(form_payload(questionnaire), ensure_ascii=False)
    # safe inside <script>: no "</script>", no HTML comment openers, no line separators
    payload = (payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
               .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    page = TEMPLATE.read_text(encoding="utf-8")
    return page.replace("__TITLE__", html.escape(questionnaire.title)).replace("__QUESTIONNAIRE__", payload)


def write_form(questionnaire: Questionnaire, path: Path) -> Path:
    write_text(path, render_form(questionnaire))
    return path
