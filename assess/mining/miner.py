"""Mine a repository: history frames, attribution, line records and artefacts, in one call."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from assess.errors import AssessError
from assess.mining import cache as cache_mod
from assess.mining.artefacts import find_artefacts, head_paths, load_artefact_rules
from assess.mining.attribution import apply_line_records, attribute
from assess.mining.cadence import apply_cadence, load_cadence_limits
from assess.mining.catalogue import Catalogue, load_catalogue
from assess.mining.forked import started
from assess.mining.gitrepo import Repository, open_repository
from assess.mining.history import PARALLEL_MIN_COMMITS, ParsedHistory, stream_history, to_frames
from assess.mining.identities import assign_person_ids
from assess.mining.linerecords import read_line_records
from assess.mining.refs import ALL_REFS_SPEC, RefSet, list_refs, reachable, refs_block
from assess.mining.share import ai_line_weights, load_session_line_weight
from assess.mining.signals import first_parent_chain

MAX_BRANCH_WALKS = 5000  # merges of agent branches whose commits we look up


@dataclass
class MiningStats:
    parsed_commits: int = 0  # commits parsed from git in this run (0 when the cache was current)
    cached_commits: int = 0  # commits taken from the cache
    cache: str = "off"  # off | miss | hit | incremental | rebuilt


@dataclass
class RepoMining:
    """Everything collected from one repository; no judgement."""

    repo: Repository
    rev: str
    head: str
    shallow: bool
    commits: pd.DataFrame
    files: pd.DataFrame
    artefacts: list[dict]
    line_records: pd.DataFrame
    catalogue: Catalogue
    remote_url: str | None
    stats: MiningStats = field(default_factory=MiningStats)
    lines_available: bool = True
    missing_paths: int = 0
    since: str | None = None
    until: str | None = None
    # --all-refs: the refs mined and the side refs among them (None: only ``rev``'s history)
    refs: dict | None = None


def default_jobs() -> int:
    """git processes to run side by side: one per core, at most four."""
    return max(1, min(os.cpu_count() or 1, 4))


def _mine_parsed(repo: Repository, rev: str, head: str, use_cache: bool,
                 on_progress: Callable[[int], None] | None, jobs: int,
                 refset: RefSet | None = None) -> tuple[ParsedHistory, MiningStats]:
    stats = MiningStats()
    # with --all-refs git log walks every branch, tag and remote ref besides ``head``: each commit once
    revs = [head, *ALL_REFS_SPEC] if refset is not None else [head]
    if not use_cache or ".." in rev:
        parsed = stream_history(repo, revs, on_progress=on_progress, jobs=jobs)
        stats.parsed_commits = parsed.n_commits
        return parsed, stats
    roots = repo.root_commits(head) + [f"mailmap:{_mailmap_fingerprint(repo, head)}"]
    # the two modes never share a cache file (the key differs), and an all-refs entry holds only
    # while no ref was added, moved or removed (the ref set's fingerprint is one of its roots)
    key = rev if refset is None else f"{rev} --all-refs"
    if refset is not None:
        roots.append(f"refs:{refset.fingerprint}")
    entry = cache_mod.load(repo.common_dir, key)
    if entry is not None and entry.roots == roots and entry.head == head:
        stats.cache, stats.cached_commits = "hit", entry.history.n_commits
        return entry.history, stats
    if refset is None and entry is not None and entry.roots == roots and repo.rev_parse(entry.head) == entry.head \
            and repo.is_ancestor(entry.head, head):
        new = stream_history(repo, [head, f"^{entry.head}"], on_progress=on_progress, jobs=jobs)
        # git log lists newest first: new rows go in front of the cached ones
        parsed = ParsedHistory(new.commits + entry.history.commits, new.files + entry.history.files,
                               new.lines_available and entry.history.lines_available,
                               max(new.missing_paths, entry.history.missing_paths))
        stats.cache, stats.parsed_commits, stats.cached_commits = "incremental", new.n_commits, entry.history.n_commits
    else:
        parsed = stream_history(repo, revs, on_progress=on_progress, jobs=jobs)
        stats.cache = "rebuilt" if entry is not None else "miss"
        stats.parsed_commits = parsed.n_commits
    if parsed.lines_available:  # a paths-only reading is never kept: the blobs may be back next run
        cache_mod.save(cache_mod.CacheEntry(cache_mod.CACHE_FORMAT, str(repo.common_dir), key, roots, head, parsed))
    return parsed, stats


def _mailmap_fingerprint(repo: Repository, head: str) -> str:
    """Identities in the cache were mapped through .mailmap, and history through replace refs and
    grafts: a change to any of them (including the file named by ``mailmap.file`` or the blob named
    by ``mailmap.blob``) invalidates the cached rows."""
    import hashlib

    h = hashlib.sha256()
    if repo.work_tree is not None and (repo.work_tree / ".mailmap").is_file():
        h.update(_bounded_read(repo.work_tree / ".mailmap"))
    else:
        h.update(repo.run("cat-file", "-p", f"{head}:.mailmap").stdout)
    for key in ("mailmap.file", "mailmap.blob"):
        value = repo.run("config", "--get", key).stdout
        h.update(b"\0" + key.encode() + b"=" + value)
        name = value.decode("utf-8", "replace").strip()
        if not name:
            continue
        if key == "mailmap.file":
            target = Path(os.path.expanduser(name))
            if not target.is_absolute():  # git resolves it from where it runs: the work tree
                target = (repo.work_tree or repo.git_dir) / target
            h.update(_bounded_read(target))
        else:
            h.update(repo.run("cat-file", "-p", name).stdout)
    # `git replace` and grafts rewrite what `git log` shows without changing the head
    h.update(repo.run("for-each-ref", "--format=%(refname) %(objectname)", "refs/replace/").stdout)
    h.update(b"\0grafts")
    h.update(_bounded_read(repo.common_dir / "info" / "grafts"))
    h.update(os.environ.get("GIT_NO_REPLACE_OBJECTS", "").encode())
    return h.hexdigest()[:16]


def _bounded_read(path: Path) -> bytes:
    """A fingerprint of a small config-named file; its absence or oddity is part of the fingerprint."""
    import stat

    try:
        st = os.stat(path)
    except OSError:
        return b"\0missing"
    if not stat.S_ISREG(st.st_mode):
        return b"\0not-a-file"
    if st.st_size > 16 * 1024 * 1024:
        return f"\0large:{st.st_size}:{st.st_mtime_ns}".encode()
    try:
        return path.read_bytes()
    except OSError:
        return b"\0unreadable"


def _branch_commits(repo: Repository, commits: pd.DataFrame, catalogue: Catalogue) -> dict[str, list[str]]:
    """For merges whose subject names an agent branch: the commits that branch brought in."""
    from assess.mining.attribution import merged_branch_name

    branch_rules = [r for r in catalogue.rules() if r.field == "branch"]
    if not branch_rules:
        return {}
    merges = commits.loc[commits["is_merge"], ["sha", "parents", "subject"]]
    out: dict[str, list[str]] = {}
    for sha, parents, subject in merges.itertuples(index=False):
        name = merged_branch_name(subject)
        if not name or not any(r.pattern.search(name) for r in branch_rules):
            continue
        p = parents.split()
        shas = repo.git("rev-list", p[1], *[f"^{x}" for x in p[:1]]).decode().split()
        out[sha] = shas
        if len(out) >= MAX_BRANCH_WALKS:
            break
    return out


def mine_repository(path: str | os.PathLike[str], *, rev: str = "HEAD", since: str | None = None,
                    until: str | None = None, use_cache: bool = True, signatures: str | Path | None = None,
                    artefact_rules: str | Path | None = None, rubric: str | Path | None = None,
                    on_progress: Callable[[int], None] | None = None, jobs: int | None = None,
                    all_refs: bool = False) -> RepoMining:
    """Mine the history reachable from ``rev`` of the repository at ``path`` (with ``all_refs``:
    from ``rev`` and every branch, tag and remote-tracking ref; ``rev`` still anchors the main line).

    ``since``/``until`` (anything pandas parses as a date) restrict the commits kept, by author time;
    the cache always holds the whole history, so changing the window costs no re-mining.
    ``rubric`` supplies the cadence limits and the AI-share definition (default: the bundled rubric).
    """
    from assess.frames import python_strings

    with python_strings():  # many small frames: see assess.frames
        return _mine_repository(path, rev=rev, since=since, until=until, use_cache=use_cache, signatures=signatures,
                                artefact_rules=artefact_rules, rubric=rubric, on_progress=on_progress, jobs=jobs,
                                all_refs=all_refs)


def _mine_repository(path: str | os.PathLike[str], *, rev: str, since: str | None, until: str | None,
                     use_cache: bool, signatures: str | Path | None, artefact_rules: str | Path | None,
                     rubric: str | Path | None, on_progress: Callable[[int], None] | None, jobs: int | None,
                     all_refs: bool) -> RepoMining:
    catalogue = load_catalogue(signatures)  # validate the user's file before any slow work
    cadence_limits = load_cadence_limits(rubric)
    session_weight = load_session_line_weight(rubric)
    rules = load_artefact_rules(artefact_rules)
    repo = open_repository(path)
    head = repo.rev_parse(rev)
    if head is None:
        if rev == "HEAD":
            raise AssessError(f"{repo.path}: the repository has no commits yet (HEAD points to no commit)",
                              hint="commit something, or pass --rev with a branch that has commits")
        raise AssessError(f"{repo.path}: revision '{rev}' not found", hint="check `git branch -a` / `git tag`")
    shallow = repo.is_shallow()
    refset = list_refs(repo) if all_refs else None
    parsed, stats = _mine_parsed(repo, rev, head, use_cache, on_progress, jobs or default_jobs(), refset)
    commits, files = to_frames(parsed)
    # the main line is a property of the whole history: mark it before any window filter
    commits["first_parent"] = commits["sha"].isin(first_parent_chain(commits, head))
    refs = None
    if refset is not None:
        on_rev = reachable(repo, head)
        commits["side_only"] = ~commits["sha"].isin(on_rev)  # reached only from another ref
        refs = refs_block(refset, on_rev)
    window_since, window_until = _parse_window(since, until)
    if window_since is not None or window_until is not None:
        keep = pd.Series(True, index=commits.index)
        if window_since is not None:
            keep &= commits["author_time"] >= window_since
        if window_until is not None:
            keep &= commits["author_time"] <= window_until
        commits = commits[keep].reset_index(drop=True)
        files = files[files["sha"].isin(set(commits["sha"]))].reset_index(drop=True)
        if commits.empty:
            raise AssessError(f"{repo.path}: no commits were authored between {since or 'the start'} and "
                              f"{until or 'the end'}", hint="widen --since/--until")

    def artefacts_of(_progress: object = None, commits: pd.DataFrame = commits) -> list[dict]:
        # needs only the commits' times and the files, not their attribution
        return find_artefacts(repo, head, commits, files, rules, head_paths(repo, head))

    # on a long history another process finds the artefacts while this one attributes the commits
    side = (jobs or default_jobs()) > 1 and len(commits) >= PARALLEL_MIN_COMMITS
    with started([artefacts_of] if side else []) as side_results:
        commits = attribute(commits, catalogue, _branch_commits(repo, commits, catalogue))
        line_records = read_line_records(repo, head, set(commits["sha"]))
        commits = apply_line_records(commits, line_records)
        commits["person"] = assign_person_ids(commits)
        # per identity, over the kept commits: a pace no person keeps is inferred agent work
        commits = apply_cadence(commits, files, cadence_limits)
        commits["ai_line_weight"] = ai_line_weights(commits, session_weight)
        artefacts = side_results()[0] if side else artefacts_of()
    return RepoMining(repo=repo, rev=rev, head=head, shallow=shallow, commits=commits, files=files,
                      artefacts=artefacts, line_records=line_records, catalogue=catalogue,
                      remote_url=repo.remote_url(), stats=stats, since=since, until=until,
                      lines_available=parsed.lines_available, missing_paths=parsed.missing_paths, refs=refs)


def _parse_window(since: str | None, until: str | None) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    out = []
    for name, value in (("--since", since), ("--until", until)):
        if value is None:
            out.append(None)
            continue
        try:
            ts = pd.Timestamp(value)
        except (ValueError, TypeError):
            raise AssessError(f"{name} '{value}' is not a date", hint="use YYYY-MM-DD") from None
        ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
        if name == "--until" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            ts += pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)  # a date means the whole day
        out.append(ts)
    if out[0] is not None and out[1] is not None and out[0] > out[1]:
        raise AssessError(f"--since {since} is after --until {until}: no date can be in that window",
                          hint="swap the two dates")
    return out[0], out[1]
