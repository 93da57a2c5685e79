"""What a detector reports: a typed detection an operator can read."""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from twin.alarms.texts import AlarmText, render

__all__ = ["Detection", "DetectionKind", "described", "severity"]


class DetectionKind(enum.StrEnum):
    SPIKE = "spike"
    LEVEL_SHIFT = "level_shift"
    DRIFT = "drift"
    STUCK = "stuck"
    DROPOUT = "dropout"
    OUT_OF_RANGE = "out_of_range"
    ZONE_DISAGREEMENT = "zone_disagreement"


@dataclass(frozen=True, slots=True)
class Detection:
    """One anomaly of one sensor at one reading.

    ``score`` is in [0, 1]: how far past its threshold the evidence is (about
    0.63 just at the threshold, towards 1 as it grows), so detections of
    different kinds can be ranked together. ``explanation`` is a sentence for
    the operator, with the numbers that triggered it (English, times in UTC);
    ``text`` is the same as a catalogue key and parameters
    (:mod:`twin.alarms.texts`), for other languages and the venue's time zone.
    """

    kind: DetectionKind
    sensor: str
    ts: float
    value: float
    score: float
    explanation: str
    text: AlarmText | None = field(default=None, compare=False)


def described(
    kind: DetectionKind,
    sensor: str,
    ts: float,
    value: float,
    score: float,
    key: str,
    params: Mapping[str, str | float],
) -> Detection:
    """A detection whose explanation is the catalogue text ``key`` with ``params``."""
    text = AlarmText(key, dict(params))
    return Detection(kind, sensor, ts, value, score, render(text), text)


def severity(statistic: float, threshold: float) -> float:
    """Map a statistic that crossed ``threshold`` to a score in [0, 1).

    ``1 - exp(-statistic / threshold)``: 0.63 at the threshold, 0.86 at twice it.
    """
    if threshold <= 0.0:
        return 1.0
    return 1.0 - math.exp(-max(statistic, 0.0) / threshold)
