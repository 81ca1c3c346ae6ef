"""Agent artefacts at HEAD and when each first appeared in history."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from assess.errors import InputError
from assess.mining.gitrepo import Repository
from assess.resources import package_file
from assess.yamlfile import LocatedYaml, load_built

# Folders whose agent files are examples or test data, not the team's own configuration.
_FIXTURE_DIRS = re.compile(r"(^|/)(tests?|__tests__|fixtures?|testdata|test-data|examples?|samples?|"
                           r"templates?|vendor|third[_-]party|node_modules)/", re.IGNORECASE)
_DOC_DIRS = re.compile(r"(^|/)(docs?|documentation|site|website)/", re.IGNORECASE)
MAX_ROWS_PER_ENTRY = 12


@dataclass(frozen=True)
class ArtefactRule:
    id: str
    kind: str
    tool: str | None
    level_hint: int
    paths: tuple[re.Pattern[str], ...]
    content: re.Pattern[str] | None
    source: str


def load_artefact_rules(path: str | Path | None = None) -> list[ArtefactRule]:
    p = Path(path) if path else package_file("catalogue", "artefacts.yaml")
    return list(load_built(p, "artefact-rules", _artefact_rules))  # parsed once while the file is unchanged


def _artefact_rules(doc: LocatedYaml) -> tuple[ArtefactRule, ...]:
    p = doc.path
    if not isinstance(doc.data, dict) or not isinstance(doc.data.get("entries"), list):
        raise doc.error("expected a mapping with a list 'entries'", "entries")
    rules = []
    for i, e in enumerate(doc.data["entries"]):
        try:
            paths = tuple(re.compile(x) for x in e["paths"])
            content = re.compile(e["content"], re.IGNORECASE) if e.get("content") else None
            rules.append(ArtefactRule(str(e["id"]), str(e["kind"]), e.get("tool"), int(e.get("level_hint", 0)),
                                      paths, content, str(e.get("source", ""))))
        except (KeyError, TypeError) as exc:
            raise doc.error(f"missing or malformed field {exc}", "entries", i) from None
        except re.error as exc:
            raise InputError(p, f"invalid regular expression: {exc}", line=doc.line_of("entries", i),
                             field=f"entries.{i}.paths") from None
    return tuple(rules)


def location_of(path: str) -> str:
    """root, nested (e.g. a monorepo package), fixture (tests/examples/vendor) or docs."""
    if _FIXTURE_DIRS.search(path):
        return "fixture"
    if _DOC_DIRS.search(path):
        return "docs"
    bare = path.rstrip("/")
    return "root" if "/" not in bare or bare.split("/")[0].startswith(".") else "nested"


def head_paths(repo: Repository, head: str) -> list[str]:
    out = repo.git("ls-tree", "-r", "-z", "--name-only", "--full-tree", head)
    return [p.decode("utf-8", errors="replace") for p in out.split(b"\x00") if p]


def _read_blobs(repo: Repository, head: str, paths: list[str]) -> dict[str, str]:
    if not paths:
        return {}
    req = "".join(f"{head}:{p}\n" for p in paths if "\n" not in p).encode("utf-8")
    proc = repo.run("cat-file", "--batch", input=req)
    data = proc.stdout
    out: dict[str, str] = {}
    pos = 0
    for p in [p for p in paths if "\n" not in p]:
        nl = data.find(b"\n", pos)
        if nl < 0:
            break
        header = data[pos:nl].split()
        if len(header) < 3 or header[-1] == b"missing":
            pos = nl + 1
            continue
        size = int(header[2])
        out[p] = data[nl + 1: nl + 1 + min(size, 1_000_000)].decode("utf-8", errors="replace")
        pos = nl + 1 + size + 1
    return out


def find_artefacts(repo: Repository | None, head: str | None, commits: pd.DataFrame, files: pd.DataFrame,
                   rules: list[ArtefactRule], at_head: list[str]) -> list[dict]:
    """One row per artefact (a file, or a folder reported once), with first appearance in history."""
    first_seen: dict[str, tuple[pd.Timestamp, str]] = {}
    if not files.empty:
        times = commits.set_index("sha")["author_time"]
        touched = files[["sha", "path"]].copy()
        touched["t"] = touched["sha"].map(times)
        earliest = touched.sort_values("t", kind="stable").drop_duplicates("path")
        first_seen = {p: (t, s) for p, t, s in zip(earliest["path"], earliest["t"], earliest["sha"])}
    head_set = set(at_head)
    all_paths = sorted(set(first_seen) | head_set)
    needs_content = [r for r in rules if r.content is not None]
    content_paths = [p for p in at_head if any(rx.search(p) for r in needs_content for rx in r.paths)]
    blobs = _read_blobs(repo, head, content_paths) if repo is not None and head else {}

    # one pass with every pattern combined keeps the per-rule loops to the few paths that can match
    combined = re.compile("|".join(f"(?:{rx.pattern.replace('(?P<root>', '(?:')})" for r in rules for rx in r.paths))
    candidates = [p for p in all_paths if combined.search(p)]
    rows: list[dict] = []
    claimed: set[tuple[str, str]] = set()  # (kind, path) already reported by an earlier, more specific entry
    for rule in rules:
        groups: dict[str, list[str]] = {}
        for path in candidates:
            for rx in rule.paths:
                m = rx.search(path)
                if not m:
                    continue
                if rule.content is not None and not (path in blobs and rule.content.search(blobs[path])):
                    break
                root = m.groupdict().get("root")
                groups.setdefault(root + "/" if root else path, []).append(path)
                break
        groups = {k: v for k, v in groups.items() if (rule.kind, k) not in claimed}
        claimed.update((rule.kind, k) for k in groups)
        # what is in the repository now first, then by size: deleted leftovers never hide a live file
        ranked = sorted(groups.items(), key=lambda kv: (not any(p in head_set for p in kv[1]), -len(kv[1]), kv[0]))
        for key, paths in ranked[:MAX_ROWS_PER_ENTRY]:
            seen = [first_seen[p] for p in paths if p in first_seen]
            first = min(seen, key=lambda ts: ts[0]) if seen else None
            rows.append({
                "id": rule.id, "path": key, "kind": rule.kind, "tool": rule.tool, "level_hint": rule.level_hint,
                "files": len(paths), "present_at_head": any(p in head_set for p in paths),
                "first_seen": first[0].isoformat() if first else None,
                "first_commit": first[1] if first else None,
                "location": location_of(key), "source": rule.source,
            })
        if len(ranked) > MAX_ROWS_PER_ENTRY:
            rest = ranked[MAX_ROWS_PER_ENTRY:]
            # the overflow row takes the location most of its folders have, so examples stay examples
            locs = [location_of(k) for k, _ in rest]
            rows.append({
                "id": rule.id, "path": f"(+{len(rest)} more locations)", "kind": rule.kind, "tool": rule.tool,
                "level_hint": rule.level_hint, "files": sum(len(p) for _, p in rest),
                "present_at_head": any(p in head_set for _, ps in rest for p in ps),
                "first_seen": None, "first_commit": None, "location": max(set(locs), key=locs.count),
                "source": rule.source, "overflow": True,
            })
    return rows
