"""Render the report data to a self-contained HTML page and a Markdown summary (Jinja2 templates in
the top-level ``reports/`` folder, package data). The HTML inlines its CSS, its script and plotly.js
(once); a Content-Security-Policy allows no network request and only the page's own scripts."""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from assess.report.assemble import LEVEL_NAMES, level_text
from assess.report.escape import md_text, script_json
from assess.report.figures import Figure, build_figures, pct
from assess.resources import data_path
from assess.stamp import stamp_line

HTML_TEMPLATE = "report.html.j2"
MD_TEMPLATE = "report.md.j2"


def _date(value: str | None) -> str:
    return "—" if not value else str(value)[:10]


def _signed(value: float | None, digits: int = 1) -> str:
    return pct(value, signed=True, digits=digits)


def _share(value: float | None, digits: int = 1) -> str:
    return pct(value, digits=digits)


def _ci(ci: list[float] | None) -> str:
    return "—" if not ci else f"{pct(ci[0], True)} to {pct(ci[1], True)}"


def _num(value: Any, fmt: str = "{:g}") -> str:
    return "—" if value is None else fmt.format(value)


def _pvalue(value: float | None) -> str:
    if value is None:
        return "—"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def _prop(p: dict[str, Any] | None) -> str:
    """A forge proportion: ``3/40 (7.5%; 95% CI 2.6%–19.9%)``."""
    if not p or not p.get("of"):
        return "—"
    ci = p.get("ci95")
    return f"{p['count']}/{p['of']} ({pct(p['share'])}" + (f"; 95% CI {pct(ci[0])}–{pct(ci[1])})" if ci else ")")


def _med(m: dict[str, Any] | None, fmt: str = "{:.1f}") -> str:
    """A forge median: ``4.2 (95% CI 1.0–9.5; n=40)``."""
    if not m or m.get("median") is None:
        return "—"
    ci = m.get("ci95")
    core = fmt.format(m["median"])
    return core + (f" (95% CI {fmt.format(ci[0])}–{fmt.format(ci[1])}; n={m['n']})" if ci else f" (n={m['n']})")


def _filters(env: jinja2.Environment) -> None:
    env.filters.update(date=_date, signed=_signed, share=_share, ci=_ci, num=_num, pvalue=_pvalue,
                       level_text=level_text, prop=_prop, med=_med)
    env.globals.update(LEVEL_NAMES=LEVEL_NAMES)
    env.filters["stamp_line"] = stamp_line


@lru_cache(maxsize=2)
def _environment(markdown: bool) -> jinja2.Environment:
    loader = jinja2.FileSystemLoader(str(data_path("reports")))
    if markdown:
        env = jinja2.Environment(loader=loader, autoescape=False, undefined=jinja2.StrictUndefined,
                                 finalize=_md_finalize, keep_trailing_newline=True, trim_blocks=True,
                                 lstrip_blocks=True)
    else:
        env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                                 trim_blocks=True, lstrip_blocks=True)
    _filters(env)
    return env


class MdSafe(str):
    """Markdown that the template built itself (links, code spans): printed as is."""


def _md_finalize(value: Any) -> Any:
    if isinstance(value, (MdSafe, Markup)):
        return value
    return md_text(value)


def _md_link(text: Any, url: str | None) -> MdSafe:
    label = md_text(text)
    if not url:
        return MdSafe(label)
    return MdSafe(f"[{label}](<{quote(url, safe=':/?#=&%.-_~')}>)")


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _asset(name: str) -> str:
    return (data_path("reports") / name).read_text(encoding="utf-8")


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def figures_payload(figures: dict[str, Figure]) -> str:
    """The figures as one JSON object (id -> plotly figure), escaped for a <script> element."""
    body = ",".join(f"{json.dumps(f.id)}:{f.to_json()}" for f in figures.values() if f is not None)
    return script_json("{" + body + "}")


def render_html(report: dict[str, Any], *, figures: dict[str, Figure] | None = None,
                include_plotlyjs: bool = True) -> str:
    """The report page. ``include_plotlyjs=False`` leaves plotly.js out (for fast structure tests
    only; such a page draws no charts)."""
    figures = build_figures(report) if figures is None else figures
    plotly_js = _plotly_js() if include_plotlyjs and figures else ""
    app_js = _asset("report.js")
    # scripts are allowed by hash only: an injected <script> or on*= attribute cannot run
    csp = ("default-src 'none'; style-src 'unsafe-inline'; img-src data: blob:; font-src data:; "
           f"script-src {_csp_hash(plotly_js) if plotly_js else ''} {_csp_hash(app_js)} 'unsafe-eval'; "
           "connect-src 'none'; frame-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'")
    template = _environment(False).get_template(HTML_TEMPLATE)
    return template.render(
        r=report, figs=figures, css=Markup(_asset("report.css")), csp=csp,
        plotly_js=Markup(plotly_js), app_js=Markup(app_js), figures_json=Markup(figures_payload(figures)),
    )


def render_markdown(report: dict[str, Any], *, html_name: str | None = "report.html") -> str:
    """A short summary for a pull request or a chat message."""
    template = _environment(True).get_template(MD_TEMPLATE)
    json_name = str(PurePath(html_name).with_suffix(".json")) if html_name else "report.json"
    return template.render(r=report, html_name=html_name, json_name=json_name, link=_md_link, raw=MdSafe)
