"""Conversions shared by the adapters: epoch seconds <-> milliseconds, quality codes.

Every store keys readings on integer epoch milliseconds (the wire's
resolution), so all adapters agree on what a duplicate and a range bound are.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from ingest.contract import Quality, Reading

__all__ = [
    "QUALITY_CODE",
    "QUALITY_FROM_CODE",
    "from_ms",
    "reading_from_row",
    "to_ms",
    "width_ms",
    "zone_members",
]

QUALITY_CODE: dict[Quality, int] = {Quality.GOOD: 0, Quality.UNCERTAIN: 1, Quality.BAD: 2}
QUALITY_FROM_CODE: dict[int, Quality] = {code: q for q, code in QUALITY_CODE.items()}


def to_ms(ts: float) -> int:
    """Epoch seconds to the nearest epoch millisecond."""
    return round(ts * 1000)


def from_ms(ms: int) -> float:
    return ms / 1000


def width_ms(width_s: float) -> int:
    """A bucket width in whole milliseconds; at least 1 ms."""
    if not math.isfinite(width_s) or width_s <= 0:
        raise ValueError(f"bucket width must be a positive number of seconds, got {width_s!r}")
    return max(1, round(width_s * 1000))


def reading_from_row(venue: str, sensor: str, ts_ms: int, value: float, quality: int) -> Reading:
    return Reading(venue, sensor, ts_ms / 1000, value, QUALITY_FROM_CODE.get(quality, Quality.BAD))


def zone_members(sensors_by_zone: Mapping[str, Sequence[str]]) -> list[tuple[str, str]]:
    """``(zone, sensor)`` pairs to aggregate; a sensor a zone lists twice counts once."""
    return [(z, s) for z, sensors in sensors_by_zone.items() for s in dict.fromkeys(sensors)]
