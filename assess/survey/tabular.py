"""Import Google Forms CSV and Microsoft Forms .xlsx exports, mapped by a header table.

A column maps to an item when its title carries the item id in brackets, e.g.
``[q_review_read] How much of the AI-written code…``. Identifying columns (timestamps, names, emails,
response numbers) are dropped; every other unmapped column, and every item without a column, is
reported by name. Choice answers are matched by option label or id, never by position."""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assess.survey.model import Item, Questionnaire
from assess.survey.responses import Problem, Response, ResponseSet, check_answer
from assess.survey.textio import UnreadableFile, has_bad_bytes, read_user_text, show

ITEM_TITLE = re.compile(r"^\s*\[([A-Za-z][A-Za-z0-9_-]{0,63})\]")
# identifying or bookkeeping columns of Google Forms / Microsoft Forms exports: dropped on import
IDENTITY_HEADERS = {
    "timestamp", "email address", "email", "e-mail", "name", "full name", "username", "user name",
    "respondent", "id", "start time", "completion time", "last modified time", "submitted at",
    "submission time", "date", "time",
}
IDENTITY_KEYS = {"email address", "email", "e-mail", "username", "user name", "name", "full name", "respondent"}
_NUMBER = re.compile(r"^\s*([+\-\u2212]?\d+(?:[.,]\d+)?)\s*%?\s*$")
_LEADING_INT = re.compile(r"^\s*([1-5])(?:\s*[-–:.)]\s*.*|\s+.*)?$")


@dataclass
class HeaderTable:
    """Which column holds which item; what was dropped, unmapped or missing."""

    item_columns: dict[str, int] = field(default_factory=dict)
    identity_columns: dict[str, int] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def map_headers(headers: Sequence[Any], questionnaire: Questionnaire) -> HeaderTable:
    table = HeaderTable()
    for index, raw in enumerate(headers):
        title = show(str(raw if raw is not None else "")).strip()
        match = ITEM_TITLE.match(title)
        if match:
            item_id = match.group(1)
            if questionnaire.item(item_id) is None:
                table.unmapped.append(title)
            elif item_id in table.item_columns:
                table.problems.append(f"two columns carry [{item_id}]; only the first (column "
                                      f"{table.item_columns[item_id] + 1}) is read, column {index + 1} is ignored")
            else:
                table.item_columns[item_id] = index
        elif title.lower() in IDENTITY_HEADERS:
            table.identity_columns[title] = index
        elif title:
            table.unmapped.append(title)
        else:
            table.unmapped.append(f"(untitled column {index + 1})")
    table.missing = [i.id for i in questionnaire.items if i.id not in table.item_columns]
    return table


def read_tabular_responses(path: Path, questionnaire: Questionnaire, into: ResponseSet) -> None:
    """Read a .csv (Google Forms) or .xlsx (Microsoft Forms) export into ``into``."""
    source = str(path)
    try:
        rows = _read_xlsx(path) if path.suffix.lower() == ".xlsx" else _read_csv(path, into)
    except UnreadableFile as exc:
        into.reject(source, "file", Problem(None, str(exc)))
        return
    rows = [(n, r) for n, r in rows if any(_cell_text(c) for c in r)]
    if not rows:
        into.reject(source, "file", Problem(None, "the file is empty (no header row)"))
        return
    header_row, headers = rows[0]
    table = map_headers(headers, questionnaire)
    if not table.item_columns:
        into.reject(source, f"row {header_row}", Problem(None, "no column title carries an item id like "
                                                               "'[q_level_self] …'; nothing can be mapped"))
        return
    if table.identity_columns:
        into.note(source, f"row {header_row}", "identifying columns dropped: " + ", ".join(table.identity_columns))
    if table.unmapped:
        into.note(source, f"row {header_row}", "unmapped columns (ignored): " + ", ".join(table.unmapped))
    if table.missing:
        into.note(source, f"row {header_row}", "no column for items: " + ", ".join(table.missing))
    for message in table.problems:
        into.note(source, f"row {header_row}", message)
    data = rows[1:]
    if not data:
        into.reject(source, "file", Problem(None, "the file has a header but no responses"))
        return
    from assess.safeio import read_bytes_bounded

    digest = hashlib.sha256(read_bytes_bounded(path)).hexdigest()[:16]
    identity_seen: dict[str, tuple[int, int]] = {}  # identity hash -> (row, index in into.responses)
    channel = "microsoft-forms-xlsx" if path.suffix.lower() == ".xlsx" else "csv"
    for row_number, row in data:
        answers: dict[str, Any] = {}
        problems: list[Problem] = []
        for item_id, column in table.item_columns.items():
            item = questionnaire.item(item_id)
            assert item is not None
            cell = row[column] if column < len(row) else None
            value, problem = parse_cell(item, cell)
            if problem:
                problems.append(Problem(item_id, problem))
            elif value is not None:
                answers[item_id] = value
        for item in questionnaire.items:
            if item.required and item.id not in answers and not any(p.field == item.id for p in problems):
                problems.append(Problem(item.id, "an answer is required" + (
                    "" if item.id in table.item_columns else " (the file has no column for it)")))
        if problems:
            into.reject(source, f"row {row_number}", *problems)
            continue
        identity = _identity(row, table)
        response = Response(
            response_id=f"{digest}-{row_number}", questionnaire_id=questionnaire.id,
            questionnaire_version=questionnaire.version, channel=channel, answers=answers,
            source=source, location=f"row {row_number}")
        if identity and identity in identity_seen:
            earlier_row, earlier_index = identity_seen[identity]
            # the later submission is kept (forms allow editing / re-submitting)
            into.responses.pop(earlier_index)
            identity_seen = {k: (r, i - 1 if i > earlier_index else i) for k, (r, i) in identity_seen.items()}
            into.reject(source, f"row {earlier_row}", Problem(None, f"duplicate respondent: the same person "
                                                                    f"answered again in row {row_number}; the later answer is kept"))
        if identity:
            identity_seen[identity] = (row_number, len(into.responses))
        into.responses.append(response)


def parse_cell(item: Item, cell: Any) -> tuple[Any, str | None]:
    """Turn a spreadsheet cell into a typed answer (None when blank), or return a problem."""
    text = _cell_text(cell)
    if has_bad_bytes(text):
        return None, "not UTF-8 text (probably Windows-1252 or Latin-1); re-export the file as UTF-8"
    if not text:
        return None, None
    if item.type == "single_choice":
        option = _match_option(item, text)
        if option is None:
            return None, f"not one of the options (expected one of the labels or ids: {_ids(item)})"
        return check_answer(item, option)
    if item.type == "multi_choice":
        chosen, leftover = _match_options(item, text)
        if leftover:
            return None, (f"{len(leftover)} part(s) of the answer are not options (expected labels or ids: "
                          f"{_ids(item)})")
        return check_answer(item, chosen)
    if item.type == "likert":
        if isinstance(cell, (int, float)) and not isinstance(cell, bool):
            return check_answer(item, cell)
        match = _LEADING_INT.match(text)
        if match:
            return check_answer(item, int(match.group(1)))
        for index, anchor in enumerate(item.anchors, start=1):
            if _norm(anchor) == _norm(text):
                return check_answer(item, index)
        return None, "expected a number 1-5 or a scale label, got other text"
    if item.type in ("number", "percentage"):
        if isinstance(cell, (int, float)) and not isinstance(cell, bool):
            return check_answer(item, cell)
        match = _NUMBER.match(text)
        if not match:
            return None, "expected a number, got text"
        number = float(match.group(1).replace("\u2212", "-").replace(",", "."))
        if not math.isfinite(number):  # hundreds of digits: no scale goes that far
            return None, "expected a number, got one too large to read"
        return check_answer(item, int(number) if number == int(number) else number)
    return check_answer(item, text)


def _match_option(item: Item, text: str) -> str | None:
    wanted = _norm(text)
    for option in item.options:
        if wanted in (_norm(option.label), option.id.lower()):
            return option.id
    bracket = ITEM_TITLE.match(text)
    if bracket and item.option(bracket.group(1)):
        return bracket.group(1)
    return None


def _match_options(item: Item, text: str) -> tuple[list[str], list[str]]:
    """Split a multi-choice cell (Google: ", " joined; Microsoft: ";" joined) by known labels,
    longest label first, so labels holding commas still match."""
    rest = f";{text};"
    chosen: list[str] = []
    candidates = sorted(((o.label, o.id) for o in item.options), key=lambda t: -len(t[0]))
    candidates += [(o.id, o.id) for o in item.options]
    for label, option_id in candidates:
        pattern = re.compile(r"(?<=[;,])\s*" + re.escape(label) + r"\s*(?=[;,])", re.IGNORECASE)
        if pattern.search(rest):
            rest = pattern.sub("", rest)
            if option_id not in chosen:
                chosen.append(option_id)
    leftover = [part.strip() for part in re.split(r"[;,]", rest) if part.strip()]
    return chosen, leftover


def _identity(row: Sequence[Any], table: HeaderTable) -> str | None:
    """A salted-free hash of the identifying cells, used only to spot duplicate respondents."""
    values = [_norm(_cell_text(row[i])) for title, i in table.identity_columns.items()
              if title.lower() in IDENTITY_KEYS and i < len(row)]
    values = [v for v in values if v and v != "anonymous"]
    if not values:
        return None
    return hashlib.sha256("\x1f".join(values).encode("utf-8", "surrogateescape")).hexdigest()


def _read_csv(path: Path, into: ResponseSet) -> list[tuple[int, list[str]]]:
    decoded = read_user_text(path, lenient=True)
    for note in decoded.notes:
        into.note(str(path), "file", note)
    text = decoded.text
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, row in enumerate(reader, start=1):
            if number > MAX_XLSX_ROWS:  # the workbook's bound holds for a CSV export too
                raise UnreadableFile(f"more than {MAX_XLSX_ROWS:,} rows; refused (one row per respondent)")
            rows.append((number, row))
    except csv.Error as exc:
        raise UnreadableFile(f"line {reader.line_num}: not a readable CSV file ({exc})") from None
    return rows


# Reason: a Microsoft Forms export (or a Google Forms CSV) has one row per respondent and one column per question; teams
# are at most a few thousand people and questionnaires a few dozen items. Anything beyond these is
# refused before it can take gigabytes (a 1.5 KB file can claim the full 1M x 16k sheet).
MAX_XLSX_ROWS = 20_000
MAX_XLSX_COLUMNS = 1_000
MAX_XLSX_UNCOMPRESSED = 100 * 1024 * 1024  # all parts of the workbook, unpacked
MAX_XLSX_RATIO = 200  # compression ratio of any part: real XML compresses ~10-20x; a bomb 1000x+
MAX_XLSX_MEMBERS = 2_000


def _check_zip(path: Path) -> None:
    """Refuse a zip bomb from its directory alone, before anything is unpacked."""
    from assess.errors import InputError
    from assess.safeio import open_regular

    try:
        fd = open_regular(path, what="xlsx file")  # regular file, bounded size, no FIFO hang
    except InputError as exc:
        raise UnreadableFile(exc.detail) from None
    try:
        with os.fdopen(fd, "rb") as fh, zipfile.ZipFile(fh) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFile(f"not an Excel .xlsx workbook ({type(exc).__name__}); export the responses "
                             "from Microsoft Forms with 'Open in Excel'") from None
    if len(members) > MAX_XLSX_MEMBERS:
        raise UnreadableFile(f"the workbook has {len(members)} parts, more than {MAX_XLSX_MEMBERS}; refused")
    total = sum(m.file_size for m in members)
    if total > MAX_XLSX_UNCOMPRESSED:
        raise UnreadableFile(f"the workbook unpacks to {total // (1024 * 1024)} MB, more than "
                             f"{MAX_XLSX_UNCOMPRESSED // (1024 * 1024)} MB (a zip bomb?); refused")
    for m in members:
        if m.file_size > 1024 * 1024 and m.file_size > MAX_XLSX_RATIO * max(1, m.compress_size):
            raise UnreadableFile(f"part {m.filename} is compressed {m.file_size // max(1, m.compress_size)}:1 "
                                 "(a zip bomb?); refused")


def _read_xlsx(path: Path) -> list[tuple[int, list[Any]]]:
    import openpyxl

    if not path.exists():
        raise UnreadableFile("no such file")
    if path.is_file() and path.stat().st_size == 0:
        raise UnreadableFile("the file is empty")
    _check_zip(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, AttributeError, IndexError) as exc:
        raise UnreadableFile(f"not an Excel .xlsx workbook ({type(exc).__name__}); export the responses "
                             "from Microsoft Forms with 'Open in Excel'") from None
    try:
        if not workbook.worksheets:
            raise UnreadableFile("the workbook has no sheet")
        sheet = workbook.worksheets[0]
        claimed_rows, claimed_cols = sheet.max_row or 0, sheet.max_column or 0
        if claimed_rows > MAX_XLSX_ROWS or claimed_cols > MAX_XLSX_COLUMNS:
            raise UnreadableFile(f"the sheet claims {claimed_rows:,} rows x {claimed_cols:,} columns, more than "
                                 f"{MAX_XLSX_ROWS:,} x {MAX_XLSX_COLUMNS:,}; refused")
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # read the cells that exist, never pad to a claimed size
        rows: list[tuple[int, list[Any]]] = []
        for n, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if n > MAX_XLSX_ROWS:
                raise UnreadableFile(f"more than {MAX_XLSX_ROWS:,} rows; refused")
            if len(row) > MAX_XLSX_COLUMNS:
                raise UnreadableFile(f"row {n} has {len(row):,} columns, more than {MAX_XLSX_COLUMNS:,}; refused")
            rows.append((n, list(row)))
        return rows
    except (KeyError, ValueError, TypeError, AttributeError, IndexError, OSError, zipfile.BadZipFile) as exc:
        raise UnreadableFile(f"the workbook cannot be read ({type(exc).__name__})") from None
    finally:
        workbook.close()


def _cell_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and math.isfinite(cell) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _ids(item: Item) -> str:
    return ", ".join(o.id for o in item.options)

