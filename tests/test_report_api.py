"""``assess.report`` imports its renderers when a name is first used; its public API still behaves
like eagerly imported names (``import *``, attributes, ``dir()``, ``help()``). Each check runs in a
fresh interpreter: in the test process other tests have already imported everything."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def _fresh(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-800:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_help_and_dir_list_every_public_name_before_first_use():
    out = _fresh("import json, pydoc, assess.report as r\n"
                 "names = list(r.__all__); listed = dir(r)\n"
                 "text = pydoc.render_doc(r, renderer=pydoc.plaintext)\n"
                 "print(json.dumps({'all': names, 'dir': listed, 'help': text}))")
    missing_dir = [n for n in out["all"] if n not in out["dir"]]
    # pydoc lists a function as "name(signature)" under FUNCTIONS, REPORT_SCHEMA under DATA, a class
    # as "class Name"; (the module docstring names some of them, so a bare word would not do)
    missing_help = [n for n in out["all"] if f"\n    {n}" not in out["help"] and f"class {n}(" not in out["help"]]
    assert not missing_dir and not missing_help, (missing_dir, missing_help)


@pytest.mark.parametrize("how", ["star", "attribute"])
def test_every_name_in_all_resolves(how):
    code = ("import json\n" + ("ns = {}\nexec('from assess.report import *', ns)\nimport assess.report as r\n"
                               "got = {n: ns[n].__module__ if hasattr(ns[n], '__module__') else 'value' for n in r.__all__}\n"
                               if how == "star" else
                               "import assess.report as r\ngot = {n: type(getattr(r, n)).__name__ for n in r.__all__}\n")
            + "print(json.dumps(got))")
    got = _fresh(code)
    assert set(got) >= {"build_report", "render_html", "write_report", "REPORT_SCHEMA", "validate_report"}


def test_reading_evidence_does_not_load_the_renderers():
    out = _fresh("import json, sys\nfrom assess.report import load_repository\n"
                 "print(json.dumps(sorted(m for m in ('jinja2', 'plotly') if m in sys.modules)))")
    assert out == []


def test_an_unknown_name_is_an_attribute_error():
    out = _fresh("import json, assess.report as r\ntry:\n    r.no_such_name\nexcept AttributeError as e:\n"
                 "    print(json.dumps(str(e)))")
    assert "no_such_name" in out
