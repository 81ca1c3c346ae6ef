"""Attack class: crashes, hangs and unbounded memory from hostile files (xlsx, YAML, FIFOs,
deep JSON, huge files), terminal escapes, spreadsheet formulas and '..' links."""

from __future__ import annotations

import json
import os
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from studyfix import fill_results, registered_study

from assess.cli import main
from assess.errors import AssessError, InputError
from assess.levels import load_rubric
from assess.mining import mine_repository
from assess.mining.catalogue import load_catalogue
from assess.mining.linerecords import parse_agent_trace
from assess.speedup.analysis import analyze_study
from assess.speedup.registration import load_registration
from assess.survey import load_questionnaire, load_responses

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi"))


def _bounded(fn, *, seconds: float = 20, megabytes: float = 200):
    """Run ``fn``; return what it raised or returned, asserting generous CPU-time and memory bounds
    (CPU time of this process: the bound holds however loaded the machine is)."""
    tracemalloc.start()
    start = time.process_time()
    try:
        try:
            result = fn()
        except AssessError as exc:  # the tool's own one-line error is the expected way out
            result = exc
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.process_time() - start < seconds
    assert peak < megabytes * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    return result


def _xlsx(path: Path, sheet_xml: str, extra: dict[str, bytes] | None = None) -> None:
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '</Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
        for name, data in (extra or {}).items():
            z.writestr(name, data)


SHEET = ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         '<dimension ref="{dim}"/><sheetData>{rows}</sheetData></worksheet>')


def test_xlsx_claiming_the_whole_sheet_or_a_zip_bomb_is_refused_cheaply(tmp_path):
    q = load_questionnaire()
    claims = tmp_path / "claims.xlsx"
    _xlsx(claims, SHEET.format(dim="A1:XFD1048576", rows='<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'))
    assert claims.stat().st_size < 4000
    sparse = tmp_path / "sparse.xlsx"
    _xlsx(sparse, SHEET.format(dim="A1:A1", rows='<row r="1"><c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row>'))
    bomb = tmp_path / "bomb.xlsx"
    _xlsx(bomb, SHEET.format(dim="A1:A1", rows=""), {"xl/padding.xml": b"<a>" + b" " * (20 * 1024 * 1024) + b"</a>"})
    assert bomb.stat().st_size < 2 * 1024 * 1024
    for path, reason in ((claims, "claims 1,048,576 rows"), (sparse, "columns"), (bomb, "zip bomb")):
        result = _bounded(lambda p=path: load_responses([p], q))
        assert len(result.rejected) == 1 and reason in result.rejected[0].reason, result.rejected[0].reason


@pytest.mark.parametrize("kind", ["rubric", "signatures", "questionnaire", "study.yaml", "registration.yaml"])
def test_yaml_alias_bombs_are_refused(tmp_path, kind):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB)
    if kind == "rubric":
        call = lambda: load_rubric(bomb)  # noqa: E731
    elif kind == "signatures":
        call = lambda: load_catalogue(bomb)  # noqa: E731
    elif kind == "questionnaire":
        call = lambda: load_questionnaire(bomb)  # noqa: E731
    else:
        study = registered_study(tmp_path)
        fill_results(study)
        (study / kind).write_text(BOMB)
        call = (lambda: analyze_study(study, bootstrap_reps=0)) if kind == "study.yaml" \
            else (lambda: load_registration(study))
    result = _bounded(call)
    if kind == "study.yaml":  # study.yaml only names the study: reported and ignored
        problems = result["integrity"]["row_problems"]
        assert any("YAML" in p["message"] or "expands" in p["message"] for p in problems)
    else:
        assert isinstance(result, InputError) and ("expands" in str(result) or "aliases" in str(result))


@pytest.mark.parametrize("special", ["fifo", "/dev/zero"])
def test_fifos_and_device_links_are_refused_not_read(tmp_path, special):
    study = registered_study(tmp_path)
    fill_results(study)
    q = load_questionnaire()

    def plant(path: Path) -> None:
        path.unlink(missing_ok=True)
        if special == "fifo":
            os.mkfifo(path)
        else:
            path.symlink_to(special)

    plant(study / "study.yaml")
    result = _bounded(lambda: analyze_study(study, bootstrap_reps=0), seconds=30)
    assert any("not a regular file" in p["message"] for p in result["integrity"]["row_problems"])
    plant(study / "tasks.csv")
    with pytest.raises(InputError, match="not a regular file"):
        analyze_study(study, bootstrap_reps=0)
    rubric = tmp_path / "rubric.yaml"
    plant(rubric)
    with pytest.raises(InputError, match="not a regular file"):
        load_rubric(rubric)
    responses = tmp_path / "r.json"
    plant(responses)
    result = _bounded(lambda: load_responses([responses], q))
    assert "not a regular file" in result.rejected[0].reason


def test_deep_json_and_huge_integers(tmp_path):
    q = load_questionnaire()
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000)
    huge = tmp_path / "huge.json"
    huge.write_text(json.dumps({"format": "x"})[:-1] + ', "n": ' + "9" * 100_000 + "}")
    result = _bounded(lambda: load_responses([deep, huge], q))
    assert len(result.rejected) == 2
    trace = ('{"vcs": {"revision": "' + "a" * 40 + '"}, "files": ' + "[" * 100_000 + "]" * 100_000 + "}\n"
             + '{"vcs": {"revision": "' + "b" * 40 + '"}, "files": [{"conversations": [{"contributor": {"type": "ai"},'
             ' "ranges": [{"start_line": 1, "end_line": ' + "9" * 30 + '}]}]}]}\n'
             + '{"vcs": [1], "files": "x"}\n')
    rows = _bounded(lambda: parse_agent_trace(trace))
    assert list(rows["sha"]) == ["b" * 40] and int(rows["ai_lines"].iloc[0]) <= 10_000_000


def test_a_50_mb_file_is_refused_by_size_and_a_5_mb_one_read_in_linear_time(tmp_path):
    q = load_questionnaire()
    big = tmp_path / "big.json"
    with big.open("w") as fh:
        fh.write('{"x": "' + "a" * (50 * 1024 * 1024) + '"}')
    result = _bounded(lambda: load_responses([big], q), seconds=5, megabytes=50)
    assert "more than the 32 MB" in result.rejected[0].reason
    record = {"format": "assess-survey-response/1", "questionnaire": {"id": q.id, "version": q.version},
              "answers": {"q_not_an_item": 1}}
    five = tmp_path / "five.json"
    five.write_text(json.dumps([dict(record, response_id=f"r{i}") for i in range(35_000)]))
    assert five.stat().st_size > 5 * 1024 * 1024
    result = _bounded(lambda: load_responses([five], q), seconds=30, megabytes=400)  # quadratic scanning took minutes
    assert len(result.rejected) == 35_000


def test_terminal_escapes_are_shown_not_sent(tmp_path):
    evil = tmp_path / "evil\x1b]0;pwned\x07\x1b[2J"
    res = CliRunner().invoke(main, ["repo", str(evil)])
    assert res.exit_code == 2 and "\x1b" not in res.output and "\x07" not in res.output
    assert "^[]0;pwned" in res.output


def test_formula_cells_are_neutralised(make_repo, tmp_path):
    r = make_repo()
    r.commit("one", {"a": "1\n"}, author=("=HYPERLINK(\"http://x\")", "@evil@example.com"))
    out = tmp_path / "c.csv"
    res = CliRunner().invoke(main, ["repo", str(r.path), "--commits", str(out), "--show-identities", "-q"])
    assert res.exit_code == 0, res.output
    cells = [c for line in out.read_text().splitlines()[1:] for c in line.split(",")]
    assert not any(c.lstrip('"').startswith(("=", "@", "+")) for c in cells), cells
    assert any(c.lstrip('"').startswith("'=HYPERLINK") for c in cells)


def test_tree_entries_named_dot_dot_never_become_links(make_repo, tmp_path):
    from assess.report import build_report

    r = make_repo()
    r.commit("start", {"src/a.py": "x\n"}, date="2024-01-01T00:00:00+00:00")
    blob = r.git("hash-object", "-w", "--stdin", input=b"# rules\n").strip()
    inner = r.git("mktree", input=f"100644 blob {blob}\tCLAUDE.md\n".encode()).strip()
    top = r.git("mktree", input=f"040000 tree {inner}\t..\n".encode()).strip()
    commit = r.git("commit-tree", top, "-p", r.head(), "-m", "sneaky",
                   env={"GIT_AUTHOR_DATE": "2024-02-01T00:00:00+00:00", "GIT_COMMITTER_DATE": "2024-02-01T00:00:00+00:00"}).strip()
    r.git("update-ref", "refs/heads/main", commit)
    r.git("remote", "add", "origin", "https://github.com/acme/app.git")
    mining = mine_repository(r.path, use_cache=False)
    assert any(".." in a["path"] for a in mining.artefacts)  # the hostile entry is seen
    report = build_report([str(r.path)])
    urls = []

    def walk(obj):
        if isinstance(obj, dict):
            for k, v in obj.items():
                if k == "url" and isinstance(v, str):
                    urls.append(v)
                walk(v)
        elif isinstance(obj, list):
            for v in obj:
                walk(v)

    walk(report)
    assert urls and not [u for u in urls if "/../" in u or u.endswith("/..") or "%2e" in u.lower()]


def test_an_unterminated_string_of_escaped_quotes_is_refused_in_linear_time(tmp_path):
    """The nesting pre-scan strips strings with a regular expression; an unterminated string of
    escaped quotes (`"\\"\\"\\"…`) made it retry from every quote to the end: 80 KB took a minute,
    a 24 MB CI event payload or `assess diff` input would take days."""
    from assess import safejson

    hostile = tmp_path / "quotes.json"
    hostile.write_bytes(b'{"x": "' + b'\\"' * 60_000)  # 120 KB, no closing quote
    result = _bounded(lambda: safejson.read_file(hostile), seconds=10)
    assert isinstance(result, InputError) and "not valid JSON" in str(result)
    result = _bounded(lambda: CliRunner().invoke(main, ["diff", str(hostile), str(hostile)]), seconds=10)
    assert result.exit_code == 2 and "quotes.json:1: not valid JSON" in result.output
    # strings still hide their brackets and escaped quotes from the depth count, and a string
    # ending in a lone backslash at the end of the text is still one string
    assert safejson.loads('{"a": "[[[\\"]]]", "b": ["\\\\", "{\\""]}') == {"a": '[[["]]]', "b": ["\\", '{"']}
    assert safejson.nesting_depth(b'["[[[[\\"", [[]]]') == 3
    assert safejson.nesting_depth(b'["abc\\') == 1
