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


def test_pipx_style_install_from_the_sdist_runs_the_entry_point(tmp_path):
    """What `pipx install .` does, offline: build the sdist, build the wheel from the sdist, install
    it into a fresh virtual environment and run its `assess` entry point (dependencies come from the
    system site-packages, as the test cannot reach an index)."""
    sdist_dir, wheel_dir, venv = tmp_path / "sdist", tmp_path / "wheel", tmp_path / "venv"
    proc = subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(sdist_dir)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    sdist = next(sdist_dir.glob("assess-*.tar.gz"))
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(sdist), "--no-deps", "--no-build-isolation",
                           "--no-index", "-q", "-w", str(wheel_dir)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    wheel = next(wheel_dir.glob("assess-*.whl"))
    assert "assess/_data/reports/report.html.j2" in zipfile.ZipFile(wheel).namelist()  # data survives the sdist
    proc = subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    py = venv / "bin" / "python"
    proc = subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "ASSESS_CACHE_DIR": str(tmp_path / "c")}
    where = subprocess.run([str(py), "-c", "import assess; print(assess.__file__)"], capture_output=True, text=True,
                           cwd=tmp_path, env=env)
    assert where.stdout.startswith(str(venv)), where.stdout  # the wheel's copy, not a checkout
    version = subprocess.run(["assess", "--version"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert version.returncode == 0 and "assess, version" in version.stdout, version.stderr
    demo = subprocess.run(["assess", "demo", "-q", "-o", str(tmp_path / "demo")], capture_output=True, text=True,
                          cwd=tmp_path, env=env)
    assert demo.returncode == 0, demo.stderr
    assert (tmp_path / "demo" / "report.html").exists() and "Stamp: assess" in (tmp_path / "demo" / "report.md").read_text()
