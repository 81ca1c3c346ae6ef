"""Generate a large synthetic repository (default 100,000 commits) for the mining benchmark.

    python benchmarks/make_large_repo.py /tmp/large --commits 100000
"""

from __future__ import annotations

import argparse
import random

from assess.synthetic import SynthCommit, write_history

PEOPLE = [(f"Dev {i}", f"dev{i}@example.com") for i in range(40)]
TRAILERS = ["", "", "", "\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n", "\n\nCo-authored-by: Codex <noreply@openai.com>\n"]


def commits(n: int, seed: int = 0):
    rng = random.Random(seed)
    t = 1_500_000_000
    for i in range(n):
        t += rng.randint(60, 3000)
        files = {f"pkg{rng.randrange(50)}/mod{rng.randrange(400)}.py": f"v = {i}\n" * rng.randint(1, 30)
                 for _ in range(rng.randint(1, 3))}
        yield SynthCommit(rng.choice(PEOPLE), t, f"change {i}{rng.choice(TRAILERS)}\n", files)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("path")
    ap.add_argument("--commits", type=int, default=100_000)
    args = ap.parse_args()
    write_history(args.path, commits(args.commits), checkout=False)
    print(f"wrote {args.commits:,} commits to {args.path}")
