"""Attack class (found by a newcomer): read-only places, Ctrl-C, one file for two outputs.

Each must end in one ``assess: error:`` line naming the path, never "internal error" or a traceback."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from assess.cli import main
from assess.survey import simulate_responses
from assess.synthetic import SynthCommit, write_history

ROOT = Path(__file__).resolve().parents[2]


def _unprivileged() -> list[str]:
    """A prefix that makes permission bits apply: root ignores them unless it drops these capabilities."""
    if os.getuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permission bits cannot be made to apply")
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]


_SCRIPT = """
import json, sys
from click.testing import CliRunner
from assess.cli import main
out = []
for args in json.loads(sys.argv[1]):
    res = CliRunner().invoke(main, args)
    out.append([res.exit_code, res.stderr, repr(res.exception) if res.exit_code not in (0, 2) else ""])
print(json.dumps(out))
"""


def _run_all(commands: list[list[str]]) -> list[tuple[int, str, str]]:
    """Run several CLI commands in one unprivileged interpreter (one start-up, not one per command)."""
    import json

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([*_unprivileged(), sys.executable, "-c", _SCRIPT, json.dumps(commands)], env=env,
                          text=True, capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return [tuple(x) for x in json.loads(proc.stdout.strip().splitlines()[-1])]


def test_writing_into_a_read_only_place_names_the_path(tmp_path):
    responses = tmp_path / "responses"
    simulate_responses(responses, n=6, seed=1)
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    cases = [(["demo", "-o", str(ro / "demo"), "-q"], ro / "demo"),
             (["study", "init", str(ro / "study")], ro / "study"),
             (["survey", "import", str(responses), "-o", str(ro / "imported")], ro / "imported"),
             (["report", "--survey", str(responses), "-o", str(ro / "r.html")], ro)]
    try:
        results = _run_all([args for args, _ in cases])
    finally:
        ro.chmod(0o755)
    for (args, named), (code, err, exc) in zip(cases, results):
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert code == 2, (args, err, exc)
        assert lines[-1].startswith("assess: error: ") and str(named) in lines[-1], (args, err)
        assert "internal error" not in err and "Traceback" not in err


def test_ctrl_c_during_mining_prints_no_thread_traceback(tmp_path):
    commits = [SynthCommit(("Dev", "dev@example.com"), 1_700_000_000 + i * 60, f"c{i}", {f"f{i % 400}.txt": f"{i}\n"})
               for i in range(6000)]
    write_history(tmp_path / "big", commits)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "assess", "repo", str(tmp_path / "big"), "--no-cache", "-q"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 180  # generous: start-up is slow on a loaded machine
    while not _git_log_running(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # the reader threads are parsing
    os.killpg(proc.pid, signal.SIGINT)  # like Ctrl-C: the whole foreground group, git included
    out, err = proc.communicate(timeout=60)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert proc.returncode == 130 and "assess: interrupted" in err, err


def _git_log_running(pgid: int) -> bool:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) == pgid and b"\0log\0" in (entry / "cmdline").read_bytes():
                return True
        except (OSError, ProcessLookupError):
            continue
    return False


def test_one_file_for_json_and_commits_is_refused(make_repo, tmp_path):
    r = make_repo()
    r.commit("one", {"a": "1\n"})
    target = tmp_path / "out.json"
    res = CliRunner().invoke(main, ["repo", str(r.path), "--json", str(target), "--commits",
                                    str(tmp_path / "." / "out.json"), "-q"])
    assert res.exit_code == 2 and "both --json and --commits" in res.output
    assert not target.exists()
