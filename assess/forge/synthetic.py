"""Generated forge stores for the demo and tests: a team's pull requests shaped like one way of
reviewing agent work. Deterministic for a seed; every login is made up."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from assess.forge.model import FORMAT
from assess.forge.store import Store

SHAPES = ("reads-every-diff", "checks-outcomes", "machine-merges")
PEOPLE = ("ana", "ben", "chloe", "dev", "eli")
AGENT = {"login": "Copilot", "id": 198982749, "bot": True}
RABBIT = {"login": "coderabbitai", "id": 136622811, "bot": True}
MERGE_BOT = {"login": "mergify", "id": 37929162, "bot": True}
DEPENDABOT = {"login": "dependabot", "id": 49699333, "bot": True}


def _t(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _person(login: str) -> dict[str, Any]:
    return {"login": login, "id": 1000 + PEOPLE.index(login), "bot": False}


def generate(shape: str, *, n: int = 120, seed: int = 0, repo: str = "demo/widgets",
             start: dt.datetime | None = None) -> list[dict[str, Any]]:
    """``n`` pull requests over about six months: a third by the Copilot coding agent, some by
    people with Claude Code (trailers), the rest by people, plus Dependabot. ``shape`` decides how
    agent pull requests are reviewed."""
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {SHAPES}")
    rng = random.Random(seed)
    t0 = start or dt.datetime(2026, 1, 5, 9, tzinfo=dt.timezone.utc)
    out = []
    for number in range(1, n + 1):
        created = t0 + dt.timedelta(hours=number * 36 + rng.randint(0, 8))
        roll = rng.random()
        cls = "agent" if roll < 0.35 else "assisted" if roll < 0.55 else "automation" if roll < 0.62 else "human"
        author_login = rng.choice(PEOPLE)
        reviewer_login = rng.choice([p for p in PEOPLE if p != author_login])
        author = {"agent": AGENT, "automation": DEPENDABOT}.get(cls, _person(author_login))
        head = {"agent": f"copilot/task-{number}", "automation": f"dependabot/npm/lib-{number}"}.get(cls, f"feature-{number}")
        size = int(rng.lognormvariate(6.8 if cls == "agent" else 5.0, 0.6)) if cls != "automation" else rng.randint(2, 20)
        first_commit = created - dt.timedelta(hours=rng.uniform(0.2, 30 if cls == "human" else 3))
        trailer = "\n\nCo-Authored-By: Claude <noreply@anthropic.com>" if cls == "assisted" else ""
        email = {"agent": "198982749+Copilot@users.noreply.github.com",
                 "automation": "49699333+dependabot[bot]@users.noreply.github.com"}.get(cls, f"{author_login}@example.com")
        commits = [{"sha": f"{number:08x}{k:032x}", "author_email": email, "author_name": author["login"],
                    "committer_email": email, "committer_name": author["login"],
                    "authored_at": _t(first_commit + dt.timedelta(minutes=20 * k)),
                    "committed_at": _t(first_commit + dt.timedelta(minutes=20 * k)),
                    "message": f"Change {number} part {k}{trailer}", "author_login": None, "parents": 1}
                   for k in range(rng.randint(1, 4))]
        reviews: list[dict[str, Any]] = []
        comments: list[dict[str, Any]] = []
        merged_by: dict[str, Any] | None = _person(reviewer_login)
        auto = False
        if rng.random() < 0.5:  # the AI review bot comments on half of everything
            reviews.append({"user": RABBIT, "state": "COMMENTED", "submitted_at": _t(created + dt.timedelta(minutes=4)),
                            "body_chars": 300})
        if cls == "automation" or (cls == "agent" and shape == "machine-merges" and rng.random() < 0.9):
            merged_by, auto = MERGE_BOT, True
            merge_after = dt.timedelta(minutes=rng.uniform(10, 40))
        elif cls == "agent" and shape == "checks-outcomes" and rng.random() < 0.8:
            reviews.append({"user": _person(reviewer_login), "state": "APPROVED",
                            "submitted_at": _t(created + dt.timedelta(minutes=rng.uniform(3, 25))), "body_chars": 0})
            merge_after = dt.timedelta(minutes=rng.uniform(26, 50))
        else:
            first = dt.timedelta(hours=rng.uniform(0.5, 20))
            reviews.append({"user": _person(reviewer_login), "state": rng.choice(["COMMENTED", "CHANGES_REQUESTED"]),
                            "submitted_at": _t(created + first), "body_chars": 120})
            comments += [{"user": _person(reviewer_login), "created_at": _t(created + first)}
                         for _ in range(rng.randint(1, 6))]
            reviews.append({"user": _person(reviewer_login), "state": "APPROVED",
                            "submitted_at": _t(created + first + dt.timedelta(hours=3)), "body_chars": 0})
            merge_after = first + dt.timedelta(hours=rng.uniform(3.5, 30))
        merged = rng.random() < 0.92
        merged_at = created + merge_after if merged else None
        out.append({
            "forge": "github", "repo": repo, "number": number, "title": f"Change {number}", "body": "",
            "state": "merged" if merged else "closed", "draft": False, "author": author,
            "merged_by": merged_by if merged else None, "head_ref": head, "head_sha": None, "base_ref": "main",
            "created_at": _t(created), "updated_at": _t(merged_at or created + dt.timedelta(days=2)),
            "closed_at": _t(merged_at or created + dt.timedelta(days=2)), "merged_at": _t(merged_at) if merged_at else None,
            "additions": int(size * 0.8), "deletions": size - int(size * 0.8), "changed_files": max(1, size // 80),
            "labels": [], "ci_state": "success", "auto_merge": auto, "reviews_known": True, "reviews": reviews,
            "review_comments": comments, "commits_known": True, "commits": commits, "source": "synthetic",
        })
    return out


def write_store(path: str | Path, records: list[dict[str, Any]]) -> Path:
    """A store holding ``records`` (one repository)."""
    first = records[0]
    with Store(path).writing(forge=first["forge"], repo=first["repo"]) as w:
        for rec in records:
            w.append(rec, sync=False)
        w.finish(source="synthetic")
    assert w.manifest["format"] == FORMAT
    return Path(path)
