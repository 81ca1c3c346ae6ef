"""Who wrote each pull request: agent, assisted (a person with AI help), human or automation.

Everything comes from the signature catalogue (`assess/catalogue/agents.yaml`): forge logins
(``login`` rules), agent branch names (``branch`` rules), and the pull request's commits run
through git mining's own attribution. Reviewers are classified the same way: any bot, AI review
bot or agent account is a machine, never a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from assess.forge.model import login_key
from assess.mining.attribution import attribute
from assess.mining.catalogue import Catalogue, Rule
from assess.mining.trailers import parse_trailers

CLASSES = ("agent", "assisted", "human", "automation")
AI_CLASSES = ("agent", "assisted")


@dataclass(frozen=True)
class Label:
    cls: str
    agent: str | None = None  # catalogue entry id
    evidence: str | None = None  # the rule that decided, never a name
    confidence: str | None = None


class Classifier:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._cache: dict[str, list[Rule]] = {}
        rules = catalogue.rules()
        self.login_rules = [r for r in rules if r.field == "login"]
        self.branch_rules = [r for r in rules if r.field == "branch" and catalogue.kind_of(r.entry_id) == "agent"]
        self.body_rules = [r for r in rules if r.field in ("message", "trailer")
                           and catalogue.kind_of(r.entry_id) == "agent"]

    def _login_hits(self, acc: dict[str, Any] | None) -> list[Rule]:
        lk = login_key(acc)
        if lk is None:
            return []
        hits = self._cache.get(lk)
        if hits is None:  # a team has few accounts: match each once
            hits = self._cache[lk] = [r for r in self.login_rules if r.pattern.search(lk)]
        return hits

    def is_person(self, acc: dict[str, Any] | None) -> bool:
        """A human account: not a bot, not a catalogued agent, automation or AI review bot."""
        return bool(acc) and not acc.get("bot") and not self._login_hits(acc)

    def machine_kind(self, acc: dict[str, Any] | None) -> str | None:
        """agent | automation | review for a machine account, None for a person or nobody."""
        hits = self._login_hits(acc)
        kinds = {self.catalogue.kind_of(r.entry_id) for r in hits}
        for kind in ("review", "agent", "automation"):
            if kind in kinds:
                return kind
        return "automation" if acc and acc.get("bot") else None

    def review_bot(self, acc: dict[str, Any] | None) -> str | None:
        hits = [r for r in self._login_hits(acc) if self.catalogue.kind_of(r.entry_id) in ("review", "agent")]
        return hits[0].entry_id if hits else None

    def classify_all(self, records: list[dict[str, Any]],
                     mined: dict[str, dict[str, Any]] | None = None) -> list[Label]:
        """One label per record. ``mined`` maps commit sha → git mining's attribution
        (``class``, ``channel``, ``agent``) when the repository itself was mined."""
        commit_labels = self._commit_labels(records, mined)
        return [self._classify(rec, commit_labels.get(i, [])) for i, rec in enumerate(records)]

    def _commit_labels(self, records: list[dict[str, Any]],
                       mined: dict[str, dict[str, Any]] | None) -> dict[int, list[dict[str, Any]]]:
        rows, owners = [], []
        out: dict[int, list[dict[str, Any]]] = {}
        for i, rec in enumerate(records):
            for c in rec.get("commits") or []:
                if mined and c.get("sha") in mined:
                    m = mined[c["sha"]]
                    out.setdefault(i, []).append({"class": m.get("class"), "channel": m.get("channel"),
                                                  "agent": m.get("agent"), "via": "mined"})
                    continue
                msg = c.get("message") or ""
                subject, _, body = msg.partition("\n")
                rows.append({"sha": c.get("sha") or "", "author_email": c.get("author_email") or "",
                             "committer_email": c.get("committer_email") or "",
                             "author_name": c.get("author_name") or "", "committer_name": c.get("committer_name") or "",
                             "subject": subject, "body": body.lstrip("\n"), "trailers": parse_trailers(msg),
                             "is_merge": (c.get("parents") or 0) > 1})
                owners.append(i)
        if rows:
            df = pd.DataFrame(rows)
            for f in ("author_email", "committer_email", "author_name", "committer_name"):
                df[f + "_raw"] = df[f]
            df = attribute(df, self.catalogue)
            for owner, cls, channel, agent, merge in zip(owners, df["class"], df["channel"], df["agent"], df["is_merge"]):
                if not merge:
                    out.setdefault(owner, []).append({"class": cls, "channel": channel, "agent": agent, "via": "commits"})
        return out

    def _classify(self, rec: dict[str, Any], commits: list[dict[str, Any]]) -> Label:
        hits = self._login_hits(rec.get("author"))
        for kind in ("agent", "automation"):
            for r in hits:
                if self.catalogue.kind_of(r.entry_id) == kind:
                    return Label(kind, r.entry_id, f"{r.ref} [author login]", r.confidence)
        if hits:  # an AI review bot opening a pull request (e.g. applying its own suggestions)
            return Label("automation", hits[0].entry_id, f"{hits[0].ref} [author login]", hits[0].confidence)
        if (rec.get("author") or {}).get("bot"):
            return Label("automation", None, "bot account [author]", "medium")
        branch = rec.get("head_ref") or ""
        for r in self.branch_rules:
            if branch and r.pattern.search(branch):
                return Label("agent", r.entry_id, f"{r.ref} [head branch]", r.confidence)
        own = [c for c in commits if c["class"] == "ai" and c["channel"] in ("author", "committer", "branch", "line-record")]
        if commits and len(own) * 2 >= len(commits):
            return Label("agent", own[0]["agent"], f"{len(own)} of {len(commits)} commits by an agent "
                         f"[{own[0]['via']}]", "high")
        ai = [c for c in commits if c["class"] == "ai"]
        if ai:
            return Label("assisted", ai[0]["agent"], f"{len(ai)} of {len(commits)} commits AI-attributed "
                         f"[{ai[0]['via']}]", "medium")
        body = rec.get("body") or ""
        if body:
            trailers = parse_trailers("PR\n\n" + body)
            for r in self.body_rules:
                if r.field == "message" and r.pattern.search(body):
                    return Label("assisted", r.entry_id, f"{r.ref} [description]", r.confidence)
                if r.field == "trailer" and r.key is not None and any(
                        r.key.fullmatch(k) and r.pattern.search(v) for k, v in trailers):
                    return Label("assisted", r.entry_id, f"{r.ref} [description trailer]", r.confidence)
        return Label("human")
