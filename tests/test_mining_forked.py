"""Parsing side by side in forked processes: results in order, progress summed, errors re-raised."""

from __future__ import annotations

import os

import pytest

from assess.errors import AssessError
from assess.mining import forked


def _part(k: int):
    def fn(progress):
        progress(k)
        return [(k, "x" * k, (("t", "v"),))], os.getpid()

    return fn


def test_results_come_back_in_order_from_other_processes():
    seen = []
    results = forked.run_side_by_side([_part(1), _part(2), _part(3)], seen.append)
    assert [r[0] for r in results] == [[(1, "x", (("t", "v"),))], [(2, "xx", (("t", "v"),))],
                                       [(3, "xxx", (("t", "v"),))]]
    if forked.can_fork():
        assert len({r[1] for r in results} | {os.getpid()}) == 4  # each ran in its own process
    assert seen and seen[-1] == 6


def test_an_error_in_a_child_is_raised_here():
    def bad(progress):
        raise AssessError("git log failed: boom")

    with pytest.raises(AssessError, match="boom"):
        forked.run_side_by_side([_part(1), bad])


@pytest.mark.skipif(not forked.can_fork(), reason="needs fork")
def test_a_child_that_dies_is_an_error():
    def dies(progress):
        os._exit(3)

    with pytest.raises(RuntimeError, match="died"):
        forked.run_side_by_side([_part(1), dies])


def test_started_children_work_while_this_process_does():
    """The artefact search runs in another process while mining attributes the commits here."""
    here = []
    with forked.started([_part(2)]) as results:
        here.append(sum(range(1000)))  # this process keeps working before it asks
        (rows, pid), = results()
    assert rows == [(2, "xx", (("t", "v"),))] and here == [499500]
    if forked.can_fork():
        assert pid != os.getpid()


@pytest.mark.skipif(not forked.can_fork(), reason="needs fork")
def test_leaving_early_stops_the_started_children():
    import time

    def slow(progress):
        time.sleep(30)
        return os.getpid()

    t = time.monotonic()
    with pytest.raises(RuntimeError, match="attribution failed"):
        with forked.started([slow]):
            raise RuntimeError("attribution failed")
    assert time.monotonic() - t < 10  # killed and reaped, not waited for


def test_mining_a_long_history_finds_the_same_artefacts_with_or_without_a_second_process(tmp_path, monkeypatch):
    from assess.mining import history, miner
    from assess.synthetic import SynthCommit, write_history

    def commits():
        t = 1_700_000_000
        for i in range(60):
            t += 3600
            files = {f"src/m{i % 7}.py": f"v = {i}\n"}
            if i == 5:
                files["CLAUDE.md"] = "# instructions\n"
            if i == 9:
                files[".cursor/rules/a.mdc"] = "rule\n"
            yield SynthCommit(("Dev", "dev@example.com"), t, f"change {i}\n", files)

    repo = tmp_path / "r"
    write_history(repo, commits(), checkout=False)
    monkeypatch.setattr(miner, "PARALLEL_MIN_COMMITS", 10)  # the side process from 10 commits on
    monkeypatch.setattr(history, "PARALLEL_MIN_COMMITS", 10)
    side = miner.mine_repository(repo, use_cache=False, jobs=2)
    inline = miner.mine_repository(repo, use_cache=False, jobs=1)
    assert side.artefacts == inline.artefacts
    assert {a["path"] for a in side.artefacts} >= {"CLAUDE.md"}
    assert side.commits.equals(inline.commits)
