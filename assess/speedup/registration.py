"""Freezing the task list and randomising it.

A registration is a list of *blocks*. Each block freezes a set of tasks: their rows' content
hashes and forecasts, the random seed, the time, the method, and the arm each task was given.
The block's own hash covers all of that, so editing the registration file is detected too.
Adding tasks later makes a new block (`register --new-block`); tasks already registered are never
re-randomised.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import random
import secrets
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assess.errors import AssessError, InputError
from assess.fileio import write_text
from assess.locking import lock_directory
from assess.speedup.folder import RowProblem, StudyFolder, Task, parse_minutes
from assess.speedup.results import add_result_rows
from assess.yamlfile import load_yaml

METHOD = ("balanced-within-developer v1: for each developer, the block's tasks are sorted by id and "
          "shuffled with random.Random(f'{seed}:{developer}'); the first half is AI-allowed, the second "
          "AI-disallowed; an odd task out goes to the arm the developer has fewer of so far, or by a "
          "coin flip from the same generator on a tie")
HASH_NOTE = ("row_sha256 = sha256 of task_id, developer, description, forecast_minutes_ai, "
             "forecast_minutes_no_ai joined by U+001F (numbers as Python float repr), first 16 hex digits; "
             "block sha256 = sha256 of the block's canonical JSON without its sha256 field")


@dataclass(frozen=True)
class RegisteredTask:
    task_id: str
    developer: str
    ai_allowed: bool
    forecast_ai: float
    forecast_no_ai: float
    row_sha256: str
    block: int


@dataclass
class Block:
    number: int
    registered_at: str
    seed: int | None
    method: str
    tasks: list[RegisteredTask]
    source: str | None = None
    sha256: str = ""

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "block": self.number,
            "registered_at": self.registered_at,
            "seed": self.seed,
            "method": self.method,
        }
        if self.source is not None:
            data["source"] = self.source
        data["tasks"] = [
            {"task_id": t.task_id, "developer": t.developer, "ai_allowed": t.ai_allowed,
             "forecast_minutes_ai": float(t.forecast_ai), "forecast_minutes_no_ai": float(t.forecast_no_ai),
             "row_sha256": t.row_sha256}
            for t in self.tasks
        ]
        return data

    def compute_sha256(self) -> str:
        canonical = json.dumps(self.payload(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class Registration:
    blocks: list[Block] = field(default_factory=list)

    @property
    def registration_id(self) -> str:
        """The study's id: the first 12 hex digits of block 1's hash; results rows carry it."""
        return self.blocks[0].sha256[:12] if self.blocks else ""

    @property
    def tasks(self) -> dict[str, RegisteredTask]:
        return {t.task_id: t for b in self.blocks for t in b.tasks}

    def tampered_blocks(self) -> list[int]:
        """Blocks whose stored hash no longer matches their content."""
        return [b.number for b in self.blocks if b.compute_sha256() != b.sha256]

    def rederived_mismatches(self) -> dict[int, list[str]]:
        """Blocks randomised by :data:`METHOD` whose stored arms differ from those the frozen seed
        gives for their task list: ``{block: [task ids]}``.

        The block hash is unkeyed, so whoever edits registration.yaml can recompute it; the arms,
        though, follow from the seed and the task list alone, so flipping one is caught here without
        any key to keep secret. Imported blocks (their arms were assigned elsewhere) cannot be checked."""
        bad: dict[int, list[str]] = {}
        prior: dict[str, Counter[bool]] = {}
        for b in sorted(self.blocks, key=lambda b: b.number):
            if b.method == METHOD and b.seed is not None:
                arms = assign_arms(b.tasks, b.seed, prior)  # type: ignore[arg-type]
                flipped = sorted(t.task_id for t in b.tasks if arms.get(t.task_id) != t.ai_allowed)
                if flipped:
                    bad[b.number] = flipped
            for t in b.tasks:
                prior.setdefault(t.developer, Counter())[t.ai_allowed] += 1
        return bad

    def rederivable(self) -> bool:
        """Every block's arms can be re-derived from its seed (none imported)."""
        return all(b.method == METHOD and b.seed is not None for b in self.blocks)

    def refuse_if_arms_changed(self, path: Path) -> None:
        bad = self.rederived_mismatches()
        if bad:
            number, ids = next(iter(bad.items()))
            raise InputError(path, f"block {number}: the arms of {len(ids)} task(s) ({', '.join(ids[:5])}"
                             f"{', ...' if len(ids) > 5 else ''}) differ from those its frozen seed gives; "
                             "the registration was edited", field="blocks",
                             hint="restore it from git or its .bak copy")

    def to_yaml(self) -> str:
        blocks = []
        for b in self.blocks:
            data = b.payload()
            data["sha256"] = b.sha256
            blocks.append(data)
        doc = {"registration_id": self.registration_id, "hashes": HASH_NOTE, "blocks": blocks}
        header = ("# Written by `assess study register`. Do not edit: the analysis recomputes every hash\n"
                  "# and flags tasks whose rows in tasks.csv changed after registration.\n")
        return header + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100,
                                       default_flow_style=None)


def canonical_number(value: float) -> str:
    return repr(float(value))


def row_digest(task: Task) -> str:
    parts = [task.task_id, task.developer, task.description or "", canonical_number(task.forecast_ai),
             canonical_number(task.forecast_no_ai)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def assign_arms(tasks: list[Task] | list[RegisteredTask], seed: int, prior: dict[str, Counter[bool]] | None = None) -> dict[str, bool]:
    """Randomise AI-allowed (True) / disallowed (False), balanced within each developer."""
    prior = prior or {}
    by_dev: dict[str, list[str]] = {}
    for t in tasks:
        by_dev.setdefault(t.developer, []).append(t.task_id)
    arms: dict[str, bool] = {}
    for dev in sorted(by_dev):
        rng = random.Random(f"{seed}:{dev}")
        ids = sorted(by_dev[dev])
        rng.shuffle(ids)
        half = len(ids) // 2
        for tid in ids[:half]:
            arms[tid] = True
        for tid in ids[half:2 * half]:
            arms[tid] = False
        if len(ids) % 2:
            counts = prior.get(dev, Counter())
            if counts[True] != counts[False]:
                arms[ids[-1]] = counts[True] < counts[False]
            else:
                arms[ids[-1]] = rng.random() < 0.5
    return arms


def _load_block(path: Path, raw: Any, index: int) -> Block:
    if not isinstance(raw, dict) or not isinstance(raw.get("tasks"), list):
        raise InputError(path, f"block {index + 1} is malformed", field="blocks")
    tasks = []
    for t in raw["tasks"]:
        try:
            tasks.append(RegisteredTask(str(t["task_id"]), str(t["developer"]), bool(t["ai_allowed"]),
                                        float(t["forecast_minutes_ai"]), float(t["forecast_minutes_no_ai"]),
                                        str(t["row_sha256"]), int(raw["block"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(path, f"block {index + 1}: malformed task entry ({exc})", field="tasks") from None
        for column in ("forecast_minutes_ai", "forecast_minutes_no_ai"):
            try:  # the same bounds as tasks.csv: a NaN or negative forecast crashed the model fit
                parse_minutes(repr(float(t[column])))
            except ValueError as exc:
                raise InputError(path, f"block {index + 1}: task '{t['task_id']}': {column}: {exc}",
                                 field="tasks") from None
    try:
        return Block(int(raw["block"]), str(raw["registered_at"]),
                     None if raw.get("seed") is None else int(raw["seed"]), str(raw["method"]), tasks,
                     raw.get("source"), str(raw.get("sha256", "")))
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(path, f"block {index + 1}: missing or bad field ({exc})", field="blocks") from None


def load_registration(directory: str | Path) -> Registration | None:
    """The registration of a study folder, or ``None`` when it has not been registered."""
    path = StudyFolder(directory).registration_path
    if not path.exists():
        return None
    doc = load_yaml(path).data  # bounded: size, file type, aliases, depth
    if not isinstance(doc, dict) or not isinstance(doc.get("blocks"), list) or not doc["blocks"]:
        raise InputError(path, "no blocks: not a registration file", field="blocks")
    registration = Registration([_load_block(path, b, i) for i, b in enumerate(doc["blocks"])])
    seen: set[str] = set()
    for b in registration.blocks:
        for t in b.tasks:
            if t.task_id in seen:
                raise InputError(path, f"task '{t.task_id}' registered in more than one block", field="tasks")
            seen.add(t.task_id)
    return registration


@dataclass
class RegisterOutcome:
    block: Block
    registration: Registration
    problems: list[RowProblem]
    path: Path


def now_utc() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def register_study(directory: str | Path, *, seed: int | None = None, new_block: bool = False,
                   registered_at: str | None = None) -> RegisterOutcome:
    """Validate tasks.csv, freeze the valid rows not yet registered into a new block, randomise them,
    and write registration.yaml (with a backup) and template rows in results.csv.

    The first registration makes block 1. Once registered, new tasks need ``new_block=True``: an
    explicit new block, never a silent re-randomisation. Bad rows are reported and left out.
    """
    folder = StudyFolder(directory)
    folder.require()
    # two `register` runs at once must not leave registration and results of different randomisations
    with lock_directory(folder.directory):
        return _register_locked(folder, directory, seed, new_block, registered_at)


def _register_locked(folder: StudyFolder, directory: str | Path, seed: int | None, new_block: bool,
                     registered_at: str | None) -> RegisterOutcome:
    participants, problems = folder.read_participants()
    tasks, task_problems = folder.read_tasks(participants)
    problems = problems + task_problems
    existing = load_registration(directory)
    if existing is not None:
        existing.refuse_if_arms_changed(folder.registration_path)
        tampered = existing.tampered_blocks()
        if tampered:
            raise InputError(folder.registration_path,
                             f"block(s) {', '.join(map(str, tampered))} no longer match their hash; "
                             "the registration was edited", hint="restore it from git or its .bak copy")
        registered = existing.tasks
        new_tasks = [t for t in tasks if t.task_id not in registered]
        if not new_tasks:
            raise AssessError(f"{folder.registration_path}: already registered "
                              f"({len(registered)} tasks); no new valid tasks in {folder.tasks_path.name}",
                              hint="registering again never re-randomises")
        if not new_block:
            raise AssessError(f"{folder.registration_path}: already registered; {len(new_tasks)} new task(s) "
                              f"in {folder.tasks_path.name} ({', '.join(t.task_id for t in new_tasks[:5])}"
                              f"{', ...' if len(new_tasks) > 5 else ''})",
                              hint="register them as a separate block with --new-block")
        number = max(b.number for b in existing.blocks) + 1
        prior: dict[str, Counter[bool]] = {}
        for t in registered.values():
            prior.setdefault(t.developer, Counter())[t.ai_allowed] += 1
    else:
        if new_block:
            raise AssessError(f"{folder.directory}: not registered yet", hint="run register without --new-block")
        existing = Registration()
        new_tasks = tasks
        number = 1
        prior = {}
    if not new_tasks:
        raise InputError(folder.tasks_path, "no valid tasks to register"
                         + (f" ({len(problems)} problem(s), first: {problems[0]})" if problems else ""))
    seed = secrets.randbits(32) if seed is None else int(seed)
    arms = assign_arms(new_tasks, seed, prior)
    block = Block(number, registered_at or now_utc(), seed, METHOD,
                  [RegisteredTask(t.task_id, t.developer, arms[t.task_id], t.forecast_ai, t.forecast_no_ai,
                                  row_digest(t), number) for t in sorted(new_tasks, key=lambda t: t.task_id)])
    block.sha256 = block.compute_sha256()
    existing.blocks.append(block)
    write_text(folder.registration_path, existing.to_yaml(), backup=True, private=True, allow_device=False)
    add_result_rows(folder, existing.registration_id, block.tasks)
    return RegisterOutcome(block, existing, problems, folder.registration_path)


def block_from_rows(number: int, rows: list[tuple[Task, bool]], *, seed: int | None, method: str,
                    registered_at: str, source: str | None = None) -> Block:
    """A block for tasks whose arms were assigned elsewhere (imports)."""
    block = Block(number, registered_at, seed, method,
                  [RegisteredTask(t.task_id, t.developer, arm, t.forecast_ai, t.forecast_no_ai, row_digest(t),
                                  number) for t, arm in rows], source)
    block.sha256 = block.compute_sha256()
    return block

