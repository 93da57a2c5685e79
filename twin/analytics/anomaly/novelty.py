"""A reading outside every value seen so far, by a margin (NAB Numenta's "spatial anomaly")."""

from __future__ import annotations

import math

__all__ = ["RangeNovelty"]


class RangeNovelty:
    """Whether a reading leaves the range of all earlier readings by ``tolerance`` of its width.

    As in NAB's Numenta detector: a value never seen before (a new maximum or
    minimum beyond the margin) is an anomaly however the residual detectors
    judge it, which catches slow climbs to a new extreme that a moving level
    follows. Two floats of state; silent for the first ``warmup`` readings
    while the range is still being learned.
    """

    __slots__ = ("_count", "_tolerance", "_warmup", "high", "low")

    def __init__(self, tolerance: float, warmup: int) -> None:
        self._tolerance = tolerance
        self._warmup = warmup
        self._count = 0
        self.low = math.inf
        self.high = -math.inf

    def update(self, value: float) -> bool:
        self._count += 1
        low, high = self.low, self.high
        novel = False
        if self._count > self._warmup and high > low:
            margin = (high - low) * self._tolerance
            novel = value > high + margin or value < low - margin
        if value < low:
            self.low = value
        if value > high:
            self.high = value
        return novel
