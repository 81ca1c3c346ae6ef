"""Attack class: code execution through files assess reads or writes (cache, .bak copies)."""

from __future__ import annotations

import json
import os
import pickle
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from studyfix import registered_study

from assess.cli import main
from assess.mining import cache as cache_mod
from assess.mining import mine_repository
from assess.speedup.record import record_result


class _Boom:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def _repo(make_repo):
    r = make_repo()
    for i in range(3):
        r.commit(f"c{i}", {f"f{i}": "x\n"})
    return r


def _the_cache_file(r) -> Path:
    mining = mine_repository(r.path)
    return cache_mod.cache_path(mining.repo.common_dir, "HEAD")


def test_a_planted_pickle_never_runs(make_repo, tmp_path):
    r = _repo(make_repo)
    path = _the_cache_file(r)
    marker = tmp_path / "pwned"
    # the attacker writes a pickle under the cache's own name, and under the old pickle name too
    for target in (path, path.with_suffix(".pickle")):
        target.write_bytes(pickle.dumps(_Boom(str(marker))))
        os.chmod(target, 0o600)
    m = mine_repository(r.path)
    assert not marker.exists()
    assert m.stats.cache == "miss" and len(m.commits) == 3
    assert json.loads(path.read_bytes())["kind"] == "assess-history-cache"  # rewritten as data


def test_a_cache_with_wrong_types_or_lengths_is_rebuilt(make_repo):
    r = _repo(make_repo)
    path = _the_cache_file(r)
    doc = json.loads(path.read_bytes())
    doc["commits"]["added"][0] = "1e9"  # wrong type
    path.write_text(json.dumps(doc))
    assert mine_repository(r.path).stats.cache == "miss"
    doc = json.loads(path.read_bytes())
    doc["files"]["path"].append("extra")  # columns of different lengths
    path.write_text(json.dumps(doc))
    assert mine_repository(r.path).stats.cache == "miss"
    doc = json.loads(path.read_bytes())
    doc["commits"]["added"][0] = 10 ** 30  # beyond 64 bits
    path.write_text(json.dumps(doc))
    m = mine_repository(r.path)
    assert m.stats.cache == "miss" and int(m.commits["added"].max()) < 10 ** 6


def test_a_cache_someone_else_owns_or_others_can_write_is_not_trusted(make_repo):
    r = _repo(make_repo)
    path = _the_cache_file(r)
    assert mine_repository(r.path).stats.cache == "hit"
    os.chmod(path, 0o666)
    assert mine_repository(r.path).stats.cache == "miss"
    if os.getuid() == 0:  # only root can give a file away; the group/other check above runs everywhere
        os.chown(path, 65534, 65534)
        assert mine_repository(r.path).stats.cache == "miss"


def test_cache_symlinks_are_never_followed(make_repo, tmp_path):
    r = _repo(make_repo)
    path = _the_cache_file(r)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    path.unlink()
    path.symlink_to(victim)
    m = mine_repository(r.path)
    assert m.stats.cache == "miss"
    assert victim.read_text() == "precious\n"  # the write replaced the link, not the file behind it
    assert not path.is_symlink() and path.is_file()
    # a link to a device or a FIFO: no hang, no read, rebuilt
    for special in ("/dev/zero", "fifo"):
        path.unlink()
        if special == "fifo":
            os.mkfifo(path)
        else:
            path.symlink_to(special)
        assert mine_repository(r.path).stats.cache == "miss"


def test_cache_is_owner_only_whatever_the_umask(make_repo, tmp_path, monkeypatch):
    monkeypatch.setenv("ASSESS_CACHE_DIR", str(tmp_path / "fresh-cache"))
    r = _repo(make_repo)
    old = os.umask(0)
    try:
        path = _the_cache_file(r)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_an_unwritable_cache_folder_only_warns(make_repo, tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("ASSESS_CACHE_DIR", str(blocker / "cache"))
    r = _repo(make_repo)
    with pytest.warns(Warning, match="cannot be written"):
        m = mine_repository(r.path)
    assert len(m.commits) == 3
    res = CliRunner().invoke(main, ["repo", str(r.path), "-q"])
    assert res.exit_code == 0, res.output
    assert "assess: warning: the mining cache" in res.output


def test_study_record_backup_never_follows_a_planted_symlink(tmp_path):
    study = registered_study(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("do not overwrite\n")
    bak = study / "results.csv.bak"
    if bak.exists():
        bak.unlink()
    bak.symlink_to(victim)
    record_result(study, "T01", actual_minutes=30)
    assert victim.read_text() == "do not overwrite\n"
    assert not bak.is_symlink() and "task_id" in bak.read_text()
