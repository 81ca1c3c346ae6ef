"""Realistic simulated responses (for `assess demo`, tests and trying the tool out).

Each simulated respondent works near the profile's level with some spread, answers every scored
item consistently with that level (plus noise), claims a level about half a level above it, and
believes AI saves them about a fifth of their time (METR found such beliefs next to a measured
slowdown)."""

from __future__ import annotations

import datetime as _dt
import random
import uuid
from pathlib import Path

from assess.fileio import write_json
from assess.survey.loader import load_questionnaire
from assess.survey.model import Item, Questionnaire
from assess.survey.responses import Response

PROFILES = {f"level{i}": float(i) for i in range(6)} | {"mixed": 2.5}
_AI_SHARE = {0: 2.0, 1: 10.0, 2: 30.0, 3: 65.0, 4: 90.0, 5: 99.0}
_UNATTENDED = {0: 0.0, 1: 0.0, 2: 0.3, 3: 1.5, 4: 8.0, 5: 30.0}
_TEXTS = {
    "q_text_next_level": ["Not enough tests to trust agent changes unread.",
                          "Reviewing diffs takes most of the day.",
                          "No written specs; tasks live in people's heads.",
                          "Security rules forbid running agents unattended."],
    "q_text_comments": ["Agents help most with boilerplate and tests.",
                        "Quality varies a lot between tasks.",
                        "We only started using agents this quarter."],
}


def simulate_responses(directory: Path, *, n: int = 12, seed: int = 0, profile: str | int = "level3",
                       questionnaire: Questionnaire | None = None) -> list[Path]:
    """Write ``n`` response JSON files into ``directory`` (created if needed); returns their paths.

    ``profile``: ``"level0"`` … ``"level5"`` (or the int) for a team working around that level, or
    ``"mixed"`` for a spread team. The same seed gives the same files."""
    if isinstance(profile, int):
        profile = f"level{profile}"
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; expected one of {', '.join(PROFILES)}")
    q = questionnaire or load_questionnaire()
    rng = random.Random(seed)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    base = PROFILES[profile]
    spread = 1.1 if profile == "mixed" else 0.7
    start = _dt.datetime(2026, 3, 2, 9, 0, tzinfo=_dt.timezone.utc)
    paths = []
    for index in range(n):
        true_level = min(5.0, max(0.0, rng.gauss(base, spread)))
        answers = {}
        for item in q.items:
            value = _answer(item, true_level, rng)
            if value is not None:
                answers[item.id] = value
        response = Response(
            response_id=uuid.UUID(int=rng.getrandbits(128), version=4).hex,
            questionnaire_id=q.id, questionnaire_version=q.version,
            submitted_at=(start + _dt.timedelta(hours=index * 5 + rng.randint(0, 4))).isoformat(),
            channel="simulated", answers=answers)
        path = directory / f"response-{index + 1:03d}.json"
        write_json(path, response.to_json())
        paths.append(path)
    return paths


def _answer(item: Item, level: float, rng: random.Random) -> object:
    noisy = min(5.0, max(0.0, level + rng.gauss(0, 0.45)))
    if item.role == "claimed_level":
        claimed = round(min(5.0, level + 0.5 + rng.gauss(0, 0.5)))
        return min(item.options, key=lambda o: abs(o.level - claimed)).id
    if item.role == "ai_share":
        share = _AI_SHARE[round(level)] + rng.gauss(0, 8)
        return round(min(100.0, max(0.0, share)))
    if item.role == "speedup_retrospective":
        return round(max(-90.0, min(100.0, rng.gauss(-20, 15))))
    if item.role == "speedup_forecast":
        return round(max(-90.0, min(100.0, rng.gauss(-25, 15))))
    if item.role == "unattended_hours":
        hours = _UNATTENDED[round(level)] * rng.uniform(0.5, 1.5)
        return round(hours, 2)
    if item.type == "single_choice":
        return min(item.options, key=lambda o: (abs(o.level - noisy), rng.random())).id
    if item.type == "multi_choice":
        fitting = [o for o in item.options if not o.exclusive and o.level <= noisy + 0.5]
        if not fitting:
            exclusive = [o for o in item.options if o.exclusive]
            return [exclusive[0].id] if exclusive else [min(item.options, key=lambda o: o.level).id]
        chosen = [o.id for o in fitting if rng.random() < 0.6] or [max(fitting, key=lambda o: o.level).id]
        return chosen
    if item.type == "likert":
        lo, hi = item.level_range
        x = 1 + 4 * (noisy - lo) / (hi - lo) if hi != lo else 3
        x = min(5, max(1, round(x)))
        return 6 - x if item.reverse else x
    if item.type in ("number", "percentage"):
        low = item.min if item.min is not None else 0
        high = item.max if item.max is not None else low + 10
        return round(rng.uniform(low, high), 1)
    if item.type == "text":
        options = _TEXTS.get(item.id)
        if options and rng.random() < 0.5:
            return rng.choice(options)
        return None
    return None
