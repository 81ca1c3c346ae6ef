"""The stamp every output carries: which assess, which data files (catalogue, rubric, questionnaire,
price table) and which inputs produced it, so results from different months can be compared and
`assess diff` can tell a change of evidence from a change of rubric.

Shape (``stamp.schema.json``)::

    {"assess_version": "0.1.0",
     "catalogue": {"version": ..., "sha256": ...}, "rubric": {...}, "questionnaire": {...},
     "price_table": {...},                      # only where costs appear
     "inputs": {"repositories": [{"name", "head"}], "window": {"days", "start", "end"} | null}}

A data file's ``version`` is its own ``version:`` field (or, lacking one, its ``schema:`` id); its
``sha256`` is over the exact bytes, so an edited threshold changes the hash even when nobody bumped
the version. Several files (the agent catalogue plus a user's ``--signatures``) hash as one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from assess import __version__
from assess.resources import data_path, package_file

STAMP_SCHEMA_ID = "https://assess.invalid/schemas/stamp.schema.json"
# the bundled catalogue is three files: agent signatures, artefact rules and path classes
_BUNDLED_CATALOGUE = ("agents.yaml", "artefacts.yaml", "paths.yaml")


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _declared_version(data: bytes) -> str | None:
    """The ``version:`` (else ``schema:``) of a YAML file, read from its top-level lines only: a
    stamp never parses a whole user file again (it was validated when loaded)."""
    found: dict[str, str] = {}
    for raw in data.decode("utf-8", errors="replace").splitlines()[:200]:
        for key in ("version", "schema"):
            if raw.startswith(f"{key}:") and key not in found:
                found[key] = raw.split(":", 1)[1].split(" #")[0].strip().strip("'\"")
    return found.get("version") or found.get("schema") or None


def file_identity(paths: Path | str | Sequence[Path | str]) -> dict[str, str | None]:
    """``{version, sha256}`` of one data file, or of several hashed together in order. A file that
    cannot be read (an evidence JSON moved to another machine) hashes as missing, never fails."""
    items = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    digest = hashlib.sha256()
    version = None
    readable = False
    for p in items:
        data = _read(p)
        digest.update(p.name.encode() + b"\0")
        if data is None:
            digest.update(b"<missing>\0")
            continue
        readable = True
        digest.update(hashlib.sha256(data).digest())
        if version is None:
            version = _declared_version(data)
    return {"version": version, "sha256": digest.hexdigest() if readable else None}


def catalogue_files(signature_files: Iterable[str | Path] | None = None) -> list[Path]:
    """The catalogue in effect: the signature files actually loaded (bundled agents.yaml first,
    then the user's), plus the bundled artefact and path rules."""
    bundled = [package_file("catalogue", n) for n in _BUNDLED_CATALOGUE]
    files = [Path(p) for p in signature_files] if signature_files else bundled[:1]
    return files + [p for p in bundled[1:] if p not in files]


def default_rubric_path() -> Path:
    return package_file("levels", "rubric.yaml")


def default_questionnaire_path() -> Path:
    return data_path("questionnaires") / "default.yaml"


def _window(window: dict[str, Any] | None) -> dict[str, Any] | None:
    if not window:
        return None
    return {"days": window.get("days"), "start": window.get("start"), "end": window.get("end")}


def build_stamp(*, catalogue: Iterable[str | Path] | None = None, rubric: str | Path | None = None,
                questionnaire: str | Path | None = None,
                price_table: str | Path | dict[str, Any] | None = None,
                repositories: Sequence[dict[str, Any]] = (), window: dict[str, Any] | None = None) -> dict[str, Any]:
    """The stamp of one output. ``catalogue``: the signature files loaded (None: bundled);
    ``rubric`` / ``questionnaire``: the files used (None: bundled); ``price_table``: only when the
    output shows costs (a file, or a ``{version, sha256}`` identity such as
    `assess.sessions.prices.table_identity()`); ``repositories``: ``{"name", "head"}`` of each repository assessed;
    ``window``: the assessment window (``days``, ``start``, ``end``)."""
    stamp: dict[str, Any] = {
        "assess_version": __version__,
        "catalogue": file_identity(catalogue_files(catalogue)),
        "rubric": file_identity(Path(rubric) if rubric else default_rubric_path()),
        "questionnaire": file_identity(Path(questionnaire) if questionnaire else default_questionnaire_path()),
    }
    if isinstance(price_table, dict):  # a price table shipped as a package: its own {version, sha256}
        stamp["price_table"] = {"version": price_table.get("version"), "sha256": price_table.get("sha256")}
    elif price_table is not None:
        stamp["price_table"] = file_identity(Path(price_table))
    stamp["inputs"] = {"repositories": [{"name": r.get("name"), "head": r.get("head")} for r in repositories],
                       "window": _window(window)}
    return stamp


def evidence_stamp(evidence: dict[str, Any], *, rubric: str | Path | None = None,
                   questionnaire: str | Path | None = None) -> dict[str, Any]:
    """Stamp of one repository's evidence document (`assess repo --json`, the ci JSON)."""
    repo = evidence.get("repository", {})
    files = (evidence.get("attribution", {}).get("catalogue") or {}).get("files")
    return build_stamp(catalogue=files, rubric=rubric, questionnaire=questionnaire,
                       repositories=[{"name": repo.get("name"), "head": repo.get("head")}],
                       window=evidence.get("window"))


def report_stamp(evidences: Sequence[dict[str, Any]], team: dict[str, Any],
                 survey: dict[str, Any] | None = None, *, costs: bool = False) -> dict[str, Any]:
    """Stamp of a report: the rubric the team placement used, the questionnaire of the survey, and
    every repository's HEAD; the window is shown when all repositories share one length."""
    files: list[str] = []
    for e in evidences:
        for f in (e.get("attribution", {}).get("catalogue") or {}).get("files", []):
            if f not in files:
                files.append(f)
    rubric = (team.get("rubric") or {}).get("file")
    windows = [e.get("window") or {} for e in evidences]
    window = windows[0] if len(windows) == 1 else (
        {"days": windows[0].get("days"), "start": None, "end": None}
        if windows and len({w.get("days") for w in windows}) == 1 else None)
    price_table = None
    if costs:  # session costs appear in the report: stamp the price table that priced them
        from assess.sessions.prices import table_identity

        price_table = table_identity()
    stamp = build_stamp(catalogue=files or None, rubric=rubric, price_table=price_table,
                        repositories=[{"name": e["repository"].get("name"), "head": e["repository"].get("head")}
                                      for e in evidences], window=window)
    # the questionnaire the responses were scored with is known to the survey summary's own stamp
    survey_stamp = (survey or {}).get("stamp") or {}
    if survey_stamp.get("questionnaire"):
        stamp["questionnaire"] = survey_stamp["questionnaire"]
    return stamp


def stamp_line(stamp: dict[str, Any] | None) -> str:
    """One footer line for HTML and Markdown: versions and short hashes."""
    if not stamp:
        return ""

    def part(name: str) -> str | None:
        ident = stamp.get(name)
        if not ident:
            return None
        sha = (ident.get("sha256") or "")[:12] or "missing"
        return f"{name.replace('_', ' ')} {ident.get('version') or '?'} ({sha})"

    parts = [f"assess {stamp.get('assess_version')}"]
    parts += [p for p in (part(n) for n in ("catalogue", "rubric", "questionnaire", "price_table")) if p]
    heads = [f"{r.get('name')}@{(r.get('head') or '')[:12]}" for r in (stamp.get("inputs") or {}).get("repositories", [])]
    if heads:
        parts.append("inputs " + ", ".join(heads))
    window = (stamp.get("inputs") or {}).get("window")
    if window and window.get("days"):
        parts.append(f"window {window['days']} days")
    return "Stamp: " + " · ".join(parts)
