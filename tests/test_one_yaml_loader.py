"""One YAML loader (assess.yamlfile) for every user file: duplicate keys and syntax errors name the
file and line, for rubric, signatures, study.yaml and registration.yaml alike; and the study's
record and registration modules no longer import each other."""

from __future__ import annotations

import ast

import pytest

from assess.errors import InputError
from assess.levels import load_rubric
from assess.resources import package_file
from assess.yamlfile import load_with_lines, load_yaml


def test_duplicate_key_names_its_line(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text("a: 1\nb:\n  c: 2\n  c: 3\n")
    with pytest.raises(InputError, match=r"x\.yaml:4: duplicate key 'c'"):
        load_yaml(f)
    with pytest.raises(InputError, match="duplicate key 'c'") as exc:
        load_with_lines(f, f.read_text())
    assert exc.value.line == 4


def test_rubric_with_a_key_given_twice_is_refused(tmp_path):
    text = package_file("levels", "rubric.yaml").read_text()
    bad = tmp_path / "rubric.yaml"
    bad.write_text(text.replace("  level3_share: 0.50", "  level3_share: 0.50\n  level3_share: 0.9", 1))
    line = next(i for i, s in enumerate(bad.read_text().splitlines(), 1) if s.startswith("  level3_share: 0.9"))
    with pytest.raises(InputError) as exc:
        load_rubric(bad)
    assert exc.value.line == line and "duplicate key 'level3_share'" in str(exc.value)


def test_registration_yaml_errors_name_the_line(tmp_path):
    from assess.speedup import simulate_study
    from assess.speedup.registration import load_registration

    simulate_study(tmp_path / "s")
    reg = tmp_path / "s" / "registration.yaml"
    lines = reg.read_text().splitlines()
    at = next(i for i, s in enumerate(lines) if s.startswith("registration_id:"))
    lines.insert(at + 1, "registration_id: forged")  # the key again, one line below
    reg.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=rf"registration\.yaml:{at + 2}: duplicate key 'registration_id'"):
        load_registration(tmp_path / "s")


def test_study_yaml_problem_is_reported_with_its_line(tmp_path):
    from assess.speedup import simulate_study
    from assess.speedup.integrity import load_study

    simulate_study(tmp_path / "s")
    (tmp_path / "s" / "study.yaml").write_text("name: a\nname: b\n")
    problems = load_study(tmp_path / "s").integrity["row_problems"]
    assert any(p["line"] == 2 and "duplicate key" in p["message"] for p in problems)


def _imports(module: str) -> set[str]:
    tree = ast.parse(package_file("speedup", f"{module}.py").read_text())
    return {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}


def test_record_and_registration_do_not_import_each_other():
    assert "assess.speedup.record" not in _imports("registration")
    assert "assess.speedup.results" in _imports("registration") and "assess.speedup.results" in _imports("record")
    assert "assess.speedup.record" not in _imports("results") and "assess.speedup.registration" not in _imports("results")


@pytest.mark.parametrize("body", ["[" * 60_000 + "]" * 60_000, "\n" + "- " * 60_000 + "x"],
                         ids=["flow", "block"])
def test_a_deeply_nested_file_is_refused_not_a_segfault(tmp_path, body):
    # libyaml's composer recurses in C: this used to kill the process (SIGSEGV, no message), so it
    # runs in a child process where a crash is a failed assertion, not a lost test run
    import subprocess
    import sys

    f = tmp_path / "teams.yaml"
    f.write_text("teams: " + body + "\n")
    code = ("import sys\nfrom pathlib import Path\nfrom assess.errors import InputError\n"
            "from assess.yamlfile import load_with_lines, load_yaml\n"
            "p = Path(sys.argv[1])\n"
            "for load in (load_yaml, lambda p: load_with_lines(p, p.read_text())):\n"
            "    try:\n        load(p)\n    except InputError as exc:\n        print(exc)\n")
    done = subprocess.run([sys.executable, "-c", code, str(f)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    lines = done.stdout.splitlines()
    # our event-stream check says "nested more than 100 levels deep"; a libyaml/PyYAML new enough
    # (PyYAML 6.0.4) stops the parse itself first with "exceeded maximum nesting depth": either way
    # one line naming the file and the line, never a crash
    assert len(lines) == 2 and all("teams.yaml:" in ln and ("nested more than 100 levels deep" in ln
                                                             or "exceeded maximum nesting depth" in ln)
                                   for ln in lines)
