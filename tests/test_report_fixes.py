"""Fixes from a QA pass over the report, survey and CLI paths: deep JSON refused as input, no
absolute paths in the report without --show-identities, formula-safe CSV, honest wording."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from levelshapes import SHAPES

from assess.cli import main
from assess.synthetic import write_history


def _cli(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(main, list(args))
    return res.exit_code, res.output


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """The Level 3 shape in a folder whose parent names a client (what must not leak)."""
    path = tmp_path_factory.mktemp("pipe") / "client-secret-corp" / "shop"
    path.parent.mkdir(parents=True)
    write_history(path, SHAPES["agents-merged-by-humans"][0]())
    return path


@pytest.fixture
def deep(tmp_path) -> Path:
    p = tmp_path / "deep.json"
    p.write_text("[" * 100_000 + "]" * 100_000)
    return p


@pytest.mark.parametrize("args", [("report", "--survey"), ("report", "--repo"), ("report", "--study"),
                                  ("survey", "score")])
def test_deeply_nested_json_is_a_one_line_input_error(deep, tmp_path, args):
    out = tmp_path / "r.html"
    extra = ["-o", str(out)] if args[0] == "report" else []
    code, output = _cli(*args, str(deep), *extra)
    assert code == 2, output
    assert "internal error" not in output and "RecursionError" not in output and "Traceback" not in output
    assert f"assess: error: {deep}" in output or f"{deep}:" in output
    assert "nested more than" in output
    assert not out.exists() and not out.with_suffix(".json").exists()


def test_report_json_and_html_hold_no_absolute_paths(repo, tmp_path):
    out = tmp_path / "r.html"
    code, output = _cli("report", "--repo", str(repo), "--no-cache", "-q", "-o", str(out))
    assert code == 0, output
    data = json.loads(out.with_suffix(".json").read_text())
    assert data["repositories"][0]["path"] == "shop"
    assert data["evidence"][0]["repository"]["path"] == "shop"
    assert data["methods"]["rubric"]["file"] == "bundled rubric.yaml"
    assert all(f.startswith("bundled ") for f in data["evidence"][0]["attribution"]["catalogue"]["files"])
    for text in (out.read_text(), out.with_suffix(".json").read_text(), out.with_suffix(".md").read_text()):
        assert "client-secret-corp" not in text
        assert str(Path(__file__).resolve().parents[1]) not in text  # the install path of rubric.yaml


def test_own_rubric_is_named_by_file_name_and_identities_show_full_paths(repo, tmp_path):
    from assess.resources import package_file

    own = tmp_path / "client-secret-corp" / "our-rubric.yaml"
    own.parent.mkdir()
    own.write_text(package_file("levels", "rubric.yaml").read_text(encoding="utf-8"))
    out = tmp_path / "r.html"
    code, output = _cli("report", "--repo", str(repo), "--rubric", str(own), "--no-cache", "-q", "-o", str(out))
    assert code == 0, output
    data = json.loads(out.with_suffix(".json").read_text())
    assert data["methods"]["rubric"]["file"] == "our-rubric.yaml"
    assert "client-secret-corp" not in out.read_text()
    code, output = _cli("report", "--repo", str(repo), "--show-identities", "--no-cache", "-q", "-o", str(out))
    assert code == 0, output
    data = json.loads(out.with_suffix(".json").read_text())
    assert data["repositories"][0]["path"] == str(repo)
