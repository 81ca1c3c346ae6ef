"""The local forge store: a directory holding ``pulls.jsonl`` and ``manifest.json``.

``pulls.jsonl`` holds one normalised pull request per line. A fetch appends each pull request as
soon as it is complete (flushed and synced), so an interrupted run loses at most the one in
flight; a later line for the same (forge, repo, number) supersedes an earlier one, and the file is
compacted atomically when a run finishes. ``manifest.json`` (rewritten atomically) carries the
format version, forge, repository, fetched-at, the incremental high-water mark, conditional
request validators (ETags) and the resume cursor. A lock file keeps two writers apart.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from pathlib import Path
from typing import Any

from assess.errors import AssessError, InputError
from assess.fileio import atomic_open, to_json_text, write_text
from assess.forge.model import FORMAT, check_record, key
from assess.safeio import open_regular, read_bytes_bounded

PULLS = "pulls.jsonl"
MANIFEST = "manifest.json"
LOCK = ".lock"
MAX_LINE = 16 * 1024 * 1024  # one record above 16 MiB is not ours


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Store:
    """Open for reading with ``Store(path)``; write inside ``with Store(path).writing(...)``."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock_fh: Any = None

    # ---- reading -------------------------------------------------------------------------
    def exists(self) -> bool:
        return (self.path / MANIFEST).is_file()

    def manifest(self) -> dict[str, Any]:
        mf = self.path / MANIFEST
        if not mf.is_file():
            if self.path.is_file():
                raise InputError(self.path, "is a file, not a forge store directory",
                                 hint="give the directory written by `assess forge fetch` or `assess forge import`")
            raise InputError(self.path, "not a forge store (no manifest.json)",
                             hint="create one with `assess forge fetch` or `assess forge import`")
        try:
            data = json.loads(read_bytes_bounded(mf, what="forge store manifest").decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise InputError(mf, f"unreadable manifest: {exc}") from None
        if not isinstance(data, dict):
            raise InputError(mf, "manifest must be an object")
        if data.get("format") != FORMAT:
            raise InputError(mf, f"unsupported format {data.get('format')!r} (this assess reads {FORMAT})",
                             field="format")
        return data

    def records(self) -> list[dict[str, Any]]:
        """Every pull request, the last line per key winning, in (repo, number) order."""
        self.manifest()
        out: dict[tuple[str, str, int], dict[str, Any]] = {}
        path = self.path / PULLS
        if not path.exists():
            return []
        # a regular file only: a FIFO or device planted in a store would hang the read
        with os.fdopen(open_regular(path, max_bytes=None, what="forge store file"), "rb") as fh:
            for lineno, raw in enumerate(fh, 1):
                if len(raw) > MAX_LINE:
                    raise InputError(path, "record too large", line=lineno)
                if not raw.endswith(b"\n"):
                    break  # a line cut by an interrupted write: the next fetch repairs it
                if not raw.strip():
                    continue
                try:
                    rec = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
                    raise InputError(path, f"not valid JSON: {exc}", line=lineno) from None
                problem = check_record(rec)
                if problem:
                    field, _, why = problem.partition(": ")
                    raise InputError(path, why, line=lineno, field=field)
                out[key(rec)] = rec
        return [out[k] for k in sorted(out)]

    # ---- writing -------------------------------------------------------------------------
    def writing(self, *, forge: str, repo: str | None) -> StoreWriter:
        return StoreWriter(self, forge=forge, repo=repo)


class StoreWriter:
    """Holds the store lock; appends records and saves the manifest as work progresses."""

    def __init__(self, store: Store, *, forge: str, repo: str | None) -> None:
        self.store = store
        self.forge = forge
        self.repo = repo
        self.manifest: dict[str, Any] = {}
        self._fh: Any = None
        self._lock: Any = None

    def __enter__(self) -> StoreWriter:
        path = self.store.path
        if path.exists() and not path.is_dir():
            raise AssessError(f"{path}: exists and is not a directory", hint="give a directory for the store")
        if path.is_dir() and any(path.iterdir()) and not (path / MANIFEST).exists():
            raise AssessError(f"{path}: directory is not empty and is not a forge store",
                              hint="give a new or empty directory")
        try:
            path.mkdir(parents=True, exist_ok=True)
            self._lock = open(path / LOCK, "a+")
        except OSError as exc:
            raise AssessError(f"{path}: cannot write the store: {exc.strerror or exc}") from None
        try:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock.close()
            self._lock = None
            raise AssessError(f"{path}: another assess process is writing this store",
                              hint="wait for it to finish") from None
        try:
            self._open_manifest()
        except BaseException:
            self._release()
            raise
        return self

    def _open_manifest(self) -> None:
        path = self.store.path
        if (path / MANIFEST).exists():
            self.manifest = self.store.manifest()
            held = (self.manifest.get("forge"), self.manifest.get("repo"))
            if self.repo is not None and held[1] is not None and held != (self.forge, self.repo):
                raise AssessError(f"{path}: store holds {held[0]} {held[1]}, not {self.forge} {self.repo}",
                                  hint="use one store per repository")
        else:
            self.manifest = {"format": FORMAT, "forge": self.forge, "repo": self.repo, "fetched_at": None,
                             "high_water": None, "cursor": None, "etags": {}, "sources": []}
            self.save()
        if self.manifest.get("repo") is None and self.repo is not None:
            self.manifest["repo"] = self.repo
        self._repair()
        self._fh = open(path / PULLS, "a", encoding="utf-8")

    def _repair(self) -> None:
        """Cut a partial last line left by an interrupted write."""
        pulls = self.store.path / PULLS
        if not pulls.exists() or pulls.stat().st_size == 0:
            return
        with open(pulls, "rb+") as fh:
            data = fh.read()
            if data.endswith(b"\n"):
                return
            fh.truncate(data.rfind(b"\n") + 1)

    def append(self, record: dict[str, Any], *, sync: bool = True) -> None:
        """Write one complete pull request, synced to disk before returning (a fetch: each costs
        requests). Bulk writers of data already on disk (imports) pass ``sync=False``; the final
        compaction is atomic either way."""
        self._fh.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        if sync:
            self._fh.flush()
            os.fsync(self._fh.fileno())

    def save(self, **changes: Any) -> None:
        self.manifest.update(changes)
        write_text(self.store.path / MANIFEST, to_json_text(self.manifest))

    def compact(self) -> int:
        """Rewrite pulls.jsonl with one line per pull request (atomically); return the count."""
        self._fh.close()
        records = self.store.records()
        with atomic_open(self.store.path / PULLS) as out:
            for rec in records:
                out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._fh = open(self.store.path / PULLS, "a", encoding="utf-8")
        return len(records)

    def finish(self, *, source: str) -> int:
        n = self.compact()
        sources = list(self.manifest.get("sources") or [])
        sources.append({"source": source, "at": _now()})
        self.save(fetched_at=_now(), sources=sources[-20:], pull_requests=n)
        return n

    def _release(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if self._lock is not None:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def __exit__(self, *exc: object) -> None:
        self._release()
