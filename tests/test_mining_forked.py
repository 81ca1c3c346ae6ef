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
