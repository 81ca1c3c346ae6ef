"""Write the three outputs — HTML, JSON, Markdown — each atomically, after all three are rendered
(so a rendering error leaves no file half-written or out of step with the others)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assess.errors import AssessError
from assess.fileio import atomic_open, to_json_text
from assess.report.figures import build_figures
from assess.report.render import render_html, render_markdown
from assess.report.schema import validate_report


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    json: Path
    markdown: Path


def output_paths(html_path: str | Path) -> ReportFiles:
    """``report.html`` -> report.html, report.json, report.md (same folder, same stem)."""
    html = Path(html_path)
    if html.suffix.lower() not in (".html", ".htm"):
        raise AssessError(f"{html}: the report must be an .html file", hint="e.g. -o report.html")
    return ReportFiles(html, html.with_suffix(".json"), html.with_suffix(".md"))


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def check_outputs_spare_inputs(files: ReportFiles, inputs: dict[str, list[str]]) -> None:
    """No output may replace an input: ``-o evidence.html`` writes evidence.json, which would
    overwrite the evidence JSON that ``assess repo --json evidence.json`` saved (``--repo evidence.json``).
    ``inputs`` maps each option (``--repo``) to the paths it was given."""
    for option, paths in inputs.items():
        for given in paths:
            for out in (files.html, files.json, files.markdown):
                if _same_file(out, Path(given)):
                    raise AssessError(f"{given}: the report's {out.suffix[1:].upper()} ({out.name}) would overwrite "
                                      f"this input ({option})", hint="choose another -o, e.g. -o report.html")


def write_report(report: dict[str, Any], html_path: str | Path) -> ReportFiles:
    """Validate ``report`` against report.schema.json, render it and write the three files."""
    files = output_paths(html_path)
    if not files.html.parent.exists():
        files.html.parent.mkdir(parents=True, exist_ok=True)
    validate_report(report)
    page = render_html(report, figures=build_figures(report))
    summary = render_markdown(report, html_name=files.html.name)
    data = to_json_text(report)
    # all three temporary files are written before any is renamed into place: a failure on one
    # (e.g. report.md is a directory) leaves every existing file as it was
    # with --show-identities the files hold names: owner-only (minus the umask) when new
    private = bool((report.get("options") or {}).get("show_identities"))
    with atomic_open(files.json, private=private) as fj, atomic_open(files.markdown, private=private) as fm, \
            atomic_open(files.html, private=private) as fh:
        fj.write(data)
        fm.write(summary)
        fh.write(page)
    return files
