"""The questionnaire as typed data: items, options, the level each answer supports."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assess.findings import DIMENSIONS  # one home for the dimension names

ROLES: tuple[str, ...] = ("claimed_level", "ai_share", "speedup_retrospective", "speedup_forecast",
                          "unattended_hours", "verification")
ItemType = Literal["single_choice", "multi_choice", "likert", "number", "percentage", "text"]
Convention = Literal["time_change_percent", "time_saved_percent", "speed_factor"]

LIKERT_LABELS = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Option(_Frozen):
    id: str
    label: str
    level: float
    exclusive: bool = False


class Band(_Frozen):
    min: float
    level: float


class Item(_Frozen):
    id: str
    type: ItemType
    text: str
    help: str | None = None
    required: bool = False
    dimension: str | None = None
    role: str | None = None
    section: str = ""
    # choice
    options: tuple[Option, ...] = ()
    # likert
    reverse: bool = False
    level_range: tuple[float, float] = (0.0, 5.0)
    anchors: tuple[str, ...] = LIKERT_LABELS
    # number / percentage
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    integer: bool = False
    convention: Convention | None = None
    bands: tuple[Band, ...] = ()
    # text
    max_length: int = 5000

    @property
    def scored(self) -> bool:
        """True when an answer to this item supports a level (and so feeds its dimension)."""
        if self.type in ("single_choice", "multi_choice", "likert"):
            return True
        return self.type in ("number", "percentage") and bool(self.bands)

    def option(self, option_id: str) -> Option | None:
        for opt in self.options:
            if opt.id == option_id:
                return opt
        return None

    def level_of(self, value: object) -> float | None:
        """The level on the 0-5 scale that a (validated) answer supports, or None if unscored."""
        if value is None:
            return None
        if self.type == "single_choice":
            opt = self.option(str(value))
            return opt.level if opt else None
        if self.type == "multi_choice":
            levels = [o.level for o in self.options if o.id in set(value)]  # type: ignore[arg-type]
            return max(levels) if levels else None
        if self.type == "likert":
            x = float(value)  # type: ignore[arg-type]
            if self.reverse:
                x = 6 - x
            lo, hi = self.level_range
            return lo + (x - 1) / 4 * (hi - lo)
        if self.type in ("number", "percentage") and self.bands:
            x = float(value)  # type: ignore[arg-type]
            reached = [b.level for b in sorted(self.bands, key=lambda b: b.min) if x >= b.min]
            return reached[-1] if reached else None
        return None

    def to_metr(self, value: float) -> float:
        """Convert a speedup answer to METR's scale: time_with_ai / time_without_ai - 1
        (positive = slower, -0.2 = tasks take 20% less time)."""
        if self.convention == "time_saved_percent":  # positive = time saved = faster
            return -float(value) / 100.0
        if self.convention == "speed_factor":  # METR exit survey: 2 = twice as fast
            return 1.0 / float(value) - 1.0
        return float(value) / 100.0  # time_change_percent (default): positive = more time = slower


class LevelDescription(_Frozen):
    level: int
    name: str
    description: str


class Section(_Frozen):
    id: str
    title: str
    items: tuple[Item, ...]


class Questionnaire(_Frozen):
    id: str
    version: str
    title: str
    intro: str = ""
    scale: tuple[LevelDescription, ...] = ()
    dimensions: dict[str, str] = Field(default_factory=dict)
    sections: tuple[Section, ...]
    source: str = ""

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for section in self.sections for item in section.items)

    def item(self, item_id: str) -> Item | None:
        for item in self.items:
            if item.id == item_id:
                return item
        return None

    def by_role(self, role: str) -> Item | None:
        for item in self.items:
            if item.role == role:
                return item
        return None

    def dimension_items(self, dimension: str) -> list[Item]:
        return [i for i in self.items if i.dimension == dimension and i.scored]

    @property
    def used_dimensions(self) -> list[str]:
        return [d for d in DIMENSIONS if self.dimension_items(d)]
