"""Forge summary speed, against reading the same store as plain JSON lines in the same run.

    python benchmarks/forge_summary.py [--pulls 5000] [--repeat 3]

Generates a store of N synthetic pull requests (assess.forge.synthetic), then times
  floor    json.loads of every line of pulls.jsonl (what reading the store alone costs)
  summary  assess.forge.summary.summarise_store (validate, classify with the catalogue and git
           mining's attribution of the commits, measures, intervals, months)
and prints the ratio summary/floor (best of --repeat). Run by hand; figures go in the closing note.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from assess.forge.summary import summarise_store
from assess.forge.synthetic import generate, write_store


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pulls", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        store = write_store(Path(d) / "s", generate("checks-outcomes", n=args.pulls))
        lines = store / "pulls.jsonl"

        def floor() -> None:
            with open(lines, encoding="utf-8") as fh:
                for line in fh:
                    json.loads(line)

        f = best(floor, args.repeat)
        s = best(lambda: summarise_store(store), args.repeat)
        print(f"{args.pulls} pull requests: floor {f:.3f}s, summary {s:.3f}s, ratio {s / f:.1f}x "
              f"({1000 * s / args.pulls:.2f} ms per pull request)")


if __name__ == "__main__":
    main()
