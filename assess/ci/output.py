"""Where the CI results go: the summary to a file (replaced atomically), or appended to GitHub's job
summary (appending is what GitHub expects: several steps share that file), or printed; the JSON
atomically to a file or stdout."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assess.ci.run import CiResult
from assess.errors import AssessError
from assess.fileio import write_json, write_text


@dataclass
class Written:
    paths: list[str] = field(default_factory=list)
    printed_summary: str | None = None  # the summary, when it went nowhere else


def append_text(path: Path, text: str) -> None:
    """Append in one write (the job summary file is GitHub's; it is never replaced)."""
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        raise AssessError(f"{path}: cannot append the summary: {exc.strerror or exc}",
                          hint="check GITHUB_STEP_SUMMARY or pass --summary FILE") from None


def write_outputs(result: CiResult, *, summary: str | None, json_out: str | None) -> Written:
    out = Written()
    if json_out:
        write_json(json_out, result.document)
        if json_out != "-":
            out.paths.append(json_out)
    if summary:
        write_text(summary, result.summary)
        out.paths.append(summary)
    elif result.context.step_summary is not None:
        append_text(result.context.step_summary, result.summary)
        out.paths.append(f"{result.context.step_summary} (appended)")
    else:
        out.printed_summary = result.summary
    return out
