"""Per-process reuse of loaded data (the catalogue, rubric and rules are parsed once while their
text is unchanged) and Python-object text storage for mining frames: faster, never different.

Every repository of an organisation read the same bundled YAML files again (about 0.1 s each);
these tests check that reuse never serves stale or shared-and-mutated data."""

from __future__ import annotations

import pandas as pd
import pytest

from assess.errors import InputError
from assess.frames import python_strings
from assess.levels import load_rubric
from assess.mining.artefacts import load_artefact_rules
from assess.mining.catalogue import load_catalogue
from assess.mining.signals import load_path_rules
from assess.yamlfile import load_yaml

SIGNATURES = """entries:
  - id: {id}
    name: Test agent
    kind: agent
    rules:
      - id: author
        field: author_email
        pattern: '{pattern}'
"""


def test_an_edited_signatures_file_is_read_again(tmp_path):
    f = tmp_path / "sig.yaml"
    f.write_text(SIGNATURES.format(id="robot-a", pattern="^a@example\\.com$"))
    first = load_catalogue(f)
    assert "robot-a" in first.entries
    f.write_text(SIGNATURES.format(id="robot-b", pattern="^b@example\\.com$"))
    second = load_catalogue(f)
    assert "robot-b" in second.entries and "robot-a" not in second.entries
    assert second.entries["robot-b"].rules[0].pattern.search("B@example.com")
    # back to the first text: its entries again, not the last ones built
    f.write_text(SIGNATURES.format(id="robot-a", pattern="^a@example\\.com$"))
    assert set(load_catalogue(f).entries) == set(first.entries)


def test_a_file_that_became_invalid_fails_even_after_a_good_read(tmp_path):
    f = tmp_path / "sig.yaml"
    f.write_text(SIGNATURES.format(id="robot-a", pattern="^a$"))
    load_catalogue(f)
    f.write_text(SIGNATURES.format(id="robot-a", pattern="(unclosed"))
    with pytest.raises(InputError, match="invalid regular expression"):
        load_catalogue(f)
    with pytest.raises(InputError, match="invalid regular expression"):  # a failure is not remembered
        load_catalogue(f)


def test_each_caller_gets_its_own_data(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text("a:\n  b: [1, 2]\n")
    first = load_yaml(f)
    first.data["a"]["b"].append(3)
    first.data["new"] = 1
    assert load_yaml(f).data == {"a": {"b": [1, 2]}}
    rubric = load_rubric()
    rubric["gates"].clear()  # a caller changing the rubric it got does not change the next one's
    assert load_rubric()["gates"]


def test_the_user_catalogue_extends_a_fresh_copy_of_the_bundled_one(tmp_path):
    f = tmp_path / "sig.yaml"
    f.write_text(SIGNATURES.format(id="robot-x", pattern="^x$"))
    assert "robot-x" in load_catalogue(f).entries
    assert "robot-x" not in load_catalogue(None).entries


def test_rule_lists_are_copies(tmp_path):
    rules = load_artefact_rules()
    n = len(rules)
    rules.clear()
    assert len(load_artefact_rules()) == n
    paths = load_path_rules()
    paths.append(("code", None))
    assert len(load_path_rules()) == len(paths) - 1


def test_python_strings_is_scoped_and_keeps_values():
    before = pd.options.mode.string_storage
    with python_strings():
        inside = pd.Series(["a", None, "c"])
        assert inside.dtype.storage == "python"
    assert pd.options.mode.string_storage == before
    outside = pd.Series(["a", None, "c"])
    assert inside.dtype == "str" and outside.dtype == "str"
    assert inside.isna().tolist() == outside.isna().tolist() == [False, True, False]
    assert (inside.fillna("") == outside.fillna("")).all()
