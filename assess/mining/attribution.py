"""Attribute every commit to human, ai or automation from the signature catalogue.

Evidence only: each attribution records the rule that matched (``matched_by``) and its confidence.
Matching runs on unique values (identities, trailers), so it costs little even at 100k commits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from assess.mining.catalogue import Catalogue, Rule

# Which kind of evidence wins when several rules match one commit.
_CHANNEL_RANK = {"author": 0, "committer": 1, "co-author": 2, "message": 3, "branch": 4, "assisted": 5}
_CONF_RANK = {"high": 0, "medium": 1, "low": 2}

_REVERT = re.compile(r'^Revert "')
_MERGE_SUBJECTS = [
    re.compile(r"^Merge pull request #\d+ from [^/\s]+/(\S+)"),  # GitHub: owner/branch
    re.compile(r"^Merge remote-tracking branch '[^/']+/([^']+)'"),  # remote/branch
    re.compile(r"^Merge branch '([^']+)'"),  # git, GitLab
]


def merged_branch_name(subject: str) -> str | None:
    """The branch a merge commit's subject names, without owner or remote prefix."""
    for pattern in _MERGE_SUBJECTS:
        m = pattern.match(subject)
        if m:
            return m.group(1)
    return None


def _trailer_hits(commits: pd.DataFrame, rules: list[Rule]) -> list[tuple[int, Rule, str]]:
    pairs: dict[tuple[str, str], list[int]] = {}
    for idx, trailers in zip(commits.index.tolist(), commits["trailers"].tolist()):
        for key, value in trailers:
            pairs.setdefault((key, value), []).append(idx)
    out = []
    for (key, value), idxs in pairs.items():
        for rule in rules:
            found = rule.pattern.search(value) if rule.key is not None and rule.key.fullmatch(key) else None
            if found:
                # only what the rule matched (an agent's address), never the rest of the value: a
                # co-author trailer can name a person beside the agent
                out.extend((i, rule, f"{key}: {found.group(0)[:200]}") for i in idxs)
    return out


class _AnyOf:
    """Fallback prefilter when user patterns cannot be joined into one regex (global inline flags)."""

    def __init__(self, rules: list[Rule]) -> None:
        self.patterns = [r.pattern for r in rules]

    def search(self, text: str) -> bool:
        return any(p.search(text) for p in self.patterns)


def _combined(rules: list[Rule]) -> re.Pattern[str] | _AnyOf:
    try:
        return re.compile("|".join(f"(?:{r.pattern.pattern})" for r in rules), re.IGNORECASE)
    except re.error:
        return _AnyOf(rules)


def _message_masks(commits: pd.DataFrame, rules: list[Rule], not_revert: pd.Series) -> list[pd.Series]:
    """One mask per message/subject rule. A combined pattern first picks the few candidate commits,
    so the per-rule searches run on those only (on plain lists: iterating a column item by item
    costs more than the searches)."""
    if not rules:
        return []
    full = (commits["subject"] + "\n" + commits["body"]).tolist()
    combined = _combined(rules)
    # a human revert quotes the agent commit's subject; it is not agent work
    keep = not_revert.to_numpy(dtype=bool)
    candidates = [k for k, text in enumerate(full) if keep[k] and combined.search(text)]
    texts = [full[k] for k in candidates]
    subjects: list[str] | None = None
    masks = []
    for rule in rules:
        if rule.field == "subject":
            if subjects is None:
                subjects = [t.split("\n", 1)[0] for t in texts]
            searched = subjects
        else:
            searched = texts
        mask = np.zeros(len(full), dtype=bool)
        mask[[k for k, text in zip(candidates, searched) if rule.pattern.search(text)]] = True
        masks.append(pd.Series(mask, index=commits.index))
    return masks


def attribute(commits: pd.DataFrame, catalogue: Catalogue,
              branch_commits: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """Return ``commits`` with the attribution columns added.

    ``branch_commits`` maps a merge sha to the shas its merged branch brought in; when the merge
    names an agent branch those commits get branch attribution (unless stronger evidence exists).
    """
    df = commits.copy()
    n = len(df)
    matches: dict[int, list[tuple[Rule, str]]] = {}

    def add(mask: pd.Series, rule: Rule, detail: Iterable[str] | str) -> None:
        if not mask.any():
            return
        idxs = df.index[mask.to_numpy()]
        if isinstance(detail, str):
            for i in idxs:
                matches.setdefault(i, []).append((rule, detail))
        else:
            details = list(detail)
            for i, d in zip(idxs, details):
                matches.setdefault(i, []).append((rule, d))

    not_revert = ~df["subject"].str.match(_REVERT)
    rules = catalogue.rules()
    for field in ("author_email", "committer_email", "author_name", "committer_name"):
        field_rules = [r for r in rules if r.field == field]
        if not field_rules:
            continue
        # distinct identities are few: match those once, prefiltered by all of this field's patterns
        combined = _combined(field_rules)
        candidates = {v for col in (field, field + "_raw") for v in pd.unique(df[col])
                      if isinstance(v, str) and v and combined.search(v)}
        for rule in field_rules:
            hits = {v for v in candidates if rule.pattern.search(v)}
            if hits:
                mask = df[field].isin(hits) | df[field + "_raw"].isin(hits)
                # the rule's pattern, never the matched value: a person's name or address (e.g.
                # "Ada Dev (aider)") must not reach outputs without --show-identities
                add(mask, rule, f"{field} matches /{rule.pattern.pattern}/")
    message_rules = [r for r in rules if r.field in ("message", "subject")]
    for rule, mask in zip(message_rules, _message_masks(df, message_rules, not_revert)):
        add(mask, rule, rule.field)
    for i, rule, detail in _trailer_hits(df, [r for r in rules if r.field == "trailer"]):
        # an address the rule names (a bot's) is evidence; any other value may be a person's name
        if "@" not in rule.pattern.pattern and "://" not in rule.pattern.pattern:
            detail = detail.split(":", 1)[0] + f": value matches /{rule.pattern.pattern}/"
        matches.setdefault(i, []).append((rule, f"trailer {detail}"))

    merged = df["subject"].where(df["is_merge"], "").map(lambda s: merged_branch_name(s) if s else None)
    df["merged_branch"] = merged
    branch_rules = [r for r in rules if r.field == "branch"]
    if branch_commits and branch_rules:
        sha_to_idx = pd.Series(df.index, index=df["sha"])
        for merge_sha, shas in branch_commits.items():
            branch = merged.get(sha_to_idx.get(merge_sha))
            if not branch:
                continue
            idxs = [sha_to_idx.get(sha) for sha in shas]
            idxs = [i for i in idxs if i is not None and not df.at[i, "is_merge"]]
            # when some of the branch's commits carry their own agent evidence, the others on it were
            # pushed by people (fixes on an agent's pull request): the branch name then proves nothing more
            if any(catalogue.kind_of(r.entry_id) == "agent" for i in idxs for r, _ in matches.get(i, [])):
                continue
            for rule in branch_rules:
                if rule.pattern.search(branch):
                    for i in idxs:
                        matches.setdefault(i, []).append((rule, f"merged branch {branch}"))
                    break

    cls = ["human"] * n
    agent: list[str | None] = [None] * n
    channel: list[str | None] = [None] * n
    confidence: list[str | None] = [None] * n
    matched_by: list[str | None] = [None] * n
    agents_all: list[str | None] = [None] * n
    review_bot: list[str | None] = [None] * n
    pos = {idx: k for k, idx in enumerate(df.index)}
    for i, found in matches.items():
        k = pos[i]
        agent_hits = [(r, d) for r, d in found if catalogue.kind_of(r.entry_id) == "agent"]
        auto_hits = [(r, d) for r, d in found if catalogue.kind_of(r.entry_id) == "automation"]
        review_hits = [(r, d) for r, d in found if catalogue.kind_of(r.entry_id) == "review"]
        if review_hits:
            review_bot[k] = review_hits[0][0].entry_id
        if agent_hits:
            # a named agent beats the generic disclosure entry at the same strength
            agent_hits.sort(key=lambda rd: (_CHANNEL_RANK[rd[0].channel], _CONF_RANK[rd[0].confidence],
                                            rd[0].entry_id == "generic-disclosure"))
            # an automation account (e.g. a workflow) committing an agent's work is still agent work,
            # but a bare "assisted" hint on an automation commit is not
            if auto_hits and agent_hits[0][0].channel in ("assisted", "branch"):
                best, detail = auto_hits[0]
                cls[k] = "automation"
            else:
                best, detail = agent_hits[0]
                cls[k] = "ai"
            agents_all[k] = ";".join(sorted({r.entry_id for r, _ in agent_hits}))
        elif auto_hits:
            best, detail = auto_hits[0]
            cls[k] = "automation"
        elif review_hits and any(r.channel == "author" for r, _ in review_hits):
            best, detail = next((r, d) for r, d in review_hits if r.channel == "author")
            cls[k] = "automation"
        else:
            continue
        agent[k] = best.entry_id
        channel[k] = best.channel
        confidence[k] = best.confidence
        matched_by[k] = f"{best.ref} [{best.field}] {detail}"[:300]
    df["class"] = cls
    df["agent"] = agent
    df["channel"] = channel
    df["confidence"] = confidence
    df["matched_by"] = matched_by
    df["agents_all"] = agents_all
    df["review_bot"] = review_bot
    # delegated: the agent committed on its own (its own identity or branch), not inside a person's
    # session; agents that only run locally (e.g. aider) never count as delegated
    local = {k for k, e in catalogue.entries.items() if e.runs == "local"}
    # an agent author whose commit a person committed (committer is someone else, not a bot or the
    # forge's merge button) was working in that person's session
    committer = df["committer_email"].str.lower()
    machine_committer = (committer == df["author_email"].str.lower()) | committer.str.contains(
        r"\[bot\]|^noreply@github\.com$|^noreply@gitlab\.com$", regex=True)  # <id>+<login>@users.noreply is a person
    df["delegated"] = (df["class"] == "ai") & ~df["agent"].isin(local) & (
        (df["channel"] == "branch") | (df["channel"].isin(["author", "committer"]) & machine_committer))
    return df


def apply_line_records(df: pd.DataFrame, line_records: pd.DataFrame) -> pd.DataFrame:
    """Merge line-level attribution (git-ai notes, Agent Trace) into the commit frame.

    ``line_records`` has columns sha, ai_lines, agent, source. A commit whose recorded AI lines are
    at least half its added lines becomes ``ai`` even without a trailer: line records are stronger
    evidence than trailers.
    """
    df = df.copy()
    df["ai_lines"] = 0
    df["line_source"] = None
    if line_records is None or line_records.empty:
        return df
    # within a source, records of one commit add up (one note, or one trace record per edit); two
    # sources describing the same commit are not added together: the larger is kept
    per_source = line_records.groupby(["sha", "source"], as_index=False).agg(
        ai_lines=("ai_lines", "sum"), agent=("agent", "first"))
    agg = per_source.sort_values("ai_lines", ascending=False).drop_duplicates("sha").set_index("sha")
    idx = df["sha"].map(lambda s: s in agg.index)
    for i in df.index[idx.to_numpy()]:
        sha = df.at[i, "sha"]
        rec = agg.loc[sha]
        added = int(df.at[i, "added"])
        df.at[i, "ai_lines"] = min(int(rec["ai_lines"]), added) if added else int(rec["ai_lines"])
        df.at[i, "line_source"] = rec["source"]
        if df.at[i, "class"] == "human" and rec["ai_lines"] > 0 and rec["ai_lines"] * 2 >= max(added, 1):
            df.at[i, "class"] = "ai"
            df.at[i, "agent"] = rec["agent"] if isinstance(rec["agent"], str) and rec["agent"] else "unknown-agent"
            df.at[i, "channel"] = "line-record"
            df.at[i, "confidence"] = "high"
            df.at[i, "matched_by"] = f"{rec['source']} ({int(rec['ai_lines'])} AI lines of {added} added)"
    return df
