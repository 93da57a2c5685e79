"""Cumulative counter readings turned into increments."""

from __future__ import annotations

import math

__all__ = ["CounterReading"]

# A cumulative count that falls below this share of its high-water mark was
# reset (device restart); a smaller fall is a correction and counts nothing.
_RESET_SHARE = 0.5


class CounterReading:
    """Turns one cumulative counter's readings into increments; O(1) state.

    Readings older than the newest one seen are ignored (a late reading of a
    cumulative count carries nothing new). A fall to below half the highest
    count seen is a reset: counting restarts from zero. A smaller fall (a
    device correcting itself, a drift ending) counts nothing until the count
    climbs past its high-water mark again, so no flow is ever negative.
    """

    __slots__ = ("_high", "_ts")

    def __init__(self) -> None:
        self._high: float | None = None
        self._ts = -math.inf

    def increment(self, ts: float, value: float) -> float:
        """People counted since the previous reading (0 for the first one)."""
        if ts < self._ts or not (math.isfinite(value) and value >= 0.0):
            return 0.0
        self._ts = ts
        high = self._high
        if high is None or value < _RESET_SHARE * high:
            self._high = value
            return 0.0 if high is None else value
        if value <= high:
            return 0.0
        self._high = value
        return value - high
