"""Run the readers over the given paths and fold their events into sessions.

De-duplication happens here, across all files (sessions.md §1.6-1.7): entries by uuid (a resumed or
checkpointed transcript repeats its history), usage by its key (one API response written on several
lines; the copy with the highest output wins), and a session already read from a raw log is not
counted again from a rendered transcript of it (SpecStory, Markdown).
"""

from __future__ import annotations

import getpass
import os
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import BinaryIO

from assess.errors import AssessWarning, InputError
from assess.sessions import aider, claude, claude_markdown, codex, entire, gemini, specstory
from assess.sessions.context import ReadContext
from assess.sessions.detect import PRIORITY, default_locations, find_logs
from assess.sessions.lines import MAX_LINE_BYTES
from assess.sessions.model import AGENT_KINDS, TOUCH_KINDS, Event, Session, SkippedLine, Tokens

READERS = {claude.FORMAT: claude.read, codex.FORMAT: codex.read, gemini.FORMAT: gemini.read,
           specstory.FORMAT: specstory.read, claude_markdown.FORMAT: claude_markdown.read}


@dataclass
class Collection:
    sessions: dict[str, Session] = field(default_factory=dict)
    skipped: list[SkippedLine] = field(default_factory=list)
    skipped_count: int = 0
    files: int = 0
    unreadable: list[str] = field(default_factory=list)
    checkpoints: dict[str, set[str]] = field(default_factory=dict)   # Entire checkpoint -> sessions
    repositories: list[Path] = field(default_factory=list)
    recognised: int = 0   # logs detected, before copies (archived Codex rollouts) are dropped
    usage_duplicates: int = 0
    entry_duplicates: int = 0
    roots: list[str] = field(default_factory=list)


@dataclass
class _Source:
    format: str
    name: str
    open: Callable[[], AbstractContextManager[BinaryIO]]
    order: tuple
    repository: Path | None = None
    aider_inputs: Path | None = None
    aider_inputs_blob: str | None = None   # `<commit>:<dir>/.aider.input.history` for a committed chat file


class _Folder:
    """Folds events into sessions with the cross-file de-duplication rules."""

    def __init__(self, coll: Collection, since: float | None, until: float | None, person: str) -> None:
        self.c = coll
        self.since, self.until, self.person = since, until, person
        self.seen_uids: set[int] = set()
        self.usage: dict[int, tuple[Session, str, Tokens]] = {}
        self.replayed: set[int] = set()   # "m:<message id>" of main-line calls, to drop /btw replays

    def fold(self, ev: Event, source: str, name: str, repository: Path | None) -> None:
        ts = ev.ts
        if ts is not None and ((self.since is not None and ts < self.since)
                               or (self.until is not None and ts >= self.until)):
            return
        if ev.uid is not None:
            # 64-bit hashes, not the strings: a GB of logs holds millions of entries (a collision,
            # odds ~1e-7 at 10^6 entries, would drop one event)
            h = hash(ev.uid)
            if h in self.seen_uids:
                self.c.entry_duplicates += 1
                return
            self.seen_uids.add(h)
        s = self.c.sessions.get(ev.session_id)
        if s is None:
            s = Session(ev.session_id, source, person=self.person)
            s.repository = str(repository) if repository else None
            self.c.sessions[ev.session_id] = s
        elif s.source != source and PRIORITY.get(source, 9) > PRIORITY.get(s.source, 9):
            return  # a rendered copy of a session already read from its raw log
        s.files.add(name)
        if ts is not None:
            s.start = ts if s.start is None or ts < s.start else s.start
            s.end = ts if s.end is None or ts > s.end else s.end
        kind = ev.kind
        if kind != "usage":
            s.count(kind)
        if ts is not None:
            if kind in TOUCH_KINDS:
                s.touch_times.append((ts, kind))
            elif kind in AGENT_KINDS or kind in ("program_prompt", "compaction"):
                s.agent_times.append(ts)
        if ev.cwd and not s.cwd:
            s.cwd = ev.cwd
        if ev.branch:
            s.branch = ev.branch
        if ev.headless:
            s.headless = True
        if ev.subagent_id:
            s.subagents.add(ev.subagent_id)
        if ev.commit_shas:
            s.commit_shas.update(ev.commit_shas)
        if ev.base_commit:
            s.base_commits.add(ev.base_commit)
        if ev.tokens is not None:
            self._usage(s, ev)

    def _usage(self, s: Session, ev: Event) -> None:
        model = ev.model or "unknown"
        tokens = ev.tokens
        assert tokens is not None
        key = ev.usage_key
        if key is not None:
            hkey = hash(key)
            if key.startswith("m:") and hkey in self.replayed:
                self.c.usage_duplicates += 1  # a sidechain replay of a main-line message: dropped
                return
            prior = self.usage.get(hkey)
            if prior is not None:
                self.c.usage_duplicates += 1
                ps, pmodel, ptok = prior
                if tokens.output > ptok.output:  # keep the line with the highest output count
                    acc = ps.tokens_by_model[pmodel]
                    acc.input += tokens.input - ptok.input
                    acc.output += tokens.output - ptok.output
                    acc.cache_read += tokens.cache_read - ptok.cache_read
                    acc.cache_write += tokens.cache_write - ptok.cache_write
                    self.usage[hkey] = (ps, pmodel, tokens)
                return
            self.usage[hkey] = (s, model, tokens)
            if not key.startswith(("m:", "md:", "gemini:")) and ":" in key:
                self.replayed.add(hash("m:" + key.split(":", 1)[0]))
        acc = s.tokens_by_model.get(model)
        if acc is None:
            acc = s.tokens_by_model[model] = Tokens()
        acc.add(tokens)
        s.models[model] = s.models.get(model, 0) + 1
        if ev.lower_bound_output:
            s.output_lower_bound = True
        if ev.cost_usd is not None:
            s.reported_cost_usd += ev.cost_usd


def collect(paths: Iterable[str | Path] | None = None, *, since: date | None = None, until: date | None = None,
            local_tz: tzinfo | None = None, person: str | None = None,
            max_line_bytes: int = MAX_LINE_BYTES) -> Collection:
    """Read every session log under `paths` (default: this user's Claude, Codex and Gemini folders).

    `until` is inclusive (the whole day). A path that does not exist is an `InputError`."""
    coll = Collection()
    roots = [Path(p) for p in paths] if paths else default_locations()
    for root in roots:
        if not root.exists():
            raise InputError(root, "no such file or folder")
    coll.roots = [str(r) for r in roots]
    ctx = ReadContext(local_tz=local_tz, max_line_bytes=max_line_bytes)
    sources = []
    rollouts: set[str] = set()
    for root in roots:
        before = coll.recognised
        found = list(_sources([root], coll, rollouts))
        if not found and coll.recognised == before and paths:
            _nothing_recognised(root)
        sources.extend(found)
    sources.sort(key=lambda s: s.order)
    folder = _Folder(coll, _day_start(since), _day_start(until + timedelta(days=1)) if until else None,
                     person or local_person())
    for src in sources:
        coll.files += 1
        try:
            with src.open() as stream:
                for ev in _read(src, stream, ctx):
                    folder.fold(ev, src.format, src.name, src.repository)
        except OSError as exc:
            coll.unreadable.append(f"{src.name}: {exc.strerror or exc}")
            ctx.skip(src.name, 0, f"unreadable: {exc.strerror or exc}")
    coll.skipped, coll.skipped_count = ctx.skipped, ctx.skipped_count
    # sessions with no timed event cannot be placed in time
    return coll


def _nothing_recognised(root: Path) -> None:
    """A path the user named that holds no session log: a file is an error (it was meant to be read),
    a folder a warning (it may simply hold no logs yet)."""
    if root.is_file():
        raise InputError(root, "not a session log this tool recognises (Claude Code, Codex, Gemini, Aider, "
                               "SpecStory or a Claude Markdown transcript) nor a sessions bundle")
    warnings.warn(f"no session logs recognised in {root}", AssessWarning, stacklevel=3)


def _read(src: _Source, stream: BinaryIO, ctx: ReadContext) -> Iterator[Event]:
    if src.format == aider.FORMAT:
        inputs = []
        try:
            if src.aider_inputs is not None:
                with open(src.aider_inputs, "rb") as fh:
                    inputs = aider.read_input_history(fh, ctx)
            elif src.aider_inputs_blob is not None and src.repository is not None:
                with entire.open_blob(src.repository, src.aider_inputs_blob) as fh:
                    inputs = aider.read_input_history(fh, ctx)
        except OSError:
            pass
        return aider.read(stream, src.name, ctx, inputs)
    if src.format == "entire":
        fmt = entire.sniff_blob(stream)
        if fmt is None:
            empty = not (stream.peek(1) if hasattr(stream, "peek") else b"")  # type: ignore[attr-defined]
            ctx.skip(src.name, 1, "blob missing from the repository (or empty)" if empty
                     else "checkpoint transcript in an unknown format")
            return iter(())
        return READERS[fmt](stream, src.name, ctx)
    return READERS[src.format](stream, src.name, ctx)


def _file_opener(path: Path) -> Callable[[], AbstractContextManager[BinaryIO]]:
    return lambda: open(path, "rb", buffering=1024 * 1024)


def _sources(roots: list[Path], coll: Collection, rollouts: set[str]) -> Iterator[_Source]:
    for root in roots:
        repo = root if root.is_dir() and (root / ".git").exists() and entire.is_repository(root) else None
        for found in find_logs(root):
            coll.recognised += 1
            if found.format == codex.FORMAT:
                # the same rollout in sessions/ and archived_sessions/: the first (active) copy wins
                if found.path.name in rollouts:
                    continue
                rollouts.add(found.path.name)
            try:
                st = found.path.stat()
            except OSError:
                continue
            sub = claude.is_subagent_file(str(found.path))
            inputs = found.path.with_name(aider.INPUT_NAME) if found.format == aider.FORMAT else None
            # rendered transcripts go in name order (their names start with the time); logs by age
            age = 0.0 if found.format in _NAME_ORDERED else st.st_mtime
            yield _Source(found.format, str(found.path), _file_opener(found.path),
                          (PRIORITY.get(found.format, 9), sub, age, _order_name(found.format, str(found.path))), repo,
                          inputs if inputs and inputs.is_file() else None)
        if repo is None:
            continue
        coll.repositories.append(repo)
        cps = entire.checkpoints(repo)
        for cid, sids in cps.session_of.items():
            coll.checkpoints.setdefault(cid, set()).update(sids)
        for sha, path in cps.transcripts:
            yield _Source("entire", f"{repo}@{cps.ref}:{path}", _blob_opener(repo, sha),
                          (0, False, 0.0, path), repo)
        for spec, path in entire.committed_transcripts(repo):
            if (repo / path).exists():
                continue
            fmt = (specstory.FORMAT if "/.specstory/" in f"/{path}" else
                   aider.FORMAT if path.endswith(aider.CHAT_NAME) else claude_markdown.FORMAT)
            companion = spec[: -len(aider.CHAT_NAME)] + aider.INPUT_NAME if fmt == aider.FORMAT else None
            yield _Source(fmt, f"{repo}@{spec}", _blob_opener(repo, spec),
                          (PRIORITY.get(fmt, 9), False, 0.0, _order_name(fmt, path)), repo,
                          aider_inputs_blob=companion)


_NAME_ORDERED = frozenset({claude_markdown.FORMAT, specstory.FORMAT})


def _order_name(fmt: str, path: str) -> str:
    return Path(path).name if fmt in _NAME_ORDERED else path


def _blob_opener(repo: Path, spec: str) -> Callable[[], AbstractContextManager[BinaryIO]]:
    return lambda: entire.open_blob(repo, spec)


def _day_start(d: date | None) -> float | None:
    if d is None:
        return None
    return datetime(d.year, d.month, d.day, tzinfo=timezone.utc).timestamp()


def local_person() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{os.uname().nodename if hasattr(os, 'uname') else 'host'}"
