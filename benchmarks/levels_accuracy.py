"""Placement accuracy on the labelled corpus of public repositories (benchmarks/levels_corpus.csv).

Runs `assess repo PATH --json -` (this worktree's code, through PYTHONPATH) on every corpus repository
and compares the overall level with the label its authors' own public words support.

    python benchmarks/levels_accuracy.py /tmp/corpus            # clones named by the CSV's path column
    python benchmarks/levels_accuracy.py /tmp/corpus --out results.csv --only cursed,fastrender

Prints a confusion matrix (truth rows, placed columns, "np" = not placeable), the exact and
within-one rates (on the repositories whose level git can show, and on all), the share whose truth
lies inside the reported range, and the control check: no repository labelled within Levels 0-2
placed above 2. Targets (issue 11): exact >= 80% where git can show the level, truth in range on
all, no control above 2. Exit status 0 whatever the figures: this measures, it does not gate.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "levels_corpus.csv"
DEFAULT_WINDOW_DAYS = 90  # the CLI default, used when the corpus row names no period
TIMEOUT_SECONDS = 1800  # one repository; git/git (80k commits) takes minutes when uncached
LEVELS = range(6)


@dataclass
class Row:
    repo: str
    path: Path
    truth: int
    truth_lo: int
    truth_hi: int
    since: str
    until: str
    git_visible: bool


@dataclass
class Outcome:
    row: Row
    level: int | None  # None: not placeable or failed
    lo: int | None
    hi: int | None
    confidence: str
    dimensions: dict[str, tuple[int | None, list[int] | None]]
    error: str
    seconds: float

    @property
    def in_range(self) -> bool:
        return self.lo is not None and self.hi is not None and self.lo <= self.row.truth <= self.hi


def read_corpus(path: Path, clones: Path) -> list[Row]:
    rows = []
    with open(path, newline="", encoding="utf-8") as fh:
        for n, rec in enumerate(csv.DictReader(fh), start=2):
            try:
                truth = int(rec["label_level"])
                lo, _, hi = (rec.get("label_range") or f"{truth}-{truth}").partition("-")
                rows.append(Row(
                    repo=rec["repo"], path=clones / (rec.get("path") or rec["repo"].split("/")[-1]),
                    truth=truth, truth_lo=int(lo), truth_hi=int(hi or lo),
                    since=(rec.get("since") or "").strip(), until=(rec.get("until") or "").strip(),
                    git_visible=(rec.get("git_visible") or "").strip().lower().startswith("y")))
            except (KeyError, ValueError) as exc:
                sys.exit(f"{path}:{n}: bad corpus row ({exc})")
    return rows


def window_args(row: Row) -> list[str]:
    """A documented period becomes --since/--until with a window covering all of it."""
    args = []
    if row.since:
        args += ["--since", row.since]
    if row.until:
        args += ["--until", row.until]
    if row.since and row.until:
        days = (date.fromisoformat(row.until) - date.fromisoformat(row.since)).days + 1
        args += ["--window-days", str(max(1, min(days, 3650)))]
    return args


def run_one(row: Row) -> Outcome:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.setdefault("ASSESS_CACHE_DIR", "/tmp/assess-corpus-cache")
    cmd = [sys.executable, "-m", "assess", "repo", str(row.path), "--json", "-", "-q", *window_args(row)]
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        return Outcome(row, None, None, None, "", {}, "timeout", time.monotonic() - start)
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        err = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
        return Outcome(row, None, None, None, "", {}, err[:200], seconds)
    level = json.loads(proc.stdout)["level"]
    overall = level["overall"]
    dims = {name: (d.get("level"), d.get("range")) for name, d in (level.get("dimensions") or {}).items()}
    placeable = overall.get("placeable", True)
    lo, hi = (overall.get("range") or [None, None])[:2]
    return Outcome(row, overall.get("level") if placeable else None, lo, hi,
                   overall.get("confidence") or "", dims, "", seconds)


def rate(hits: int, total: int) -> str:
    return f"{hits}/{total} ({100 * hits / total:.0f}%)" if total else "n/a"


def report(outcomes: list[Outcome]) -> None:
    cols = [str(n) for n in LEVELS] + ["np"]
    print("\nConfusion matrix (rows: labelled level, columns: placed level; np = not placeable)")
    print("truth " + "".join(f"{c:>5}" for c in cols))
    for t in LEVELS:
        counts = {c: 0 for c in cols}
        for o in outcomes:
            if o.row.truth == t:
                counts["np" if o.level is None else str(o.level)] += 1
        print(f"{t:>5} " + "".join(f"{counts[c]:>5}" for c in cols))

    visible = [o for o in outcomes if o.row.git_visible]
    exact_v = sum(o.level == o.row.truth for o in visible)
    one_v = sum(o.level is not None and abs(o.level - o.row.truth) <= 1 for o in visible)
    exact_a = sum(o.level == o.row.truth for o in outcomes)
    one_a = sum(o.level is not None and abs(o.level - o.row.truth) <= 1 for o in outcomes)
    in_range = sum(o.in_range for o in outcomes)
    controls = [o for o in outcomes if o.row.truth_hi <= 2]
    over = [o for o in controls if o.level is not None and o.level > 2]
    print(f"\nexact, git can show the level : {rate(exact_v, len(visible))}   (target >= 80%)")
    print(f"within one, git can show      : {rate(one_v, len(visible))}")
    print(f"exact, all                    : {rate(exact_a, len(outcomes))}")
    print(f"within one, all               : {rate(one_a, len(outcomes))}")
    overlap = sum(o.lo is not None and o.lo <= o.row.truth_hi and o.row.truth_lo <= o.hi for o in outcomes)
    print(f"truth inside reported range   : {rate(in_range, len(outcomes))}   (target: all)")
    print(f"label range overlaps range    : {rate(overlap, len(outcomes))}")
    print(f"Level 0-2 controls above 2    : {len(over)} of {len(controls)}   (target: 0)"
          + ("  " + ", ".join(o.row.repo for o in over) if over else ""))


def write_results(outcomes: list[Outcome], path: Path) -> None:
    dims = sorted({d for o in outcomes for d in o.dimensions})
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["repo", "label_level", "label_range", "git_visible", "placed_level", "placed_range",
                     "confidence", "in_range", "exact", *[f"{d}_level" for d in dims], "seconds", "error"])
        for o in outcomes:
            rng = f"{o.lo}-{o.hi}" if o.lo is not None else ""
            w.writerow([o.row.repo, o.row.truth, f"{o.row.truth_lo}-{o.row.truth_hi}",
                        "y" if o.row.git_visible else "n", "" if o.level is None else o.level, rng,
                        o.confidence, o.in_range, o.level == o.row.truth,
                        *[_dim(o, d) for d in dims], f"{o.seconds:.1f}", o.error])
    tmp.replace(path)


def _dim(o: Outcome, name: str) -> str:
    level, rng = o.dimensions.get(name, (None, None))
    if level is None and not rng:
        return ""
    return f"{level} [{rng[0]}-{rng[1]}]" if rng else str(level)


def rescored(rows: list[Row], results: Path) -> list[Outcome]:
    """Outcomes read back from a results CSV, labelled with the corpus as it is now."""
    by_repo = {r.repo: r for r in rows}
    out = []
    with open(results, newline="", encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            row = by_repo.get(rec["repo"])
            if row is None:
                continue
            lo, _, hi = rec["placed_range"].partition("-")
            placed = rec["placed_level"]
            out.append(Outcome(row, int(placed) if placed else None, int(lo) if lo else None,
                               int(hi) if hi else None, rec["confidence"], {}, rec["error"], float(rec["seconds"])))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("clones", type=Path, help="folder holding the corpus clones (see the CSV's path column)")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--out", type=Path, default=None,
                    help="results CSV (default: levels_accuracy_results.csv; with --rescore, only when given)")
    ap.add_argument("--only", default="", help="comma-separated repo or path names to run")
    ap.add_argument("--rescore", type=Path, default=None, metavar="RESULTS.csv",
                    help="score a results CSV from an earlier run against the corpus labels (no re-mining)")
    args = ap.parse_args()

    rows = read_corpus(args.corpus, args.clones)
    if args.rescore:
        outcomes = rescored(rows, args.rescore)
        report(outcomes)
        if args.out:  # the earlier results relabelled with the corpus as it is now
            write_results(outcomes, args.out or Path("levels_accuracy_results.csv"))
        return
    if args.only:
        wanted = set(args.only.split(","))
        rows = [r for r in rows if r.repo in wanted or r.path.name in wanted]
    missing = [r for r in rows if not r.path.exists()]
    for r in missing:
        print(f"skipped {r.repo}: no clone at {r.path}", file=sys.stderr)
    outcomes = []
    print(f"{'repo':34} {'label':>7} {'placed':>7} {'range':>7} {'conf':>7} {'in':>3} {'s':>6}")
    for row in (r for r in rows if r.path.exists()):
        o = run_one(row)
        outcomes.append(o)
        placed = "np" if o.level is None else str(o.level)
        rng = f"{o.lo}-{o.hi}" if o.lo is not None else "-"
        print(f"{row.repo:34} {row.truth:>7} {placed:>7} {rng:>7} {o.confidence:>7} "
              f"{'y' if o.in_range else 'n':>3} {o.seconds:6.1f} {o.error}", flush=True)
    if outcomes:
        report(outcomes)
        write_results(outcomes, args.out or Path("levels_accuracy_results.csv"))
        print(f"\nper-repository results: {args.out}")


if __name__ == "__main__":
    main()
