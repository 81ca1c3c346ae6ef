"""Package data reaches an installed wheel, not only a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_carries_catalogues_schemas_questionnaires_and_report_templates(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
                           "-q", "-w", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    wheel = next(tmp_path.glob("assess-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ["assess/catalogue/agents.yaml", "assess/catalogue/artefacts.yaml", "assess/catalogue/paths.yaml",
                     "assess/levels/rubric.yaml", "assess/levels/rules.yaml", "assess/schemas/evidence.schema.json",
                     "assess/schemas/level.schema.json", "assess/schemas/survey.schema.json",
                     "assess/schemas/study.schema.json", "assess/schemas/report.schema.json",
                     "assess/_data/questionnaires/default.yaml", "assess/_data/reports/report.html.j2"]:
        assert required in names, required
    # the wheel works without the checkout: install it into a fresh target and load the data from there
    target = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                           str(wheel)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    code = ("import assess.resources as r, assess.survey as s;"
            "print(r.data_path('questionnaires'));print(r.data_path('reports'));"
            "print(s.load_questionnaire().id)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith(str(target)) and lines[1].startswith(str(target))
