"""QA pass 5: hostile values in the study, survey and forge inputs and in what assess writes from them."""

from __future__ import annotations

import csv
from pathlib import Path

from assess.speedup.analysis import load_study
from assess.speedup.importers import import_study

_FORMULA_START = ("=", "+", "-", "@")


def _cells(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def test_study_import_writes_no_formula_from_foreign_ids(tmp_path: Path) -> None:
    source = tmp_path / "data_complete.csv"
    source.write_text(
        "dev_id,issue_id,predicted_time_no_ai,predicted_time_ai_allowed,ai_treatment,"
        "initial_implementation_time,post_review_implementation_time\n"
        '"=HYPERLINK(""http://evil"",""x"")",@SUM(1+1),30,20,1,25,5\n'
        '"=HYPERLINK(""http://evil"",""x"")",+cmd|x,30,20,0,40,5\n'
        "dev2,i3,30,20,1,25,\n" "dev2,i4,30,20,0,35,5\n" "dev2,i5,30,20,1,20,5\n" "dev2,i6,30,20,0,45,5\n",
        encoding="utf-8")
    out = tmp_path / "study"
    outcome = import_study(source, out)
    assert outcome.n_tasks == 6 and outcome.n_developers == 2
    for name in ("tasks.csv", "participants.csv", "results.csv"):
        cells = _cells(out / name)
        assert not [c for c in cells if c.startswith(_FORMULA_START)], name
        assert any("HYPERLINK" in c for c in cells), name  # kept as text, not dropped
    # the kept-as-text ids are the same in the registration and the CSVs: every task is analysed
    data = load_study(out)
    assert len(data.frame) == 6
    assert not data.integrity.get("changed_tasks") and not data.integrity.get("unregistered_tasks")
