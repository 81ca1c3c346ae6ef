"""The rendered report without a browser: sections in order, key numbers, escaping of user data in
HTML, in the JSON inside <script> and in Markdown; the CLI; self-containment."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_report_data import (
    HOSTILE_AGENT,
    HOSTILE_DEV,
    HOSTILE_REPO,
    XSS_MESSAGE,
    XSS_PATH,
    build_sample_repo,
    hostile_report,
    sample_evidence,
    sample_level,
)

from assess.cli import main
from assess.report import assemble_report, render_html, render_markdown, validate_report

SECTIONS = ["1. Where the team stands", "2. Belief vs evidence: three perception gaps", "3. Dimensions",
            "4. Timeline", "5. Agents and artefacts", "6. The randomised study", "7. Next level",
            "8. Methods and caveats"]


class Outline(HTMLParser):
    """Headings, data-value texts, script elements and every tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.h2: list[str] = []
        self.values: dict[str, str] = {}
        self.scripts: list[dict] = []
        self.tags: list[tuple[str, dict]] = []
        self._stack: list[tuple[str, str | None]] = []
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag in ("h2", "script") or "data-value" in a:
            self._stack.append((tag, a.get("data-value")))
            self._text = []
        if tag == "script":
            self.scripts.append(a)

    def handle_endtag(self, tag):
        if self._stack and self._stack[-1][0] == tag:
            _, key = self._stack.pop()
            text = "".join(self._text).strip()
            if tag == "h2":
                self.h2.append(text)
            elif key:
                self.values[key] = text

    def handle_data(self, data):
        self._text.append(data)


def outline(page: str) -> Outline:
    parser = Outline()
    parser.feed(page)
    return parser


@pytest.fixture
def full_report(make_repo, tmp_path):
    from assess.report.inputs import load_study, load_survey
    from assess.speedup import simulate_study
    from assess.survey import simulate_responses

    ev = sample_evidence(make_repo)
    simulate_responses(tmp_path / "survey", n=12, seed=0)
    simulate_study(tmp_path / "study")
    survey = load_survey([tmp_path / "survey"])
    study = load_study(tmp_path / "study", bootstrap_reps=50)
    report = assemble_report(evidences=[ev], team=sample_level(ev, survey=survey, study=study), survey=survey,
                             study=study)
    validate_report(report)
    return report


def test_sections_in_order_and_key_numbers(full_report):
    page = render_html(full_report, include_plotlyjs=False)
    o = outline(page)
    assert o.h2 == SECTIONS
    assert o.values["evidenced-level"] == "2"
    assert o.values["claimed-level"] == f"{full_report['survey']['claimed_level']['median']:g}"
    est = full_report["study"]["estimate"]
    assert o.values["study-estimate"] == f"{est['speedup'] * 100:+.1f}%"
    assert o.values["study-tasks"].startswith(str(full_report["study"]["n_tasks"]))
    assert o.values["summary"] == full_report["headline"]["summary"]
    lo, hi = est["ci95"]
    assert f"95% CI {lo * 100:+.1f}% to {hi * 100:+.1f}%" in page
    gap = full_report["gaps"]["ai_share"]
    assert f"{gap['gap_pp']:+.1f} points" in page
    assert "Gate to level 3 failed on" in page and "at least 50% of changed lines AI-attributed" in page
    assert "Let an agent take whole tickets end to end" in page
    # every chart has a container with a text alternative and a data table
    figures = [a for t, a in o.tags if t == "div" and "plot" in (a.get("class") or "").split()]
    assert {f["id"] for f in figures} == {"fig-gap-level", "fig-gap-share", "fig-gap-speedup", "fig-dimensions",
                                          "fig-timeline-share", "fig-timeline-level", "fig-study-developers"}
    assert all(f["role"] == "img" and len(f["aria-label"]) > 40 for f in figures)
    assert page.count("<figcaption>") == len(figures) and page.count("Data table:") == len(figures)
    data = json.loads(re.search(r'<script type="application/json" id="figure-data">(.*?)</script>', page, re.S)[1])
    assert set(data) == {f["id"] for f in figures}
    assert all(fig["layout"]["title"]["text"] and fig["layout"]["xaxis"]["title"]["text"] for fig in data.values())


def test_missing_inputs_are_stated_not_faked(make_repo):
    ev = sample_evidence(make_repo)
    report = assemble_report(evidences=[ev], team=sample_level(ev))
    page = render_html(report, include_plotlyjs=False)
    assert outline(page).h2 == SECTIONS
    assert "No randomised study was given" in page and "No questionnaire responses were given" in page
    assert 'data-value="claimed-level">–<' in page
    assert "fig-study-developers" not in page and "fig-gap-level" not in page
    md = render_markdown(report)
    assert "not measured" in md and "No randomised study was given" in md


def test_page_is_self_contained_with_plotly_once(full_report):
    page = render_html(full_report)
    o = outline(page)
    assert not [a for t, a in o.tags if t in ("script", "img", "iframe") and a.get("src")]
    assert not [a for t, a in o.tags if t == "link"]
    assert "cdn." not in page.split("<script>", 1)[0]  # nothing before the inlined scripts points to a CDN
    assert page.count("plotly.js v") == 1 or page.count("* plotly.js") == 1
    csp = next(a["content"] for t, a in o.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp and "'unsafe-inline'" not in csp.split(
        "script-src")[1].split(";")[0]


def test_user_data_is_escaped_everywhere(make_repo, tmp_path):
    report = hostile_report(make_repo, tmp_path)
    page = render_html(report, include_plotlyjs=False)
    for raw in ("<script>window.__xss", "<img src=x onerror", 'onerror="window', "<!--<script>"):
        assert raw not in page, raw
    # exactly the page's own script elements
    o = outline(page)
    assert len(o.scripts) == 2 and o.scripts[0] == {"type": "application/json", "id": "figure-data"}
    # the figure JSON holds the hostile strings escaped for <script>, and decodes back to them
    blob = re.search(r'<script type="application/json" id="figure-data">(.*?)</script>', page, re.S)[1]
    assert "</" not in blob and "<!--" not in blob and "\u2028" not in blob
    decoded = json.dumps(json.loads(blob))
    assert "onerror=window.__xss=5" in decoded and "window.__xss=6" in decoded
    # the text is shown literally (entity-escaped in HTML)
    assert "Fix &lt;/script&gt;&lt;script&gt;window.__xss=1&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&#34;window.__xss=3&#34;&gt;.spec.md" in page
    assert "&lt;/script&gt;&lt;script&gt;window.__xss=4&lt;/script&gt;" in page
    md = render_markdown(report)
    assert "<script>" not in md and "<img" not in md and "&lt;/script&gt;" in md
    assert XSS_MESSAGE and XSS_PATH and HOSTILE_AGENT and HOSTILE_DEV and HOSTILE_REPO


def test_report_command_writes_three_files(make_repo, tmp_path):
    repo = build_sample_repo(make_repo)
    out = tmp_path / "out" / "team.html"
    result = CliRunner().invoke(main, ["report", "--repo", str(repo.path), "-o", str(out), "--no-cache"])
    assert result.exit_code == 0, result.output
    assert f"Report: {out}" in result.output and "missing: No questionnaire" in result.output
    data = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    validate_report(data)
    assert data["inputs"]["placement"] is True and data["team_level"]["rubric"]["file"]
    assert data["headline"]["evidenced_level"] == data["team_level"]["overall"]["level"]
    assert out.with_suffix(".md").read_text(encoding="utf-8").startswith("## AI coding autonomy: widgets")
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert sorted(p.name for p in out.parent.iterdir()) == ["team.html", "team.json", "team.md"]


def test_two_repositories_together_and_separately(make_repo, tmp_path):
    a = build_sample_repo(make_repo, name="a")
    b = make_repo("b")
    b.commit("Only human work", {"x.py": "1\n"}, date="2025-03-01T10:00:00+00:00")
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", "--repo", str(a.path), "--repo", str(b.path), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    data = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert [r["name"] for r in data["repositories"]] == ["a", "b"]
    assert all(r["level"] is not None for r in data["repositories"])
    assert "Repositories, together and separately" in out.read_text(encoding="utf-8")


def test_report_command_errors_are_one_line(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["report"])
    assert result.exit_code == 2 and result.output.strip().endswith("--study DIR)")
    result = runner.invoke(main, ["report", "--study", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "no such study folder" in result.output
    result = runner.invoke(main, ["report", "--study", str(tmp_path), "-o", str(tmp_path / "r.pdf")])
    assert result.exit_code == 2 and "must be an .html file" in result.output
    assert not list(Path(tmp_path).glob("r.*"))
