"""Take the questionnaire in a terminal, one respondent. Input and output are injected (the CLI
passes click's prompt/echo), so the interview is testable and has no terminal code of its own."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assess.fileio import write_json
from assess.survey.model import Item, Questionnaire
from assess.survey.responses import Response, check_answer, now_iso
from assess.survey.tabular import parse_cell

Ask = Callable[[str], str]
Say = Callable[[str], None]


def describe(item: Item) -> list[str]:
    """The lines shown before asking ``item``."""
    lines = textwrap.wrap(item.text, 100)
    if item.type in ("single_choice", "multi_choice"):
        lines += [f"  {n}. {o.label}" for n, o in enumerate(item.options, start=1)]
        if item.type == "multi_choice":
            lines.append("  (several numbers separated by commas)")
    elif item.type == "likert":
        lines.append("  " + "  ".join(f"{n}={a}" for n, a in enumerate(item.anchors, start=1)))
    elif item.type in ("number", "percentage"):
        unit = "%" if item.type == "percentage" else (f" {item.unit}" if item.unit else "")
        lines.append(f"  (a number from {item.min:g}{unit} to {item.max:g}{unit})")
    if not item.required:
        lines.append("  (optional: press Enter to skip)")
    return lines


def parse_terminal_answer(item: Item, text: str) -> tuple[Any, str | None]:
    """Parse what a respondent typed: option numbers as listed, option ids or labels, numbers."""
    text = text.strip()
    if not text:
        return None, ("an answer is required" if item.required else None)
    if item.type == "single_choice" and text.isdigit():
        index = int(text)
        if 1 <= index <= len(item.options):
            return item.options[index - 1].id, None
        return None, f"choose a number from 1 to {len(item.options)}"
    if item.type == "multi_choice":
        parts = [p.strip() for p in re.split(r"[,;\s]+", text) if p.strip()]
        if parts and all(p.isdigit() for p in parts):
            bad = [p for p in parts if not 1 <= int(p) <= len(item.options)]
            if bad:
                return None, f"choose numbers from 1 to {len(item.options)}"
            return check_answer(item, [item.options[int(p) - 1].id for p in parts])
    if item.type == "text":
        return check_answer(item, text)
    return parse_cell(item, text)


def interview(questionnaire: Questionnaire, ask: Ask, say: Say, *, ask_identity: bool = True) -> Response:
    """Ask every item (re-asking after an invalid answer) and return the response."""
    say(questionnaire.title)
    if questionnaire.intro:
        for line in textwrap.wrap(questionnaire.intro, 100):
            say(line)
    answers: dict[str, Any] = {}
    number = 0
    for section in questionnaire.sections:
        say("")
        say(f"== {section.title} ==")
        for item in section.items:
            number += 1
            say("")
            lines = describe(item)
            lines[0] = f"{number}. {lines[0]}"
            for line in lines:
                say(line)
            while True:
                value, problem = parse_terminal_answer(item, ask(f"[{item.id}]"))
                if problem:
                    say(f"  ! {problem}")
                    continue
                break
            if value is not None:
                answers[item.id] = value
                if item.type in ("single_choice", "multi_choice"):
                    # echo the choice: option numbers start at 1 while levels start at 0
                    chosen = [value] if isinstance(value, str) else list(value)
                    labels = {o.id: o.label for o in item.options}
                    say("  -> " + "; ".join(labels.get(c, str(c)) for c in chosen))
    respondent = None
    if ask_identity:
        say("")
        who = ask("Your name or email (optional: press Enter to stay anonymous)").strip()
        if who:
            respondent = {"email" if "@" in who else "name": who}
    return Response(questionnaire_id=questionnaire.id, questionnaire_version=questionnaire.version,
                    submitted_at=now_iso(), channel="terminal", respondent=respondent, answers=answers)


def write_response(response: Response, path: Path) -> Path:
    """Write a response file atomically (a failure never leaves half a file)."""
    write_json(path, response.to_json(), private=True)  # may hold the respondent's name: owner-only
    return path
