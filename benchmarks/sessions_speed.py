"""Speed and peak memory of `assess sessions summary` on generated Claude Code JSONL, against
baselines measured in the same run: a bare line reader (read + orjson.loads, the floor for any Python
reader) and, when asked, ccusage (`--ccusage`, runs `npx ccusage@<version>`, which downloads it from
the npm registry once). Token totals are compared with ccusage's.

    python benchmarks/sessions_speed.py                 # 1 GB (default)
    python benchmarks/sessions_speed.py --mb 200 --ccusage

Peak memory is the maximum resident set size of each child process (GNU time, else psutil polling).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CCUSAGE = "ccusage@18.0.11"  # the last TypeScript release; the 20.x npm package needs a native binary


def _measure(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """(seconds, peak RSS in bytes, stdout) of one child process."""
    full_env = {**os.environ, **(env or {})}
    gnu_time = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        wrapped = [gnu_time, "-f", "%M", "-o", tf.name, *cmd] if gnu_time else cmd
        t0 = time.perf_counter()
        proc = subprocess.run(wrapped, env=full_env, capture_output=True, text=True)
        seconds = time.perf_counter() - t0
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
        peak = int(tf.read().strip().splitlines()[-1]) * 1024 if gnu_time else 0
    return seconds, peak, proc.stdout


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*.jsonl"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=1024, help="MB of JSONL to generate (default 1024 = 1 GB)")
    ap.add_argument("--dir", type=Path, default=None, help="where to write the logs (default: a temp folder)")
    ap.add_argument("--keep", action="store_true", help="keep the generated logs")
    ap.add_argument("--ccusage", action="store_true", help=f"also run npx {CCUSAGE} (network on first use)")
    ap.add_argument("--json", type=Path, default=None, help="write the figures as JSON")
    args = ap.parse_args()

    from assess.sessions.synthetic import write_claude_volume

    folder = args.dir or Path(tempfile.mkdtemp(prefix="assess-sessions-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        sessions = write_claude_volume(folder, args.mb)
        size = _size(folder)
        mb = size / 1024 / 1024
        print(f"generated {mb:,.0f} MB in {sessions} sessions ({time.perf_counter() - t0:.0f} s) at {folder}")
        env = {"PYTHONPATH": str(ROOT)}
        floor_code = ("import orjson,sys,pathlib\n"
                      "n=0\n"
                      "for p in pathlib.Path(sys.argv[1]).rglob('*.jsonl'):\n"
                      "    with open(p,'rb',buffering=1<<20) as fh:\n"
                      "        for line in fh:\n"
                      "            orjson.loads(line); n+=1\n"
                      "print(n)\n")
        s_floor, m_floor, out = _measure([sys.executable, "-c", floor_code, str(folder)])
        print(f"baseline read+parse : {mb / s_floor:7.1f} MB/s  peak {m_floor / 2**20:6.0f} MB  ({out.strip()} lines)")
        out_json = folder / "summary.json"
        s_ours, m_ours, _ = _measure([sys.executable, "-m", "assess", "sessions", "summary", str(folder),
                                      "--json", str(out_json)], env)
        ours = json.loads(out_json.read_text())
        print(f"assess sessions     : {mb / s_ours:7.1f} MB/s  peak {m_ours / 2**20:6.0f} MB  "
              f"({s_ours / s_floor:.2f}x the baseline's time)")
        result = {"megabytes": round(mb, 1), "sessions": sessions,
                  "baseline": {"seconds": round(s_floor, 2), "mb_per_s": round(mb / s_floor, 1), "peak_mb": round(m_floor / 2**20)},
                  "assess": {"seconds": round(s_ours, 2), "mb_per_s": round(mb / s_ours, 1), "peak_mb": round(m_ours / 2**20),
                             "tokens": ours["totals"]["tokens"], "cost_usd": ours["totals"]["cost_usd"],
                             "price_table": ours["price_table"]}}
        if args.ccusage:
            npx = shutil.which("npx")
            if not npx:
                print("ccusage: npx not found; skipped")
            else:
                s_cc, m_cc, out = _measure([npx, "-y", CCUSAGE, "daily", "--json", "--offline", "--mode", "calculate"],
                                           {"CLAUDE_CONFIG_DIR": str(folder)})
                cc = json.loads(out)["totals"]
                cc_tokens = {"input": cc["inputTokens"], "output": cc["outputTokens"],
                             "cache_read": cc["cacheReadTokens"], "cache_write": cc["cacheCreationTokens"]}
                print(f"ccusage             : {mb / s_cc:7.1f} MB/s  peak {m_cc / 2**20:6.0f} MB  "
                      f"(assess is {s_cc / s_ours:.2f}x as fast)")
                diffs = {k: (ours["totals"]["tokens"][k] - v) / v if v else 0.0 for k, v in cc_tokens.items()}
                cost_diff = (ours["totals"]["cost_usd"] - cc["totalCost"]) / cc["totalCost"] if cc["totalCost"] else 0.0
                print("token totals, assess vs ccusage: " + ", ".join(
                    f"{k} {ours['totals']['tokens'][k]:,} vs {v:,} ({diffs[k]:+.3%})" for k, v in cc_tokens.items()))
                print(f"cost: ${ours['totals']['cost_usd']:,.2f} vs ${cc['totalCost']:,.2f} ({cost_diff:+.3%})")
                result["ccusage"] = {"version": CCUSAGE, "seconds": round(s_cc, 2), "mb_per_s": round(mb / s_cc, 1),
                                     "peak_mb": round(m_cc / 2**20), "tokens": cc_tokens, "cost_usd": cc["totalCost"],
                                     "token_differences": diffs, "cost_difference": cost_diff,
                                     "speed_ratio": round(s_cc / s_ours, 2)}
        if args.json:
            args.json.write_text(json.dumps(result, indent=2) + "\n")
    finally:
        if not args.keep and args.dir is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
