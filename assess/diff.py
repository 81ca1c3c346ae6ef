"""`assess diff OLD.json NEW.json`: what moved between two results, and why — because the evidence
changed (other HEADs, window, signals, survey or study), because the rubric changed, because the
catalogue changed (attribution), or because assess itself changed. The stamps say which.

Reads any stamped output: repository evidence (`assess repo --json`), report.json, the ci JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assess import safejson
from assess.errors import InputError

MAX_BYTES = 200_000_000  # a report of many repositories stays far below this
SHARE_KEYS = ("ai_share_commits", "ai_share_lines", "ai_share_code_lines")


def read_result(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    data = safejson.read_file(p, max_bytes=MAX_BYTES, what="JSON file")
    if not isinstance(data, dict) or kind_of(data) is None:
        raise InputError(p, "not an assess result (repository evidence, report.json or ci JSON)",
                         hint="compare files written by `assess repo --json`, `assess report` or `assess ci --json`")
    return data


def kind_of(doc: dict[str, Any]) -> str | None:
    if doc.get("schema") == "assess-ci/1":
        return "ci"
    if "headline" in doc and "team_level" in doc:
        return "report"
    if "repository" in doc and "attribution" in doc:
        return "evidence"
    return None


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def view(doc: dict[str, Any]) -> dict[str, Any]:
    """The comparable parts of a result: placement, shares, gaps and the evidence's identity."""
    kind = kind_of(doc)
    if kind == "ci":
        level, shares = _d(doc.get("level")), _d(doc.get("change"))
        gaps: dict[str, Any] = {}
        signals: list[Any] = []
        inputs: dict[str, Any] = {"change": [shares.get("base"), shares.get("head")]}
    elif kind == "report":
        level, shares, gaps = _d(doc.get("team_level")), _d(doc.get("ai_share_window")), _d(doc.get("gaps"))
        signals = [_d(e.get("signals")).get("window") for e in doc.get("evidence") or [] if isinstance(e, dict)]
        inputs = {k: v for k, v in _d(doc.get("inputs")).items() if k in ("survey_respondents", "study")}
    else:
        level = _d(doc.get("level"))
        shares, gaps = _d(_d(doc.get("attribution")).get("window")), _d(level.get("gaps"))
        signals = [_d(doc.get("signals")).get("window")]
        inputs = {}
    overall = _d(level.get("overall"))
    return {
        "overall": {k: overall.get(k) for k in ("level", "range", "confidence", "placeable")} if overall else None,
        "dimensions": {name: {k: _d(d).get(k) for k in ("level", "range", "confidence")}
                       for name, d in _d(level.get("dimensions")).items()},
        "shares": {k: shares.get(k) for k in SHARE_KEYS if k in shares},
        "gaps": {"level": _d(gaps.get("level")).get("gap"), "ai_share_pp": _d(gaps.get("ai_share")).get("gap_pp"),
                 "speedup_pp": _d(gaps.get("speedup")).get("gap_pp")},
        "signals": signals,
        "inputs": inputs,
    }


def _lv(entry: dict[str, Any] | None) -> str:
    if not entry:
        return "none"
    if entry.get("placeable") is False:
        return "not placeable"
    rng = entry.get("range") or [None, None]
    text = f"Level {entry['level']}" if entry.get("level") is not None else f"Levels {rng[0]}-{rng[1]}"
    if entry.get("level") is not None and rng[0] != rng[1]:
        text += f" (range {rng[0]}-{rng[1]})"
    return text + f", confidence {entry.get('confidence')}"


def _pct(x: Any) -> str:
    return "n/a" if x is None else f"{100 * float(x):.1f}%"


def moved(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    if old["overall"] != new["overall"]:
        out.append({"what": "overall", "old": old["overall"], "new": new["overall"],
                    "text": f"overall: {_lv(old['overall'])} -> {_lv(new['overall'])}"})
    for name in sorted(set(old["dimensions"]) | set(new["dimensions"])):
        a, b = old["dimensions"].get(name), new["dimensions"].get(name)
        if a != b:
            out.append({"what": f"dimension.{name}", "old": a, "new": b, "text": f"{name}: {_lv(a)} -> {_lv(b)}"})
    for key in SHARE_KEYS:
        a, b = old["shares"].get(key), new["shares"].get(key)
        if a != b:
            out.append({"what": f"share.{key}", "old": a, "new": b,
                        "text": f"{key.replace('_', ' ')}: {_pct(a)} -> {_pct(b)}"})
    for key, a in old["gaps"].items():
        b = new["gaps"].get(key)
        if a != b:
            out.append({"what": f"gap.{key}", "old": a, "new": b, "text": f"{key.replace('_', ' ')} gap: {a} -> {b}"})
    return out


def _ident(stamp: dict[str, Any], name: str) -> dict[str, Any]:
    return _d(stamp.get(name))


def _measured(value: Any) -> Any:
    """A signal's value for the reader: a signal older evidence lacks (or left None) was not measured."""
    return "not measured" if value is None else value


def _signal_changes(old: list[Any], new: list[Any]) -> list[str]:
    if len(old) != len(new):
        return [f"{len(old)} -> {len(new)} repositories"]
    changes = []
    for a, b in zip(old, new):
        a, b = _d(a), _d(b)
        for key in sorted(set(a) | set(b)):
            if key != "refs" and not key.endswith("_refs") and a.get(key) != b.get(key):
                changes.append(f"{key} {_measured(a.get(key))} -> {_measured(b.get(key))}")
    return changes


def causes(old_doc: dict[str, Any], new_doc: dict[str, Any], old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """What differs between the two runs, from the stamps and the evidence itself."""
    so, sn = _d(old_doc.get("stamp")), _d(new_doc.get("stamp"))
    out: list[dict[str, Any]] = []
    if not so or not sn:
        which = " and ".join(n for n, s in (("OLD", so), ("NEW", sn)) if not s)
        out.append({"kind": "unstamped", "detail": f"{which} carries no stamp (written before stamps existed): "
                    "a change of rubric or catalogue cannot be told from a change of evidence"})
    for name in ("rubric", "catalogue", "questionnaire", "price_table"):
        a, b = _ident(so, name), _ident(sn, name)
        if so and sn and a.get("sha256") != b.get("sha256"):
            out.append({"kind": name, "detail": f"{name.replace('_', ' ')} {a.get('version') or '?'} "
                        f"({(a.get('sha256') or 'none')[:12]}) -> {b.get('version') or '?'} "
                        f"({(b.get('sha256') or 'none')[:12]})"})
    if so and sn and so.get("assess_version") != sn.get("assess_version"):
        out.append({"kind": "assess_version", "detail": f"assess {so.get('assess_version')} -> {sn.get('assess_version')}"})
    evidence = []
    ia, ib = _d(so.get("inputs")), _d(sn.get("inputs"))
    heads_a = [(r.get("name"), r.get("head")) for r in ia.get("repositories") or [] if isinstance(r, dict)]
    heads_b = [(r.get("name"), r.get("head")) for r in ib.get("repositories") or [] if isinstance(r, dict)]
    if heads_a != heads_b:
        evidence.append("repository heads " + ", ".join(f"{n}@{(h or '')[:10]}" for n, h in heads_a) + " -> "
                        + ", ".join(f"{n}@{(h or '')[:10]}" for n, h in heads_b))
    if ia.get("window") != ib.get("window"):
        evidence.append(f"window {_window(ia.get('window'))} -> {_window(ib.get('window'))}")
    if old["inputs"] != new["inputs"]:
        evidence.append(f"inputs {old['inputs']} -> {new['inputs']}")
    signal_changes = _signal_changes(old["signals"], new["signals"])
    if signal_changes:
        evidence.append("signals differ: " + "; ".join(signal_changes[:6])
                        + (f" and {len(signal_changes) - 6} more" if len(signal_changes) > 6 else ""))
    if evidence:
        out.append({"kind": "evidence", "detail": "; ".join(evidence)})
    return out


def _window(w: Any) -> str:
    w = _d(w)
    if not w:
        return "none"
    return f"{w.get('days')} days {str(w.get('start') or '')[:10]}..{str(w.get('end') or '')[:10]}"


def verdict(moves: list[dict[str, Any]], why: list[dict[str, Any]]) -> str:
    kinds = {c["kind"] for c in why}
    judged = kinds & {"rubric", "catalogue", "questionnaire", "price_table", "assess_version"}
    if not moves:
        return "Nothing moved." + (" (The inputs or data files differ, but no result changed.)" if kinds else "")
    if "unstamped" in kinds:
        return "Results moved; without both stamps the cause cannot be told."
    if "evidence" in kinds and not judged:
        return "Results moved because the evidence changed; the rubric and catalogue are the same."
    if judged and "evidence" not in kinds:
        names = ", ".join(sorted(k.replace("_", " ") for k in judged))
        return f"Results moved because the {names} changed; the evidence is the same."
    if judged:
        return ("Results moved; both the evidence and the " + ", ".join(sorted(k.replace('_', ' ') for k in judged))
                + " changed. Re-run the new evidence with the old rubric (--rubric) to separate them.")
    return "Results moved with the same stamp and the same evidence: a different build of assess?"


def diff_results(old_doc: dict[str, Any], new_doc: dict[str, Any]) -> dict[str, Any]:
    """The comparison as a JSON-able document."""
    old, new = view(old_doc), view(new_doc)
    moves = moved(old, new)
    why = causes(old_doc, new_doc, old, new)
    return {"schema": "assess-diff/1", "old": {"kind": kind_of(old_doc)}, "new": {"kind": kind_of(new_doc)},
            "moved": moves, "causes": why, "verdict": verdict(moves, why)}


def diff_text(result: dict[str, Any]) -> str:
    lines = [result["verdict"], ""]
    if result["moved"]:
        lines.append("What moved:")
        lines += [f"  {m['text']}" for m in result["moved"]]
        lines.append("")
    if result["causes"]:
        lines.append("What differs:")
        lines += [f"  {c['kind']}: {c['detail']}" for c in result["causes"]]
    else:
        lines.append("Same stamp and same evidence.")
    return "\n".join(lines).rstrip() + "\n"
