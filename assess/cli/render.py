"""Terminal rendering of results (rich tables). Presentation only."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape as esc  # user data (paths, names) is never rich markup
from rich.table import Table

from assess.terminal import clean_line, safe_console


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def print_repo_summary(ev: dict[str, Any], console: Console | None = None) -> None:
    console = console or safe_console()
    repo = ev["repository"]
    att = ev["attribution"]
    console.print(f"[bold]{esc(repo['name'])}[/bold]  {repo['head'][:12]}  {repo['commits']:,} commits "
                  f"({(repo['first'] or '')[:10]} to {(repo['last'] or '')[:10]})"
                  + ("  [yellow]shallow[/yellow]" if repo["shallow"] else ""))
    t = Table(title="Commits by class", show_edge=False)
    t.add_column("class")
    t.add_column("commits", justify="right")
    for k, v in att["by_class"].items():
        t.add_row(k, f"{v:,}")
    console.print(t)
    if att["agents"]:
        t = Table(title="Coding agents seen", show_edge=False)
        for col in ("agent", "commits", "first seen", "last seen", "how"):
            t.add_column(col, justify="right" if col == "commits" else "left")
        for a in att["agents"]:
            how = ", ".join(f"{k} {v}" for k, v in a["channels"].items())
            t.add_row(esc(a["name"]), f"{a['commits']:,}", (a["first_seen"] or "")[:10], (a["last_seen"] or "")[:10], how)
        console.print(t)
    else:
        console.print("No coding agent left a trace in this history.")
    w = att["window"]
    console.print(f"AI share, last {ev['window']['days']} days of activity ({(w['start'] or '')[:10]} to "
                  f"{(w['end'] or '')[:10]}): {_pct(w['ai_share_commits'])} of {w['commits']:,} commits, "
                  f"{_pct(w['ai_share_lines'])} of {w['lines']:,} changed lines (all files; the placement below "
                  "counts code only)")
    months = att["by_month"][-12:]
    if months:
        t = Table(title="AI share per month (last 12 months of history)", show_edge=False)
        for col in ("month", "commits", "AI commits", "AI share", "AI line share"):
            t.add_column(col, justify="right")
        for m in months:
            t.add_row(m["month"], f"{m['commits']:,}", f"{m['ai_commits']:,}", _pct(m["ai_share_commits"]),
                      _pct(m["ai_share_lines"]))
        console.print(t)
    arts = [a for a in ev["artefacts"] if a["kind"] not in ("tests",)]
    if arts:
        t = Table(title="Artefacts", show_edge=False)
        for col in ("path", "kind", "at HEAD", "first seen", "where"):
            t.add_column(col)
        for a in arts[:30]:
            t.add_row(esc(a["path"]), a["kind"], "yes" if a["present_at_head"] else "no", (a["first_seen"] or "")[:10],
                      a["location"])
        console.print(t)
    for c in ev["caveats"]:
        console.print(f"[yellow]caveat:[/yellow] {esc(c)}")


def _lvl(level: int | None, rng: list[int]) -> str:
    if level is None:
        return f"Level {rng[0]}" if rng[0] == rng[1] else f"Levels {rng[0]}-{rng[1]}"
    return f"Level {level}" + (f" (range {rng[0]}-{rng[1]})" if rng[0] != rng[1] else "")


def print_level(lv: dict[str, Any], console: Console | None = None) -> None:
    console = console or safe_console()
    o = lv["overall"]
    if not o["placeable"]:
        console.print(f"[bold]Placement:[/bold] not placeable. {esc(o['summary'])}")
        return
    console.print(f"[bold]Placement: {_lvl(o['level'], o['range'])}[/bold], confidence {o['confidence']}. {esc(o['summary'])}")
    t = Table(title="Dimensions", show_edge=False)
    for col in ("dimension", "level", "confidence", "source", "why"):
        t.add_column(col)
    for name, d in lv["dimensions"].items():
        t.add_row(name, _lvl(d["level"], d["range"]) if d["source"] != "none" else "not enough evidence",
                  d["confidence"] + (f" that it is at least {d['level']}; {d['level'] + 1}-{d['range'][1]} unseen"
                                     if d["level"] is not None and d["range"][1] > d["level"] else ""),
                  d["source"], esc(d["summary"]))
    console.print(t)
    for c in lv["contradictions"]:
        console.print(f"[yellow]contradiction:[/yellow] {esc(c['text'])}")
    if o["failed_gate"]:
        fg = o["failed_gate"]
        short = ", ".join(f"{f['dimension']} (at " + (f"Level {f['level']}" if f['level'] is not None else "not enough evidence")
                          + f", needs {f['required']})"
                          for f in fg.get("all_failing", []))
        console.print(f"Next level ({fg['level']}) is held back by: {esc(short)}")
        for i, step in enumerate(lv.get("next_steps", []), 1):
            console.print(f"  {i}. {esc(step)}")


def _med(m: dict[str, Any], unit: str = "") -> str:
    if m.get("median") is None:
        return "n/a"
    ci = m.get("ci95")
    core = f"{m['median']:.1f}{unit}"
    return core + (f" [{ci[0]:.1f}–{ci[1]:.1f}]" if ci else "") + f" n={m['n']}"


def _prop(p: dict[str, Any]) -> str:
    if not p.get("of"):
        return "n/a"
    ci = p.get("ci95")
    return f"{p['count']}/{p['of']} {_pct(p['share'])}" + (f" [{_pct(ci[0])}–{_pct(ci[1])}]" if ci else "")


def print_forge_summary(s: dict[str, Any], console: Console | None = None) -> None:
    console = console or safe_console()
    console.print(f"[bold]{esc(clean_line(str(s.get('forge') or '')))} {esc(clean_line(str(s.get('repository') or '')))}[/bold]  "
                  f"{s['pull_requests']:,} pull requests, {s['merged']:,} merged, reviews known on {s['reviews_known']:,}")
    console.print("by class: " + ", ".join(f"{k} {v}" for k, v in s["by_class"].items()))
    t = Table(title="AI vs non-AI pull requests (observational; 95% intervals)", show_edge=False)
    t.add_column("measure")
    t.add_column("AI (agent + assisted)", justify="right")
    t.add_column("non-AI (human)", justify="right")
    ai, non = s["comparison"]["ai"], s["comparison"]["non_ai"]
    rows = [("pull requests", str(ai["pull_requests"]), str(non["pull_requests"]))]
    for key, label in (("merged_without_human_review", "merged without human review"), ("self_merged", "self-merged"),
                       ("approved_without_comment", "approved with no comment"),
                       ("reverted_or_fixed_within_7_days", "reverted/fixed within 7 days")):
        rows.append((label, _prop(ai[key]), _prop(non[key])))
    for key, label, unit in (("hours_to_first_human_review", "hours to first human review", "h"),
                             ("hours_in_review", "hours open until merge", "h"), ("cycle_hours", "cycle time (first commit → merge)", "h"),
                             ("review_comments_per_100_lines", "review comments / 100 lines", ""),
                             ("size_lines", "size (changed lines)", "")):
        rows.append((label, _med(ai[key], unit), _med(non[key], unit)))
    for r in rows:
        t.add_row(*r)
    console.print(t)
    if s["review_bots"]:
        console.print("AI review bots (not counted as human review): "
                      + ", ".join(f"{esc(k)} {v}" for k, v in s["review_bots"].items()))
    console.print(f"[dim]{esc(s['note'])}[/dim]")
