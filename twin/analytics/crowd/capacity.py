"""Carrying capacity by LB/T 034-2014 and the 80 % warning.

LB/T 034-2014 "旅游景区最大承载量核定导则" (Guidelines for the verification of
the maximum carrying capacity of scenic areas), China National Tourism
Administration, 2014, clause 5 (spatial carrying capacity):

* instantaneous capacity ``C0 = sum(X_i / Y_i)``, X_i the usable visiting
  area of part i (m^2), Y_i the space per visitor there (m^2/person);
* daily capacity ``C = sum(X_i / Y_i * Int(T / t))``, T the daily opening
  time, t the mean visit duration, Int the integer part (turnover);
* when the number of visitors reaches 80 % of the maximum carrying
  capacity, the scenic area warns and starts limiting measures.

The per-visitor space is the operator's to set for each zone (its informative
annex gives examples per site type, which we do not reproduce). As reference
values for outdoor areas we carry those of GB/T 50298-2018 "风景名胜区总体规划标准"
(Standard for master planning of scenic and historic areas), 3.3.1 item 4:
paths 5-10 m^2/person (line method), main scenic spots 50-100, general
spots 100-400, bathing water 10-20, beaches 5-10 m^2/person.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass

from twin.analytics.crowd.errors import InvalidInput

__all__ = [
    "GB50298_SPACE_PER_VISITOR_M2",
    "WARNING_FRACTION",
    "CapacityArea",
    "CapacityLevel",
    "CarryingCapacity",
    "capacity_level",
    "carrying_capacity",
]

WARNING_FRACTION = 0.8

GB50298_SPACE_PER_VISITOR_M2: dict[str, tuple[float, float]] = {
    "path": (5.0, 10.0),
    "main_scenic_spot": (50.0, 100.0),
    "general_scenic_spot": (100.0, 400.0),
    "bathing_water": (10.0, 20.0),
    "beach": (5.0, 10.0),
}


@dataclass(frozen=True, slots=True)
class CapacityArea:
    """One part of the site: usable area X_i and space per visitor Y_i."""

    name: str
    usable_area_m2: float
    space_per_visitor_m2: float

    def __post_init__(self) -> None:
        if not (self.usable_area_m2 >= 0.0 and self.space_per_visitor_m2 > 0.0):
            raise InvalidInput(f"{self.name}: need area >= 0 and space per visitor > 0")


@dataclass(frozen=True, slots=True)
class CarryingCapacity:
    """C0 (people at once), C (visits per day) and the turnover Int(T/t)."""

    instantaneous: int
    daily: int
    turnover: int
    per_area: tuple[tuple[str, float], ...]


def carrying_capacity(
    areas: Iterable[CapacityArea], opening_hours: float, mean_visit_hours: float
) -> CarryingCapacity:
    """LB/T 034-2014 spatial carrying capacity; results rounded down to whole people."""
    if not (opening_hours > 0.0 and mean_visit_hours > 0.0):
        raise InvalidInput("opening and visit durations must be > 0")
    items = list(areas)
    if not items:
        raise InvalidInput("need at least one area")
    per_area = tuple((a.name, a.usable_area_m2 / a.space_per_visitor_m2) for a in items)
    turnover = math.floor(opening_hours / mean_visit_hours + 1e-9)
    c0 = sum(v for _, v in per_area)
    return CarryingCapacity(
        instantaneous=math.floor(c0 + 1e-9),
        daily=math.floor(c0 * turnover + 1e-9),
        turnover=turnover,
        per_area=per_area,
    )


class CapacityLevel(enum.StrEnum):
    NORMAL = "normal"
    WARNING = "warning"
    FULL = "full"


def capacity_level(
    visitors: float, capacity: float, warning_fraction: float = WARNING_FRACTION
) -> CapacityLevel:
    """NORMAL below 80 % of capacity, WARNING from 80 %, FULL at 100 %."""
    if not capacity > 0.0 or not 0.0 < warning_fraction <= 1.0:
        raise InvalidInput("capacity must be > 0 and warning_fraction within (0, 1]")
    share = visitors / capacity
    if share >= 1.0:
        return CapacityLevel.FULL
    if share >= warning_fraction:
        return CapacityLevel.WARNING
    return CapacityLevel.NORMAL
