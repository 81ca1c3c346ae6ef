"""The ref set that ``--all-refs`` mines: every branch, tag and remote-tracking branch.

Agent loops often run on side branches (``agent/*``, ``ralph/*``) that are never merged, so the
history of one revision does not show them. Ref names come from the repository, so they are
hostile text: decoded leniently, stripped of control characters and cut to a bounded length
before they reach any output.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field

from assess.mining.gitrepo import Repository

# what `git log` is given besides the revision: each commit reachable from any of them, once
ALL_REFS_SPEC = ("--branches", "--tags", "--remotes")
REF_NAMESPACES = ("refs/heads/", "refs/tags/", "refs/remotes/")
# Reason: a ref name is shown for orientation only; 120 characters name any real branch.
MAX_REF_NAME_CHARS = 120
# Reason: a repository with thousands of release tags would otherwise bloat the evidence.
MAX_LISTED_REFS = 50
# Reason: tags of tags need one rev-parse each; past this many they are counted, not resolved.
MAX_NESTED_TAG_LOOKUPS = 200


@dataclass
class Ref:
    name: str  # full ref name as git stores it (decoded leniently); pass through :func:`safe_ref_name`
    kind: str  # branch | tag | remote
    commit: str | None  # the commit it points to (peeled), None for a tag of a tree or blob


@dataclass
class RefSet:
    refs: list[Ref] = field(default_factory=list)
    fingerprint: str = ""  # changes whenever any ref is added, removed or moved


def safe_ref_name(name: str) -> str:
    """A ref name fit to show: control and format characters replaced, length bounded."""
    clean = "".join("\ufffd" if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") else ch for ch in name)
    if len(clean) > MAX_REF_NAME_CHARS:
        clean = clean[:MAX_REF_NAME_CHARS - 1] + "…"
    return clean


def _kind(name: str) -> str:
    if name.startswith("refs/heads/"):
        return "branch"
    if name.startswith("refs/tags/"):
        return "tag"
    return "remote"


def list_refs(repo: Repository) -> RefSet:
    """Every branch, tag and remote-tracking ref with the commit it points to."""
    out = repo.git("for-each-ref", "--format=%(refname)%00%(objecttype)%00%(objectname)%00%(*objecttype)"
                   "%00%(*objectname)", *REF_NAMESPACES)
    refs: list[Ref] = []
    lookups = 0
    for line in out.split(b"\n"):
        parts = line.split(b"\0")
        if len(parts) != 5:
            continue
        raw, otype, oid, ptype, poid = parts
        name = raw.decode("utf-8", errors="replace")
        if name.endswith("/HEAD") and name.startswith("refs/remotes/"):
            continue  # origin/HEAD names another remote ref: not a ref of its own
        commit: str | None = None
        if otype == b"commit":
            commit = oid.decode()
        elif otype == b"tag" and ptype == b"commit":
            commit = poid.decode()
        elif otype == b"tag" and ptype == b"tag" and lookups < MAX_NESTED_TAG_LOOKUPS:
            lookups += 1  # a tag of a tag: let git peel it all the way
            commit = repo.rev_parse(oid.decode())
        refs.append(Ref(name, _kind(name), commit))
    fingerprint = hashlib.sha256(out).hexdigest()[:16]
    return RefSet(refs, fingerprint)


def reachable(repo: Repository, head: str) -> set[str]:
    """Every commit reachable from ``head`` (its whole history, before any window)."""
    return set(repo.git("rev-list", head, "--").decode().split())


def refs_block(refset: RefSet, on_rev: set[str]) -> dict[str, object]:
    """What ``--all-refs`` mined, for the evidence: the refs (shown names bounded and cleaned) and
    which of them point outside the revision's history (side refs). The evidence adds how many
    commits only side refs reach, counted after the --since/--until filter."""
    side = [r for r in refset.refs if r.commit is not None and r.commit not in on_rev]
    return {
        "refs": len(refset.refs),
        "listed": [safe_ref_name(r.name) for r in refset.refs[:MAX_LISTED_REFS]],
        "side_refs": len(side),
        "side_listed": [{"name": safe_ref_name(r.name), "kind": r.kind} for r in side[:MAX_LISTED_REFS]],
        "truncated": len(refset.refs) > MAX_LISTED_REFS or len(side) > MAX_LISTED_REFS,
        "non_commit_refs": sum(r.commit is None for r in refset.refs),
    }
