"""Write the organisation report: org.json (validated by org.schema.json), org.html (one offline
page, Jinja template ``reports/org.html.j2``) and org.md, all three rendered before any is written;
and each team's own report through the existing report machinery."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import jsonschema

from assess.fileio import atomic_open, to_json_text
from assess.report.escape import md_text
from assess.resources import data_path, package_file

LEVEL_NAMES = ["spicy autocomplete", "coding intern", "junior developer", "developer",
               "engineering team", "dark factory"]


@lru_cache(maxsize=1)
def org_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(package_file("schemas", "org.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def org_errors(org: dict[str, Any]) -> list[str]:
    return [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in sorted(org_validator().iter_errors(org), key=lambda e: list(e.absolute_path))]


def _level_text(level: dict[str, Any] | None) -> str:
    if not level:
        return "—"
    if not level.get("placeable", True):
        return "not placeable"
    lo, hi = level["range"]
    if level["level"] is None:
        return f"{lo}–{hi} (range)"
    return f"{level['level']}" + (f" ({lo}–{hi})" if lo != hi else "")


def _move_text(move: int | None) -> str:
    return "—" if move is None else ("±0" if move == 0 else f"{move:+d}")


@lru_cache(maxsize=2)
def _environment(markdown: bool) -> jinja2.Environment:
    loader = jinja2.FileSystemLoader(str(data_path("reports")))
    if markdown:
        env = jinja2.Environment(loader=loader, autoescape=False, undefined=jinja2.StrictUndefined,
                                 finalize=lambda v: v if isinstance(v, _MdSafe) else md_text(v),
                                 keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    else:
        env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                                 trim_blocks=True, lstrip_blocks=True)
    env.filters.update(level_text=_level_text, move_text=_move_text)
    env.globals.update(LEVEL_NAMES=LEVEL_NAMES, raw=_MdSafe)
    return env


class _MdSafe(str):
    """Markdown the template built itself."""


def render_org_html(org: dict[str, Any]) -> str:
    css = (data_path("reports") / "org.css").read_text(encoding="utf-8")
    csp = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'none'; connect-src 'none'; "
           "frame-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'")
    return _environment(False).get_template("org.html.j2").render(o=org, css=jinja2.utils.markupsafe.Markup(css),
                                                                   csp=csp)


def render_org_markdown(org: dict[str, Any]) -> str:
    return _environment(True).get_template("org.md.j2").render(o=org)


def write_org(org: dict[str, Any], out: Path) -> None:
    errors = org_errors(org)
    if errors:  # a bug in assess, not the user's input
        raise ValueError("org report does not match org.schema.json: " + "; ".join(errors[:5]))
    data, page, summary = to_json_text(org), render_org_html(org), render_org_markdown(org)
    with atomic_open(out / "org.json") as fj, atomic_open(out / "org.md") as fm, atomic_open(out / "org.html") as fh:
        fj.write(data)
        fm.write(summary)
        fh.write(page)


def team_report_writer(out: Path) -> Callable[[str, list[dict[str, Any]], dict[str, Any]], str]:
    """A function writing one team's report (the `assess report` page) under ``out/teams/<slug>/``;
    it returns the page's path relative to ``out``."""
    from assess.org.store import team_slug
    from assess.report import assemble_report, write_report

    used: set[str] = set()

    def write(name: str, evidences: list[dict[str, Any]], placement: dict[str, Any]) -> str:
        slug = team_slug(name)
        n = 1
        while slug in used:
            n += 1
            slug = f"{team_slug(name)}-{n}"
        used.add(slug)
        levels = [e.get("level") for e in evidences] if len(evidences) > 1 else None
        report = assemble_report(evidences=[{k: v for k, v in e.items() if k != "level"} for e in evidences],
                                 team=placement, repo_levels=levels)
        rel = f"teams/{slug}/report.html"
        write_report(report, out / rel)
        return rel

    return write
