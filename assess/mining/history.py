"""Stream one ``git log`` process into two frames: commits and file changes.

The log is read as NUL-delimited bytes (``-z``, ``--numstat``) and parsed chunk by chunk, so the
cost stays close to git's own and memory holds only the parsed rows.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import pandas as pd

from assess.errors import AssessError
from assess.mining.gitrepo import Repository, git_env
from assess.mining.trailers import parse_trailers

# A record starts with this marker. Commit messages and paths cannot hold NUL, so a NUL-framed
# marker cannot occur inside a record except as a whole path token, which this one never is.
_MARK = b"\x00\x01assess-commit\x02\x00"
_FIELDS = ["%H", "%P", "%aN", "%aE", "%an", "%ae", "%cN", "%cE", "%cn", "%ce", "%at", "%ai", "%ct", "%ci", "%B"]
LOG_FORMAT = "%x00%x01assess-commit%x02%x00" + "%x00".join(_FIELDS) + "%x00"
_N_HEADER = len(_FIELDS)
# Reason: the longest real commit messages (squashed PR bodies, changelogs) are tens of KB; beyond
# 256 KB a message is cut so a hostile one costs bounded time and memory.
MAX_MESSAGE_BYTES = 256 * 1024
TRUNCATED_MARK = b"[... message truncated by assess ...]"

COMMIT_COLUMNS = [
    "sha", "parents", "is_merge", "author_name", "author_email", "author_name_raw", "author_email_raw",
    "committer_name", "committer_email", "committer_name_raw", "committer_email_raw",
    "author_time", "author_tz_minutes", "commit_time", "commit_tz_minutes",
    "subject", "body", "trailers", "files", "added", "deleted", "binary_files",
]
FILE_COLUMNS = ["sha", "path", "added", "deleted", "binary", "renamed_from"]


@dataclass
class ParsedHistory:
    """Raw rows straight from git, before any judgement."""

    commits: list[tuple] = field(default_factory=list)
    files: list[tuple] = field(default_factory=list)
    lines_available: bool = True  # False when blobs were missing and only paths could be read
    missing_paths: int = 0  # paths whose contents are missing; their lines are not counted
    blob_refs: list[tuple[int, str, str]] = field(default_factory=list, repr=False)  # raw mode only

    @property
    def n_commits(self) -> int:
        return len(self.commits)


def decode_text(raw: bytes) -> str:
    """UTF-8 if it is valid, else Latin-1 (which never fails and is right for most legacy bytes)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _tz_minutes(git_date: bytes) -> int:
    # "%ai" ends with "+0130"
    tz = git_date.rsplit(b" ", 1)[-1]
    try:
        sign = -1 if tz[:1] == b"-" else 1
        return sign * (int(tz[1:3]) * 60 + int(tz[3:5]))
    except (ValueError, IndexError):
        return 0


def _parse_numstat(section: bytes, sha: str, out_files: list[tuple]) -> tuple[int, int, int, int]:
    """Parse the ``--numstat -z`` part of one record; returns files, added, deleted, binary count."""
    tokens = section.lstrip(b"\x00\n").split(b"\x00")
    n_files = added_sum = deleted_sum = n_binary = 0
    i = 0
    n = len(tokens)
    while i < n:
        token = tokens[i]
        i += 1
        if not token:
            continue
        parts = token.split(b"\t", 2)
        if len(parts) != 3:
            continue
        a_raw, d_raw, path_raw = parts
        renamed_from: str | None = None
        if path_raw == b"":  # rename/copy: the next two tokens are the old and new path
            if i + 1 >= n:
                break  # truncated output; never invent a path
            renamed_from = decode_text(tokens[i])
            path_raw = tokens[i + 1]
            i += 2
        binary = a_raw == b"-"
        added = 0 if binary else int(a_raw)
        deleted = 0 if binary else int(d_raw)
        out_files.append((sha, decode_text(path_raw), added, deleted, binary, renamed_from))
        n_files += 1
        added_sum += added
        deleted_sum += deleted
        n_binary += binary
    return n_files, added_sum, deleted_sum, n_binary


def _parse_raw(section: bytes, sha: str, out_files: list[tuple],
               blob_refs: list[tuple[int, str, str]] | None = None) -> tuple[int, int, int, int]:
    """Parse ``--raw -z`` entries (used when blobs are missing): paths and blob ids, no line counts."""
    tokens = section.lstrip(b"\x00\n").split(b"\x00")
    n_files = 0
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if not token.startswith(b":"):
            continue
        fields = token.split()
        status = fields[-1][:1]
        if blob_refs is not None and len(fields) >= 4:
            blob_refs.append((len(out_files), fields[2].decode("ascii"), fields[3].decode("ascii")))
        if status in (b"R", b"C") and i + 1 < len(tokens):
            out_files.append((sha, decode_text(tokens[i + 1]), 0, 0, False, decode_text(tokens[i])))
            i += 2
        elif i < len(tokens):
            out_files.append((sha, decode_text(tokens[i]), 0, 0, False, None))
            i += 1
        n_files += 1
    return n_files, 0, 0, 0


def _parse_record(record: bytes, out: ParsedHistory, raw: bool = False,
                  spans: list[tuple[int, int]] | None = None) -> None:
    parts = record.split(b"\x00", _N_HEADER)
    if len(parts) < _N_HEADER:
        raise AssessError("git log produced a record assess cannot read (truncated output)")
    (sha_b, parents_b, an, ae, an_raw, ae_raw, cn, ce, cn_raw, ce_raw, at, ai, ct, ci, body_b) = parts[:_N_HEADER]
    rest = parts[_N_HEADER] if len(parts) > _N_HEADER else b""
    sha = sha_b.decode("ascii")
    if len(body_b) > MAX_MESSAGE_BYTES:
        # a hostile 200 MB message: keep the subject and the end (where trailers live), mark the cut
        body_b = body_b[:MAX_MESSAGE_BYTES // 2] + b"\n" + TRUNCATED_MARK + b"\n" + body_b[-MAX_MESSAGE_BYTES // 2:]
    message = decode_text(body_b)
    subject, _, body = message.partition("\n")
    first_file = len(out.files)
    if raw:
        files, added, deleted, n_binary = _parse_raw(rest, sha, out.files, out.blob_refs)
    else:
        files, added, deleted, n_binary = _parse_numstat(rest, sha, out.files)
    if spans is not None:
        spans.append((first_file, len(out.files)))
    parents = parents_b.decode("ascii")
    out.commits.append((
        sha, parents, len(parents.split()) > 1,
        decode_text(an), decode_text(ae), decode_text(an_raw), decode_text(ae_raw),
        decode_text(cn), decode_text(ce), decode_text(cn_raw), decode_text(ce_raw),
        int(at or 0), _tz_minutes(ai), int(ct or 0), _tz_minutes(ci),
        subject, body, tuple(parse_trailers(message)), files, added, deleted, n_binary,
    ))


# A single record (one commit) is kept to its first MB and its last 16 MB (the --numstat list of a
# huge commit); a longer one (a hostile 200 MB message) loses its middle, so memory stays bounded.
_KEEP_HEAD = 1 << 20
_KEEP_TAIL = 16 << 20


def iter_records(stream: Iterable[bytes]) -> Iterator[bytes]:
    """Split a byte stream of ``git log`` output into per-commit records, in linear time: each
    chunk is searched once for the record marker (never the whole buffer again)."""
    buf = bytearray()
    scan = 0
    for chunk in stream:
        if not chunk:
            continue
        buf += chunk
        start = 0
        while True:
            i = buf.find(_MARK, scan)
            if i < 0:
                break
            if i > start:
                yield bytes(buf[start:i])
            start = scan = i + len(_MARK)
        if start:
            del buf[:start]
        scan = max(0, len(buf) - len(_MARK) + 1)
        if len(buf) > _KEEP_HEAD + 2 * _KEEP_TAIL:
            del buf[_KEEP_HEAD:len(buf) - _KEEP_TAIL]
            buf[_KEEP_HEAD:_KEEP_HEAD] = b"\n" + TRUNCATED_MARK + b"\n"
            scan = max(0, len(buf) - len(_MARK) + 1)
    if buf:
        yield bytes(buf)


def log_command(repo: Repository, revs: list[str], *, since: str | None = None,
                until: str | None = None, raw: bool = False) -> list[str]:
    # raw mode runs when contents are missing: rename detection would have to read them
    # --no-textconv/--no-ext-diff: git log would otherwise run diff drivers named in the
    # repository's own config and .gitattributes, i.e. programs chosen by whoever made the repository
    args = ["log", "--use-mailmap", "-z", "--no-textconv", "--no-ext-diff",
            *(["--raw", "--no-renames"] if raw else ["--numstat", "-M"]), "--no-color", "--no-abbrev",
            "--encoding=UTF-8", f"--format={LOG_FORMAT}"]
    if since:
        args.append(f"--since={since}")
    if until:
        args.append(f"--until={until}")
    return repo.git_command(*args, *revs, *([] if "--" in revs else ["--"]))


PARALLEL_MIN_COMMITS = 2000  # below this a second git process costs more than it saves


def stream_history(repo: Repository, revs: list[str], *, since: str | None = None,
                   until: str | None = None, on_progress: Callable[[int], None] | None = None,
                   jobs: int = 1) -> ParsedHistory:
    """Run ``git log`` over ``revs`` (e.g. ``["HEAD"]`` or ``["new", "^old"]``) and parse it.

    With ``jobs`` > 1 and a long history, the commit list is split into interleaved parts, each
    diffed by its own ``git log --no-walk --stdin`` so git uses several cores; the result is the
    same, in the same order. When file contents are missing (a snapshot without its large blobs,
    a broken partial clone), the history is read again with paths only (``lines_available``)."""
    if repo.is_partial_clone():
        # contents missing by design, and reading them would fetch from the remote: never do that
        return _with_missing_objects(repo, revs, since, until, on_progress)
    try:
        if jobs > 1:
            shas = repo.git("rev-list", *([f"--since={since}"] if since else []),
                            *([f"--until={until}"] if until else []), *revs, "--").split()
            if len(shas) >= PARALLEL_MIN_COMMITS:
                return _stream_parallel(repo, [s.decode() for s in shas], jobs, on_progress)
        return _stream(repo, revs, since, until, on_progress, raw=False)
    except MissingObjects:
        return _with_missing_objects(repo, revs, since, until, on_progress)


MAX_EXCLUDED_PATHS = 2000


def _with_missing_objects(repo: Repository, revs: list[str], since: str | None, until: str | None,
                          on_progress: Callable[[int], None] | None) -> ParsedHistory:
    """Read every change as paths and blob ids, find which blobs are missing, then count lines for
    every other path with a second ``git log --numstat`` that leaves the affected paths out."""
    out = _stream(repo, revs, since, until, on_progress, raw=True)
    zero = "0" * 40
    oids = {o for _, a, b in out.blob_refs for o in (a, b) if o != zero and not o.startswith("0000000")}
    missing = _missing_blobs(repo, oids)
    bad_rows = {i for i, a, b in out.blob_refs if a in missing or b in missing}
    bad_paths = {out.files[i][1] for i in bad_rows} | {out.files[i][5] for i in bad_rows if out.files[i][5]}
    out.blob_refs = []
    if not bad_paths:  # nothing is missing after all (e.g. a partial clone with every blob here)
        return _stream(repo, revs, since, until, None, raw=False)
    if len(bad_paths) > MAX_EXCLUDED_PATHS:
        out.lines_available = False
        return out
    excludes = [f":(exclude,literal){p}" for p in sorted(bad_paths)]
    counted = _stream(repo, [*revs, "--full-history", "--", ".", *excludes], since, until, None, raw=False)
    lines = {(f[0], f[1]): f for f in counted.files}
    files = [lines.get((f[0], f[1]), f) for f in out.files]
    totals: dict[str, list[int]] = {}
    for f in files:
        t = totals.setdefault(f[0], [0, 0, 0])
        t[0] += f[2]
        t[1] += f[3]
        t[2] += bool(f[4])
    commits = [c[:19] + tuple(totals.get(c[0], (0, 0, 0))) for c in out.commits]
    return ParsedHistory(commits, files, True, len(bad_paths))


def _missing_blobs(repo: Repository, oids: set[str]) -> set[str]:
    if not oids:
        return set()
    if repo.is_partial_clone():
        # asking for a missing object in a partial clone would fetch it; list what is here instead
        present = repo.git("cat-file", "--batch-check=%(objectname)", "--batch-all-objects").decode().split()
        return oids - set(present)
    proc = repo.run("cat-file", "--batch-check", input="".join(f"{o}\n" for o in oids).encode())
    return {line.split()[0] for line in proc.stdout.decode("ascii", errors="replace").splitlines()
            if line.endswith(" missing")}


class MissingObjects(AssessError):
    pass


# Blocks of consecutive commits per git process. Reason: a block keeps each commit's parent (the
# next commit in git's order) in the same process, so its tree is still in git's cache when it is
# diffed; splitting every other commit made each git read twice the trees (100,000 commits: 15.5 s
# of CPU in the two git+parser processes against 11.3 s in two blocks). Several blocks per process
# keep the processes' shares even when old and new history differ in size.
BLOCKS_PER_JOB = 4


def _stream_parallel(repo: Repository, shas: list[str], jobs: int,
                     on_progress: Callable[[int], None] | None) -> ParsedHistory:
    """The commit list is cut into blocks of consecutive commits, dealt out to ``jobs`` processes
    in turn; each diffs its blocks with its own git process and parses them in its own process (see
    :mod:`assess.mining.forked`), so parsing uses every core too; the blocks are put back in git's
    order."""
    from assess.mining.forked import run_side_by_side

    n = len(shas)
    blocks = max(1, min(n, jobs * BLOCKS_PER_JOB))
    bounds = [n * b // blocks for b in range(blocks + 1)]
    mine = [list(range(i, blocks, jobs)) for i in range(jobs)]  # the blocks process i diffs

    def part(i: int) -> Callable[[Callable[[int], None]], tuple[list[tuple], list[tuple], list[tuple[int, int]]]]:
        def parse(progress: Callable[[int], None]) -> tuple[list[tuple], list[tuple], list[tuple[int, int]]]:
            spans: list[tuple[int, int]] = []
            stdin = [sha for b in mine[i] for sha in shas[bounds[b]:bounds[b + 1]]]
            parsed = _stream(repo, [], None, None, progress, raw=False, stdin_shas=stdin, spans=spans)
            return parsed.commits, parsed.files, spans  # built-in values: they cross the pipe cheaply

        return parse

    results = run_side_by_side([part(i) for i in range(jobs)], on_progress)
    out = ParsedHistory()
    taken = [0] * jobs  # commits of each process already put back
    for b in range(blocks):
        commits, files, spans = results[b % jobs]
        first, size = taken[b % jobs], bounds[b + 1] - bounds[b]
        if len(commits) < first + size:
            raise AssessError(f"{repo.path}: git log returned fewer commits than it was asked for")
        taken[b % jobs] += size
        if not size:
            continue
        out.commits.extend(commits[first:first + size])
        out.files.extend(files[spans[first][0]:spans[first + size - 1][1]])
    return out


def _stream(repo: Repository, revs: list[str], since: str | None, until: str | None,
            on_progress: Callable[[int], None] | None, *, raw: bool, stdin_shas: list[str] | None = None,
            spans: list[tuple[int, int]] | None = None) -> ParsedHistory:
    out = ParsedHistory()
    cmd = log_command(repo, revs, since=since, until=until, raw=raw)
    if stdin_shas is not None:
        cmd = cmd[:-1] + ["--no-walk=unsorted", "--stdin", "--"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.PIPE if stdin_shas is not None else subprocess.DEVNULL,
                            env=git_env(), bufsize=0)
    assert proc.stdout is not None and proc.stderr is not None
    if stdin_shas is not None:
        def feed() -> None:
            try:
                proc.stdin.write(("\n".join(stdin_shas) + "\n").encode())
                proc.stdin.close()
            except (OSError, ValueError):  # git exited (error, Ctrl-C) or the pipe was closed
                pass

        threading.Thread(target=feed, daemon=True).start()
    last_report = 0

    def chunks() -> Iterator[bytes]:
        while True:
            chunk = proc.stdout.read(1 << 20)
            if not chunk:
                return
            yield chunk

    try:
        for record in iter_records(chunks()):
            _parse_record(record, out, raw, spans)
            if on_progress is not None and out.n_commits - last_report >= 2000:
                last_report = out.n_commits
                on_progress(out.n_commits)
    finally:
        proc.stdout.close()
        stderr = proc.stderr.read()
        proc.stderr.close()
        code = proc.wait()
    if code != 0:
        detail = decode_text(stderr).strip().splitlines()
        if not raw and any("unable to read" in d or "missing blob" in d or "bad object" in d for d in detail):
            raise MissingObjects(f"{repo.path}: objects missing")
        raise AssessError(f"{repo.path}: git log failed: {detail[-1] if detail else f'exit code {code}'}",
                          hint="the repository may have missing or unreadable objects; try `git fsck`")
    if on_progress is not None:
        on_progress(out.n_commits)
    return out


# Reason: pandas timestamps end in 2262 and a commit cannot be from the future; a clock that far
# off is a wrong or hostile date. One day of slack covers time zones and clock skew.
FUTURE_SLACK_SECONDS = 86_400
EARLIEST_SECONDS = -9_000_000_000  # 1684: pandas' lower bound is 1677


def clamp_times(author: list[int], committer: list[int], now: float | None = None) -> tuple[list[int], list[int], list[bool]]:
    """Dates in the future (2100, year 10000) or before 1684 are clamped so mining neither crashes
    nor stretches its window: an author date beyond now takes the committer date when that one is
    plausible, else the newest plausible date in the history (so an archived repository keeps its
    age); returns the new author and committer times and which commits were clamped."""
    import time

    limit = int((time.time() if now is None else now) + FUTURE_SLACK_SECONDS)

    def ok(t: int) -> bool:
        return EARLIEST_SECONDS <= t <= limit

    plausible = [t for t in author if ok(t)] + [t for t in committer if ok(t)]
    fallback = max(plausible) if plausible else min(limit, int(time.time() if now is None else now))
    new_author, new_committer, clamped = [], [], []
    for a, c in zip(author, committer):
        c2 = c if ok(c) else (a if ok(a) else fallback)
        a2 = a if ok(a) else c2
        new_author.append(a2)
        new_committer.append(c2)
        clamped.append(a2 != a or c2 != c)
    return new_author, new_committer, clamped


def to_frames(parsed: ParsedHistory) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build the commits and file-changes frames from parsed rows."""
    commits = pd.DataFrame.from_records(parsed.commits, columns=COMMIT_COLUMNS)
    author, committer, clamped = clamp_times([int(x) for x in commits["author_time"]],
                                             [int(x) for x in commits["commit_time"]])
    commits["author_time"] = pd.to_datetime(pd.Series(author, index=commits.index, dtype="int64"), unit="s", utc=True)
    commits["commit_time"] = pd.to_datetime(pd.Series(committer, index=commits.index, dtype="int64"), unit="s", utc=True)
    commits["time_clamped"] = pd.Series(clamped, index=commits.index, dtype=bool)
    for col in ("files", "added", "deleted", "binary_files", "author_tz_minutes", "commit_tz_minutes"):
        commits[col] = commits[col].astype("int64")
    commits["is_merge"] = commits["is_merge"].astype(bool)
    files = pd.DataFrame.from_records(parsed.files, columns=FILE_COLUMNS)
    files["added"] = files["added"].astype("int64")
    files["deleted"] = files["deleted"].astype("int64")
    files["binary"] = files["binary"].astype(bool)
    return commits, files
