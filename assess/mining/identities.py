"""Deduplicate human identities: after .mailmap, one person per connected e-mail/name."""

from __future__ import annotations

import pandas as pd

# names too generic to join two identities on
_GENERIC_NAMES = {"", "root", "admin", "user", "unknown", "ubuntu", "runner", "developer", "dev", "git", "nobody"}


def assign_person_ids(commits: pd.DataFrame) -> pd.Series:
    """A stable pseudonymous id per author (``person-1`` is the earliest), joining identities that
    share an e-mail or a (non-generic) name. Agents and automation keep their catalogue id."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra

    pairs = commits[["author_name", "author_email"]].drop_duplicates()
    for name, email in pairs.itertuples(index=False):
        e = "e:" + str(email).strip().lower()
        find(e)
        n = str(name).strip().lower()
        if n not in _GENERIC_NAMES:
            union(e, "n:" + n)
    keys = ("e:" + commits["author_email"].str.strip().str.lower()).map(find)
    order = commits.sort_values("author_time", kind="stable").index
    numbering: dict[str, str] = {}
    for root in keys.loc[order]:
        if root not in numbering:
            numbering[root] = f"person-{len(numbering) + 1}"
    person = keys.map(numbering)
    non_human = commits["class"] != "human"
    if non_human.any() and "agent" in commits:
        person = person.where(~(non_human & (commits["channel"] == "author")),
                              commits["agent"].fillna("bot"))
    return person
