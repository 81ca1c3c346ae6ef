"""Judgement: evidence from any source becomes a Level 0-5 placement per dimension and overall.

Reads only evidence documents (repository signals, survey summary, study result), never git.
Git gives a lower bound on delegation (a trace proves at least that much) and, where people still
write or review code, an upper bound on autonomy; the survey fills in what git cannot see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assess.findings import DIMENSIONS
from assess.resources import package_file
from assess.yamlfile import load_yaml

GIT_BLIND_RANGE = (0, 2)  # no traces: git cannot tell Level 0 from 1 or 2
CONF_ORDER = ["none", "low", "medium", "high"]
DEFAULTED_SECTIONS = ("collection", "history", "unseen", "forge")  # newer than many user rubrics: bundled values apply
# thresholds added after rubric 1.0: a user rubric without them gets the bundled value
DEFAULTED_KEYS = {("minimum_evidence", "events_medium"), ("minimum_evidence", "events_high"),
                  ("authorship", "level2_multi_file_min_ai_commits"), ("review", "level4_min_merges"),
                  ("autonomy", "level3_min_delegated_commits"), ("authorship", "weak_evidence_max_level"),
                  ("review", "level4_min_merge_commits"), ("review", "level4_unattended_direct_share"),
                  ("review", "level4_min_unattended_commits"), ("validation", "min_agent_code_commits"),
                  ("validation", "level3_agent_test_commit_share"), ("validation", "level4_agent_test_commit_share")}


@dataclass
class Dim:
    name: str
    level: int | None
    lo: int
    hi: int
    confidence: str
    source: str
    summary: str
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"level": self.level, "range": [self.lo, self.hi], "confidence": self.confidence,
                "source": self.source, "summary": self.summary, "evidence": self.evidence}


def load_rubric(path: str | Path | None = None) -> dict[str, Any]:
    p = Path(path) if path else package_file("levels", "rubric.yaml")
    doc = load_yaml(p)
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error("expected a mapping")
    bundled = load_yaml(package_file("levels", "rubric.yaml")).data if path else data
    for section in DEFAULTED_SECTIONS:  # sections newer than many user rubrics: the bundled values apply
        if section not in data:
            data[section] = dict(bundled[section])
    for section in ("minimum_evidence", "authorship", "review", "specification", "validation", "autonomy", "collection",
                    "gates"):
        if not isinstance(data.get(section), dict):
            raise doc.error(f"missing section '{section}'", section, hint="start from the bundled rubric.yaml")
    for lvl, gate in data["gates"].items():
        if not isinstance(lvl, int) or not 1 <= lvl <= 5 or not isinstance(gate, dict):
            raise doc.error("gates are keyed 1..5, each a mapping of dimension: minimum level", "gates", lvl)
        for dim, req in gate.items():
            if dim not in DIMENSIONS or not isinstance(req, int):
                raise doc.error(f"unknown dimension '{dim}' or non-integer level", "gates", lvl, dim)

    for section, key in DEFAULTED_KEYS:
        if isinstance(data.get(section), dict) and key not in data[section]:
            data[section][key] = bundled[section][key]
    history = data["history"].get("agents_available_from") if isinstance(data["history"], dict) else None
    if not isinstance(history, str) or not re.fullmatch(r"\d{4}-\d{2}", history):
        raise doc.error("must be a month, YYYY-MM", "history", "agents_available_from")
    unseen = data["unseen"] if isinstance(data["unseen"], dict) else {}
    if not isinstance(unseen.get("dimensions"), list) or any(d not in DIMENSIONS for d in unseen["dimensions"]):
        raise doc.error(f"must list dimensions ({', '.join(DIMENSIONS)})", "unseen", "dimensions")
    unseen.setdefault("open_with_agent_code", list(bundled["unseen"]["open_with_agent_code"]))
    if not isinstance(unseen["open_with_agent_code"], list) or any(d not in DIMENSIONS
                                                                   for d in unseen["open_with_agent_code"]):
        raise doc.error(f"must list dimensions ({', '.join(DIMENSIONS)})", "unseen", "open_with_agent_code")
    for key in ("strong_authorship", "strong_operation"):
        if not isinstance(unseen.get(key), int) or not 0 <= unseen[key] <= 5:
            raise doc.error("must be a level 0-5", "unseen", key)
    if not isinstance(data.get("forge"), dict):
        raise doc.error("section 'forge' must be a mapping", "forge")
    for section in ("minimum_evidence", "authorship", "review", "specification", "validation", "autonomy", "collection",
                    "forge"):
        for key, value in data[section].items():
            if key not in bundled[section]:
                known = ", ".join(sorted(bundled[section]))
                raise doc.error(f"unknown threshold '{key}'", section, key, hint=f"known: {known}")
            if isinstance(value, bool) and isinstance(bundled[section][key], bool):
                continue
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise doc.error("must be a non-negative number", section, key)
            if (key.endswith("_share") or key.endswith("_share_min")) and value > 1:
                raise doc.error("a share must be between 0 and 1", section, key)
        for key in bundled[section]:
            if key not in data[section]:
                raise doc.error(f"missing threshold '{key}'", section, hint="copy it from the bundled rubric.yaml")
    # optional sections of other sources: checked against the bundled keys when present
    for section in ("sessions",):
        if section not in data:
            data[section] = dict(bundled.get(section, {}))
            continue
        if not isinstance(data[section], dict):
            raise doc.error("must be a mapping", section)
        for key, value in data[section].items():
            if key not in bundled.get(section, {}):
                raise doc.error(f"unknown threshold '{key}'", section, key,
                                hint=f"known: {', '.join(sorted(bundled.get(section, {})))}")
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise doc.error("must be a non-negative number", section, key)
            if key.endswith("_share") and value > 1:
                raise doc.error("a share must be between 0 and 1", section, key)
        data[section] = {**bundled.get(section, {}), **data[section]}
    shares = [data["authorship"][f"level{n}_share"] for n in (2, 3, 4, 5)]
    if shares != sorted(shares):
        raise doc.error("level2_share <= level3_share <= level4_share <= level5_share must hold", "authorship")
    data["_file"] = str(p)
    return data


def _span(lo: int, hi: int) -> str:
    return f"Level {lo}" if lo == hi else f"Levels {lo}-{hi}"


def _share(num: float, den: float) -> float | None:
    return None if not den else num / den


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.0f}%"


def _ev(signal: str, value: Any, text: str, supports: str, *, level: int | None = None, source: str = "git",
        commits: list[str] | None = None, paths: list[str] | None = None, items: list[str] | None = None,
        inferred: bool = False, repos: list[str] | None = None) -> dict[str, Any]:
    refs: dict[str, list[str]] = {}
    if commits:
        refs["commits"] = list(commits)
    if paths:
        refs["paths"] = list(paths)
    if items:
        refs["survey_items"] = list(items)
    if repos:
        refs["repositories"] = list(repos)
    out = {"signal": signal, "value": value, "text": text, "supports": supports, "level": level, "source": source,
           "refs": refs}
    if inferred:
        out["inferred"] = True
    return out


def _git_confidence(s: dict[str, Any], r: dict[str, Any], events: int | None = None) -> str:
    """Confidence from the code commits in the window and, when given, the events the figure rests
    on (agent commits, merges, people's commits): thin evidence is never medium or high."""
    n = s["code_commits"]
    m = r["minimum_evidence"]
    conf = "high" if n >= m["confident_code_commits"] else "medium" if n >= m["code_commits"] else "low"
    if events is not None:
        by_events = "high" if events >= m["events_high"] else "medium" if events >= m["events_medium"] else "low"
        conf = min(conf, by_events, key=CONF_ORDER.index)
    return conf


# ---------------------------------------------------------------- dimensions from git signals

def authorship(s: dict[str, Any], a: dict[str, Any], r: dict[str, Any], line_records: bool) -> Dim:
    t = r["authorship"]
    n, ai = s["code_commits"], s["ai_code_commits"]
    refs = s.get("refs", {})
    share_c = _share(ai, n)
    share_l = _share(s["ai_code_lines"], s["code_lines"])
    ev = [_ev("authorship.ai_share_code_commits", share_c,
              f"{ai} of {n} code-changing commits ({_pct(share_c)}) are AI-attributed"
              + (f"; {_pct(share_l)} of changed code lines" if share_l is not None else ""), "for",
              commits=refs.get("ai_code_commits"))]
    if s["ai_code_commits_low"]:
        ev.append(_ev("authorship.assisted_low_confidence", s["ai_code_commits_low"],
                      f"{s['ai_code_commits_low']} more code commit(s) carry only a tool's automatic 'assisted' marker "
                      "(not counted)", "context"))
    if n == 0:
        return Dim("authorship", None, 0, 5, "none", "none", "No code-changing commits in the window.", ev)
    conf = _git_confidence(s, r)
    weak_hi = _weak_evidence_ceiling(s, t)
    if ai == 0:
        ev[0]["supports"] = "context"
        if weak_hi > GIT_BLIND_RANGE[1]:
            return Dim("authorship", None, GIT_BLIND_RANGE[0], weak_hi, "low", "git",
                       f"No agent left a strong trace on code, but {s['ai_code_commits_low']} code commits carry "
                       "low-confidence AI evidence (prompts written into messages, editor markers): the range stays "
                       f"open to Level {weak_hi}.", ev)
        return Dim("authorship", None, *GIT_BLIND_RANGE, "low", "git",
                   "No agent left a trace on code in the assessment window: git cannot tell Level 0 (autocomplete, "
                   "chat) from 1 or 2.", ev)
    share = max(share_c or 0, share_l or 0)
    human_share = _share(s["human_code_commits"], n) or 0
    if ai < t.get("level1_min_ai_commits", 1):
        return Dim("authorship", None, *GIT_BLIND_RANGE, "low", "git",
                   f"Only {ai} traced agent commit(s) on code: fewer than the rubric's minimum for Level 1.", ev)
    level = 1
    multi = _share(s["ai_multi_file_commits"], ai) or 0
    if share >= t["level2_share"] or (ai >= t["level2_multi_file_min_ai_commits"] and multi >= t["level2_multi_file_share"]
                                       and share >= t.get("level2_multi_file_min_share", 0.05)):
        level = 2
        if share < t["level2_share"]:
            ev.append(_ev("authorship.multi_file_ai_commits", multi, f"{_pct(multi)} of agent commits change 3 or "
                          "more files: pairing on multi-file changes", "for"))
    if share >= t["level3_share"]:
        level = 3
    if (share_c or 0) >= t["level4_share"] and human_share <= t["level4_human_code_share"]:
        level = 4
    if (share_c or 0) >= t["level5_share"] and s["human_code_commits"] == 0:
        level = 5  # any code commit by a person rules out the dark factory
    if s["human_code_commits"]:
        ev.append(_ev("authorship.human_code_commits", s["human_code_commits"],
                      f"{s['human_code_commits']} code commits ({_pct(human_share)}) written by people",
                      "against" if level < 5 else "context", commits=refs.get("human_code_commits")))
    headroom = 0 if line_records else int(t.get("untraced_headroom", 1))
    hi = min(5, level + headroom)
    if s["human_code_commits"] and hi == 5 and level < 5 and (share_c or 0) < t["level5_share"]:
        hi = 4  # people still commit a real share of code: rules out the dark factory
    if (share_c or 0) >= t["level5_share"]:
        hi = 5  # (nearly) every code commit from an agent: a stray human fix keeps the point at 4, not the range
    hi = max(hi, weak_hi)
    summary = f"{_pct(share_c)} of code commits" + (f" and {_pct(share_l)} of code lines" if share_l is not None else "") \
        + " are AI-attributed (written or co-written by agents)."
    return Dim("authorship", level, level, hi, conf, "git", summary, ev)


def _weak_evidence_ceiling(s: dict[str, Any], t: dict[str, Any]) -> int:
    """How far low-confidence AI evidence (prompts in messages, editor markers) opens authorship
    upward: the level its share would reach, never past ``weak_evidence_max_level``. It widens only."""
    n, weak = s["code_commits"], s["ai_code_commits"] + s.get("ai_code_commits_low", 0)
    if not n or not s.get("ai_code_commits_low"):
        return 0
    share = weak / n
    level = 3 if share >= t["level3_share"] else 2 if share >= t["level2_share"] else 1
    return min(max(level, GIT_BLIND_RANGE[1]), int(t["weak_evidence_max_level"]))


def review(s: dict[str, Any], a: dict[str, Any], r: dict[str, Any]) -> Dim:
    t = r["review"]
    refs = s.get("refs", {})
    ai = s["ai_commits"]
    if ai == 0:
        return Dim("review", None, *GIT_BLIND_RANGE, "low", "git",
                   "No traced agent work, so git shows nothing about how it is reviewed.", [])
    ev: list[dict[str, Any]] = []
    merges, by_h, by_m = s["ai_merges"], s["ai_merges_by_human"], s["ai_merges_by_machine"]
    machine_share = _share(by_m, merges)
    if merges:
        ev.append(_ev("review.ai_merges_by_human", by_h, f"{by_h} of {merges} merges that brought in agent work "
                      "were made by people", "for", commits=refs.get("ai_merges_by_human")))
        if by_m:
            ev.append(_ev("review.ai_merges_by_machine", by_m, f"{by_m} merges of agent work made by automation or "
                          "agents", "for", commits=refs.get("ai_merges_by_machine")))
    if s["ai_session_commits"]:
        ev.append(_ev("review.ai_in_human_sessions", s["ai_session_commits"],
                      f"{s['ai_session_commits']} agent commits were committed by a person in the session "
                      "(co-author trailers): a person was present for each change", "context"))
    if s["ai_on_main_via_web"]:
        ev.append(_ev("review.ai_via_pull_request", s["ai_on_main_via_web"],
                      f"{s['ai_on_main_via_web']} agent commits landed through the forge's merge button (a pull request)",
                      "context"))
    delay, lines = s["ai_merge_delay_hours_median"], s["ai_merge_lines_median"]
    per_merge = s.get("ai_merge_commits_median")
    # commits made by agents on their own that landed straight on the main line, with no merge or
    # pull request: a lower bound (both shares are of all agent commits, so their overlap is at least this)
    direct_share = _share(s["ai_on_main_direct"], ai) or 0
    unattended_direct = max(0.0, (_share(s["ai_cloud_commits"], ai) or 0) + direct_share - 1)
    # one commit by a person that touches a busy file "follows up" every agent commit on it in the
    # window; as evidence that agent changes are read and fixed one by one, each of people's code
    # commits accounts for at most one agent change
    fixes = min(s["ai_followup_fixes"], s.get("human_code_commits", s["ai_followup_fixes"]))
    followup_share = _share(fixes, s["ai_code_commits"]) or 0
    trailer_share = _share(s["ai_review_trailers"], ai) or 0
    if merges >= t.get("level5_min_merges", 3) and machine_share is not None \
            and machine_share >= t["level5_machine_merge_share"]:
        level = 5
    elif s["ai_cloud_commits"] == 0:
        level = 2
    else:
        level = 3
        bulk = (lines is not None and lines >= t["level4_min_merge_lines"]) \
            or (per_merge is not None and per_merge >= t["level4_min_merge_commits"])
        if by_h and merges >= t["level4_min_merges"] and delay is not None and bulk \
                and delay <= t["level4_max_delay_hours"] and followup_share <= t["level4_max_followup_share"]:
            level = 4
            size = f"{lines:.0f} lines" if lines is not None else "? lines"
            if per_merge is not None:
                size += f", {per_merge:g} agent commits"
            ev.append(_ev("review.bulk_fast_merges", delay, f"agent branches merged a median {delay:.1f} h after "
                          f"their last commit, {size} at a time: outcomes checked, not diffs", "for"))
        elif unattended_direct >= t["level4_unattended_direct_share"] \
                and ai >= t["level4_min_unattended_commits"] and followup_share <= t["line_review_followup_share"]:
            level = 4
            ev.append(_ev("review.unattended_direct", round(unattended_direct, 4),
                          f"at least {_pct(unattended_direct)} of agent commits were made by agents on their own and "
                          "landed straight on the main line, with no merge or pull request: nobody could read those "
                          "diffs before they landed", "for", commits=refs.get("ai_cloud_commits")))
        elif delay is not None:
            size = f", {lines:.0f} lines at a time" if lines and s.get("code_lines") else ""
            ev.append(_ev("review.merge_delay_hours", delay, f"agent branches merged a median {delay:.1f} h after "
                          f"their last commit{size}", "context"))
    caps = []
    if trailer_share >= t["line_review_trailer_share"]:
        caps.append(_ev("review.review_trailers", s["ai_review_trailers"], f"{_pct(trailer_share)} of agent commits carry "
                        "Reviewed-by/Approved-by trailers: line-by-line review", "against", level=3,
                        commits=refs.get("ai_review_trailers")))
    if followup_share >= t["line_review_followup_share"]:
        caps.append(_ev("review.followup_fixes", s["ai_followup_fixes"], f"people changed the files of "
                        f"{s['ai_followup_fixes']} agent code commits within 48 h with {s['human_code_commits']} code "
                        f"commits of their own ({_pct(followup_share)} of agent code commits fixed one by one at most): "
                        "agent output is read and fixed by hand", "against", level=3,
                        commits=refs.get("ai_followup_fixes")))
    elif s["ai_followup_fixes"]:
        ev.append(_ev("review.followup_fixes", s["ai_followup_fixes"], f"people changed the files of "
                      f"{s['ai_followup_fixes']} agent code commits within 48 h with {s['human_code_commits']} code "
                      f"commits of their own (at most {_pct(followup_share)} fixed one by one)", "context", commits=refs.get("ai_followup_fixes")))
    if caps:
        level = min(level, 3)
        ev.extend(caps)
    hi = min(5, level + 1) if level < 5 else 5
    if any(e["signal"] == "review.review_trailers" for e in caps):
        hi = min(hi, 3)  # Reviewed-by on agent commits: line review before landing, seen in git
    elif caps:
        # people editing agent code after it landed shows it is read afterwards, not that each diff is
        # read before it lands: the point stays at 3, the range stays open one level (outcome checks
        # followed by hand fixes are also how Level 4 teams work)
        hi = min(hi, 4)
    summary = {2: "Agent work is committed by people in their own sessions, so a person was present for each change.",
               3: "People integrate agents' branches and commits: review is their main act.",
               4: ("Agents land their work straight on the main line: people check outcomes, not diffs."
                   if any(e["signal"] == "review.unattended_direct" for e in ev) else
                   "Agent work is merged fast and in bulk: people check outcomes, not diffs."),
               5: "Agent work is merged by machines: nobody reads the code."}[level]
    # levels 4-5 rest on the merges (or on the agent commits that skipped them), 2-3 on the agent
    # commits: thin evidence is low confidence
    events = merges if level >= 4 and not any(e["signal"] == "review.unattended_direct" for e in ev) else ai
    return Dim("review", level, level, hi, _git_confidence(s, r, events), "git", summary, ev)


def specification(s: dict[str, Any], a: dict[str, Any], r: dict[str, Any]) -> Dim:
    t = r["specification"]
    refs = s.get("refs", {})
    spec_paths = [p for k in ("spec", "pipeline") for p in a.get(k, {}).get("paths", [])]
    n_specs = sum(a.get(k, {}).get("count", 0) for k in ("spec", "pipeline"))
    h = s["human_commits"]
    share = _share(s["human_spec_doc_only_commits"], h)
    ev = []
    if n_specs:
        ev.append(_ev("specification.spec_artefacts", n_specs, f"spec artefacts in the repository: {', '.join(spec_paths[:4])}",
                      "for", paths=spec_paths))
    if h:
        ev.append(_ev("specification.human_spec_doc_only_share", share,
                      f"{s['human_spec_doc_only_commits']} of {h} commits by people ({_pct(share)}) touch only specs, "
                      "docs or agent instructions", "for" if (share or 0) >= t["level4_human_spec_share"] else "context",
                      commits=refs.get("human_spec_doc_only_commits")))
    if "instructions" in a:
        ev.append(_ev("specification.instruction_files", a["instructions"]["count"],
                      f"agent instruction files: {', '.join(a['instructions']['paths'][:4])}", "context",
                      paths=a["instructions"]["paths"]))
    if not n_specs and s["spec_lines"] == 0:
        level = 2 if "instructions" in a else None
        if level is None:
            return Dim("specification", None, 0, 5, "low", "git",
                       "No specs or agent instructions in the repository: specs may live in a tracker, which git "
                       "cannot see, so the range stays open.", ev)
        return Dim("specification", 2, 2, 5, _git_confidence(s, r, h), "git",
                   "Agents get instruction files, but no specs are kept in the repository (they may live in a "
                   "tracker, which git cannot see: the range stays open).", ev)
    if n_specs < t.get("level3_spec_artefacts", 1) and s["spec_lines"] == 0:
        return Dim("specification", 2 if "instructions" in a else None, 2 if "instructions" in a else 0, 5,
                   "low", "git", "Fewer spec artefacts than the rubric asks for Level 3 (more may live in a tracker).",
                   ev)
    level = 3
    if h < t.get("min_human_commits", 5):
        share = None  # too few commits by people to say what they mainly write
        ev.append(_ev("specification.few_human_commits", h, f"only {h} commits by people in the window: too few to "
                      "tell whether they mainly write specs", "context"))
    if (share or 0) >= t["level4_human_spec_share"]:
        level = 4
    if (share or 0) >= t["level5_human_spec_share"]:
        level = 5
    summary = {3: "Specs live in the repository, but people still mostly commit code.",
               4: "People mostly write specs and docs; agents write the code.",
               5: "People commit only specs: specs in, software out."}[level]
    return Dim("specification", level, level, level if level >= 4 else level + 1, _git_confidence(s, r, h), "git",
               summary, ev)


def validation(s: dict[str, Any], a: dict[str, Any], r: dict[str, Any]) -> Dim:
    t = r["validation"]
    refs = s.get("refs", {})
    test_share = _share(s["test_lines"], s["work_lines"])
    measure = "changed lines"
    if test_share is None and s.get("work_files"):  # line counts unavailable: count changed files
        test_share, measure = _share(s.get("test_files", 0), s["work_files"]), "changed files"
    has_tests = "tests" in a or s["test_lines"] > 0 or s.get("test_files", 0) > 0
    has_ci = "ci" in a or "agent-ci" in a
    twins = [p for k in ("scenarios", "simulated-services") for p in a.get(k, {}).get("paths", [])]
    ev = [_ev("validation.test_share", test_share, f"{_pct(test_share)} of {measure} are tests", "for")]
    if has_ci:
        paths = a.get("ci", {}).get("paths", []) + a.get("agent-ci", {}).get("paths", [])
        ev.append(_ev("validation.ci", True, f"CI configuration: {', '.join(paths[:3])}", "for", paths=paths))
    else:
        ev.append(_ev("validation.ci", False, "no CI configuration found in the repository", "against"))
    if twins:
        ev.append(_ev("validation.scenarios_or_twins", len(twins), f"scenario suites or simulated services: "
                      f"{', '.join(twins[:4])}", "for", paths=twins))
    # tests changing *with* agent code: the share of agent code commits that change tests too (a team
    # whose every agent change carries its test validates it, whatever the test share of all lines)
    ai_code, with_tests = s.get("ai_code_commits", 0), s.get("ai_code_commits_with_tests")
    with_share = _share(with_tests, ai_code) if with_tests is not None and ai_code >= t["min_agent_code_commits"] \
        else None
    if with_share is not None:
        ev.append(_ev("validation.ai_code_commits_with_tests", with_share,
                      f"{with_tests} of {ai_code} agent code commits ({_pct(with_share)}) change tests in the same "
                      "commit", "for" if with_share >= t["level3_agent_test_commit_share"] else "context",
                      commits=refs.get("ai_code_commits_with_tests")))
    # not measured (evidence saved before assess counted it), as opposed to too few agent commits to judge
    unmeasured = with_tests is None and ai_code >= t["min_agent_code_commits"]
    if unmeasured:
        ev.append(_ev("validation.ai_code_commits_with_tests", None,
                      f"not measured: the evidence was saved before assess counted which of the {ai_code} agent code "
                      "commits change tests, so the range stays open to what that share could show", "context"))
    if not has_tests and not has_ci:
        if not (s["work_lines"] or s.get("work_files")):
            return Dim("validation", None, 0, 5, "none", "git", "Nothing to validate in the window.", ev)
        return Dim("validation", None, 0, 5, "low", "git",
                   "No tests and no CI in the repository: tests or scenarios may be kept outside it (a holdout), "
                   "which git cannot see, so the range stays open.", ev)
    level = 2
    if has_tests and has_ci and ((test_share or 0) >= t["level3_test_share"]
                                 or (with_share or 0) >= t["level3_agent_test_commit_share"]):
        level = 3
    if has_tests and has_ci and ((test_share or 0) >= t["level4_test_share"]
                                 or (with_share or 0) >= t["level4_agent_test_commit_share"]):
        level = 4
    # absence is not evidence: suites kept outside the repository (a holdout) and what CI gates on are
    # invisible to git, so the range stays open a level above what the repository shows
    hi = level + 1
    if level == 4:
        if twins or not t.get("level5_needs_scenarios_or_twins", True):
            level = hi = 5
        else:
            hi = 5  # scenarios are often kept outside the repository on purpose
    elif unmeasured and has_tests and has_ci:
        hi = 5  # the unmeasured share could have placed it at 4, whose range is open to 5
    summary = {2: "Some tests or CI, but tests change little with the code.",
               3: "Tests change with the code and CI runs them.",
               4: "Strong test churn and CI: machines check outcomes.",
               5: "Scenario suites or simulated services validate behaviour end to end."}[level]
    if level == 4 and (test_share or 0) < t["level4_test_share"]:
        # placed by the agent commits that carry their tests, not by churn: say what was seen
        summary = "Agent changes arrive with their own tests and CI runs them: machines check outcomes."
    return Dim("validation", level, level, hi, _git_confidence(s, r), "git", summary, ev)


def autonomy(s: dict[str, Any], a: dict[str, Any], r: dict[str, Any], inferred: list[dict[str, Any]]) -> Dim:
    t = r["autonomy"]
    refs = s.get("refs", {})
    ai = s["ai_commits"]
    inferred_ev = [_ev(f"autonomy.inferred.{i['kind']}", i["value"], "inferred agent activity (no trace): " + i["text"],
                       "context", commits=i["commits"], inferred=True) for i in inferred]
    if ai == 0:
        hi = 4 if inferred else GIT_BLIND_RANGE[1]
        return Dim("autonomy", None, GIT_BLIND_RANGE[0], hi, "low", "git",
                   "No traced agent work." + (" Behaviour suggests untraced agent loops." if inferred else ""),
                   inferred_ev)
    ev = []
    cloud_share = _share(s["ai_cloud_commits"], ai) or 0
    ev.append(_ev("autonomy.delegated_share", cloud_share, f"{s['ai_cloud_commits']} of {ai} agent commits "
                  f"({_pct(cloud_share)}) made by agents on their own (bot authors, agent branches)",
                  "for" if cloud_share >= t["level3_cloud_share"] else "context", commits=refs.get("ai_cloud_commits")))
    ev.append(_ev("autonomy.longest_run", s["max_chain"], f"longest run: {s['max_chain']} agent commits with no "
                  f"hand-written commit between ({s['max_chain_span_hours']:.1f} h); longest span "
                  f"{s['longest_chain_span_hours']:.1f} h", "context",
                  commits=list(dict.fromkeys(refs.get("max_chain") or []))))
    off_share = _share(s["ai_off_hours_commits"], ai) or 0
    if s["ai_off_hours_commits"]:
        ev.append(_ev("autonomy.off_hours_share", off_share, f"{_pct(off_share)} of agent commits fall outside the "
                      "team's own working hours (learned from people's commit times)", "context",
                      commits=refs.get("ai_off_hours_commits")))
    agent_ci = a.get("agent-ci", {}).get("paths", []) + a.get("agent-environment", {}).get("paths", [])
    if agent_ci:
        ran = s["ai_cloud_commits"] > 0
        ev.append(_ev("autonomy.agents_in_ci", len(agent_ci), f"agents configured to run from CI: {', '.join(agent_ci[:3])}"
                      + ("" if ran else " (no commit by an agent on its own yet)"), "for" if ran else "context",
                      paths=agent_ci))
    level = 2
    if cloud_share >= t["level3_cloud_share"] and s["ai_cloud_commits"] >= t["level3_min_delegated_commits"]:
        level = 3
    # one run must be both long and sustained: the frontier holds every run no other beats on both
    long_runs = any(run["n"] >= t["level4_run_commits"] and run["span_hours"] >= t["level4_run_hours"]
                    for run in s["run_frontier"])
    off_hours = off_share >= t["level4_off_hours_share"] and ai >= t.get("level4_off_hours_min_commits", 10)
    # an agent workflow in CI is shown as evidence, but only observed behaviour (long runs, work out
    # of hours) places Level 4
    if level >= 3 and (long_runs or off_hours):
        level = 4
    machine_share = _share(s["ai_merges_by_machine"], s["ai_merges"])
    if level == 4 and machine_share is not None and machine_share >= t["level5_machine_merge_share"] \
            and s["ai_merges"] >= t.get("level5_min_merges", 3):
        level = 5
    hi = min(5, level + 1)
    if inferred:
        hi = max(hi, 4)
    summary = {2: "Agents work inside people's sessions.", 3: "Work is delegated to agents that commit on their own.",
               4: "Agents work unattended: long runs of agent commits or agent work outside the team's hours.",
               5: "Agents run and land work without people."}[level]
    return Dim("autonomy", level, level, hi, _git_confidence(s, r, ai), "git", summary, ev + inferred_ev)


def organisation_from_survey(survey: dict[str, Any] | None, r: dict[str, Any]) -> Dim:
    d = (survey or {}).get("dimensions", {}).get("organisation")
    if not d or d.get("level") is None:
        why = ("no survey was given" if survey is None
               else "the questionnaire answers hold no organisation items")
        return Dim("organisation", None, 0, 5, "none", "none",
                   f"Only the questionnaire can tell how the team is organised; {why}.", [])
    lvl = int(d["level"])
    conf = "medium" if (d.get("n") or 0) >= r.get("survey", {}).get("min_respondents", 3) else "low"
    ev = [_ev("organisation.survey_score", d.get("score"), f"questionnaire: organisation practices support Level {lvl} "
              f"(mean {d.get('score')}, n={d.get('n')})", "for", source="survey", items=d.get("items", []))]
    return Dim("organisation", lvl, lvl, lvl, conf, "survey",
               f"Level {lvl} claimed in the questionnaire (self-reported; nothing else observes organisation).", ev)


# ---------------------------------------------------------------- combination

def apply_survey(dim: Dim, survey: dict[str, Any] | None, r: dict[str, Any], contradictions: list[dict[str, Any]]) -> Dim:
    """Survey answers narrow a git range; where they contradict git, git's bound stands and the
    contradiction is reported."""
    if not survey or dim.name == "organisation":
        return dim
    d = survey.get("dimensions", {}).get(dim.name)
    min_n = r.get("survey", {}).get("min_respondents", 3)
    if not d or d.get("level") is None:
        return dim
    s_level = int(d["level"])
    items = d.get("items", [])
    dim.evidence.append(_ev(f"{dim.name}.survey", d.get("score"), f"questionnaire: the team claims practices of Level "
                            f"{s_level} (mean {d.get('score')}, n={d.get('n')}; self-reported)", "context",
                            source="survey", items=items))
    if (d.get("n") or 0) < min_n:
        return dim
    gap = r.get("survey", {}).get("contradiction_levels", 2)
    if s_level < dim.lo or s_level > dim.hi:
        side = "below" if s_level < dim.lo else "above"
        if abs(s_level - (dim.lo if side == "below" else dim.hi)) >= gap:
            contradictions.append({"dimension": dim.name, "git_range": [dim.lo, dim.hi], "survey_level": s_level,
                                   "text": f"{dim.name}: the questionnaire points to Level {s_level}, {side} what the "
                                           f"repository shows ({_span(dim.lo, dim.hi)}); the repository's bound stands.",
                                   "survey_items": items})
        if dim.source != "none":
            _add_source(dim, "survey")
        return dim
    if dim.level is None:
        # nothing observed to narrow: a claim never turns "git cannot tell" into a confident level
        dim.summary += f" The questionnaire claims Level {s_level} (self-reported, not evidenced)."
        _add_source(dim, "survey")
        return dim
    moved = dim.level != s_level
    dim.level, dim.lo, dim.hi = s_level, s_level, s_level
    _add_source(dim, "survey")
    if moved:
        # the team's own answers, not git, picked the level inside git's range: say so, and no
        # more than medium confidence
        dim.confidence = "medium"
        dim.summary = (f"Level {s_level} claimed in the questionnaire, within what git allows. Git alone: "
                       + dim.summary[0].lower() + dim.summary[1:])
    elif dim.confidence in ("low", "none"):
        dim.confidence = "medium"
    return dim


def _add_source(dim: Dim, source: str) -> None:
    parts = [p for p in dim.source.split("+") if p and p != "none"]
    if source not in parts:
        parts.append(source)
    dim.source = "+".join(parts) or "none"


def staged(levels: dict[str, int | None], gates: dict[int, dict[str, int]], default: int = 0) -> tuple[int, dict | None]:
    """Highest level whose gate holds on every dimension it names, and the first gate that fails."""
    reached = 0
    for lvl in range(1, 6):
        gate = gates.get(lvl, {})
        failing = [(d, req) for d, req in gate.items() if (levels.get(d) if levels.get(d) is not None else default) < req]
        if failing:
            return reached, {"level": lvl, "failing": failing}
        reached = lvl
    return reached, None


def _next_step(dim: str, target: int, rubric: dict[str, Any]) -> str:
    steps = rubric.get("next_steps", {}).get(dim, {})
    return steps.get(target) or steps.get(str(target)) or f"raise {dim} to Level {target}"
