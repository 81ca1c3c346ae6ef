"""The short Markdown summary of a CI run (job summary, pull-request comment). Formats the CI
document only: every number comes from it. User data (agent names, labels) is Markdown-escaped."""

from __future__ import annotations

from typing import Any

from assess.report.escape import md_text
from assess.stamp import stamp_line

MARKER = "<!-- assess-ci -->"  # hidden marker: a PR comment carrying it is updated, not duplicated
ICONS = {"pass": "✅ pass", "exempt": "☑️ exempt", "inconclusive": "➖ inconclusive", "fail": "❌ fail"}


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.1f}%"


def _level(overall: dict[str, Any]) -> str:
    if not overall.get("placeable"):
        return "not placeable"
    lo, hi = overall["range"]
    if overall.get("level") is None:
        return f"Levels {lo}–{hi}"
    return f"Level {overall['level']}" + (f" (range {lo}–{hi})" if lo != hi else "")


def _trend(trend: dict[str, Any]) -> str:
    months = [m for m in trend.get("months", []) if m.get("level") is not None]
    path = " → ".join(f"{m['month']} L{m['level']}" for m in months[-4:])
    return trend["direction"] + (f" ({path})" if path else "")


def render_summary(doc: dict[str, Any]) -> str:
    ch = doc["change"]
    lines = [MARKER, "### assess · AI in this change", ""]
    work = ch["commits"]
    head = f"`{ch['base'][:7]}..{ch['head'][:7]}` · {ch['commits_in_range']} commit(s)"
    if not ch["commits_in_range"]:
        lines.append(f"**Change** {head}: nothing to assess (head is already in base).")
    else:
        agents = ", ".join(f"{md_text(a['name'])} {a['commits']}" for a in ch["agents"]) or "none"
        lines.append(f"**Change** {head}, {work} by people or agents; agent commits: {ch['ai_commits']} ({agents})")
        lines.append("")
        lines.append(f"**AI share of the change** {_pct(ch['ai_share_code_lines'])} of changed code lines "
                     f"({ch['ai_code_lines']:,} of {ch['code_lines']:,}) · {_pct(ch['ai_share_lines'])} of all "
                     f"changed lines · {_pct(ch['ai_share_commits'])} of commits. A lower bound: agents can work "
                     "without leaving a trace.")
    lv = doc["level"]
    lines += ["", f"**Repository** {_level(lv['overall'])}, confidence {lv['overall']['confidence']} · "
                  f"trend: {_trend(lv['trend'])}"]
    gate = lv.get("next_gate")
    if gate:
        held = ", ".join(f"{md_text(f['dimension'])} (at {f['level'] if f['level'] is not None else '?'}, "
                         f"needs {f['required']})" for f in gate["all_failing"])
        lines.append("")
        lines.append(f"**Next gate** Level {gate['level']} is held back by {held}." +
                     (f" First step: {md_text(gate['step'])}" if gate.get("step") else ""))
    pol = doc["policy"]
    lines.append("")
    if pol is None:
        lines.append("**Policy** none (add `.assess/policy.yaml` to gate changes).")
    else:
        counts = {s: sum(1 for r in pol["results"] if r["status"] == s) for s in ICONS}
        said = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no rules"
        lines += [f"**Policy** ({md_text(pol['file'])}, version {pol['version']}): {said}", "",
                  "| rule | result | details |", "|---|---|---|"]
        for r in pol["results"]:
            commits = ", ".join(f"`{s}`" for s in r["commits"]) + (f" and {r['more_commits']} more"
                                                                   if r["more_commits"] else "")
            detail = md_text(r["message"]) + (f" — commits {commits}" if commits else "")
            if r.get("reason") and r["status"] in ("fail", "inconclusive"):
                detail += f" (why this rule: {md_text(r['reason'])})"
            lines.append(f"| {md_text(r['id'])} | {ICONS[r['status']]} | {detail} |")
    src = doc["sources"]
    lines += ["", "**Other evidence** " + " · ".join(f"{name}: {md_text(s['summary'])}" for name, s in src.items())]
    if doc.get("labels"):
        lines.append("")
        lines.append("Labels: " + ", ".join(md_text(x) for x in doc["labels"]))
    lines += ["", f"<sub>{md_text(stamp_line(doc['stamp']))}</sub>", ""]
    return "\n".join(lines)
