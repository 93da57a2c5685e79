"""Detectors of a failing device rather than a changing world: stuck, dropout, range."""

from __future__ import annotations

import math

from twin.analytics.anomaly.detection import Detection, DetectionKind, described, severity

__all__ = ["DropoutDetector", "StuckDetector", "range_violation"]


def range_violation(
    sensor: str,
    unit: str,
    ts: float,
    value: float,
    low: float | None,
    high: float | None,
) -> Detection | None:
    """A reading outside the sensor's physical range (a fault, never the world)."""
    if low is not None and value < low:
        bound, side = low, "below"
    elif high is not None and value > high:
        bound, side = high, "above"
    else:
        return None
    return described(
        DetectionKind.OUT_OF_RANGE,
        sensor,
        ts,
        value,
        1.0,
        f"anomaly.out_of_range.{side}",
        {"value": value, "unit": unit, "bound": bound},
    )


class StuckDetector:
    """The same value (within ``epsilon``) ``count`` times in a row from a lively sensor.

    ``activity`` is the share of readings that change, learned while the
    sensor is not stuck; a sensor that rarely changes (a door contact, a
    quantised slow signal) is not called stuck for holding still. Reported
    once per run.
    """

    __slots__ = ("_alpha", "_count", "_epsilon", "_min_activity", "activity", "last", "run")

    def __init__(self, count: int, epsilon: float, min_activity: float) -> None:
        self._count = count
        self._epsilon = epsilon
        self._min_activity = min_activity
        self._alpha = 1.0 / count
        self.activity = 0.0  # a sensor is lively only once it has shown it
        self.last = math.nan
        self.run = 0

    @property
    def stuck(self) -> bool:
        return self.run >= self._count

    @property
    def evidence(self) -> float:
        if self.activity < self._min_activity:
            return 0.0
        return self.run / self._count

    def update(self, sensor: str, unit: str, ts: float, value: float) -> Detection | None:
        unchanged = abs(value - self.last) <= self._epsilon
        self.last = value
        if not unchanged:
            if self.run < self._count:
                # Only runs that ended normally teach how lively the sensor is:
                # ``run`` unchanged readings, then this change.
                self.activity *= (1.0 - self._alpha) ** self.run
                self.activity += self._alpha * (1.0 - self.activity)
            self.run = 0
            return None
        self.run += 1
        if self.run != self._count or self.activity < self._min_activity:
            return None
        # Chance of this run if each reading still changed with prob. activity.
        chance = (1.0 - self.activity) ** self.run
        return described(
            DetectionKind.STUCK,
            sensor,
            ts,
            value,
            severity(-math.log(max(chance, 1e-300)), -math.log(0.5) * self._count),
            "anomaly.stuck",
            {
                "value": value,
                "unit": unit,
                "readings": self.run,
                "activity_pct": 100 * self.activity,
            },
        )


class DropoutDetector:
    """A gap longer than ``factor`` expected intervals before this reading.

    The expected interval is configured or learned as an exponentially
    weighted average of the normal gaps (dropouts excluded).
    """

    __slots__ = ("_alpha", "_factor", "_fixed", "evidence", "interval", "last_ts", "seen")

    def __init__(self, expected: float | None, factor: float, alpha: float) -> None:
        self._fixed = expected
        self._factor = factor
        self._alpha = alpha
        self.interval = expected if expected is not None else 0.0
        self.last_ts = math.nan
        self.seen = 0
        self.evidence = 0.0

    def expected_interval(self) -> float | None:
        if self._fixed is not None:
            return self._fixed
        # A learned interval needs a few gaps before it is trusted.
        return self.interval if self.seen >= 5 else None

    def silent_for(self, now: float) -> float:
        return now - self.last_ts if self.seen else 0.0

    def check(self, sensor: str, unit: str, now: float, value: float) -> Detection | None:
        """A dropout if ``now`` is past ``factor`` expected intervals since the last reading."""
        expected = self.expected_interval()
        if expected is None or math.isnan(self.last_ts):
            return None
        gap = now - self.last_ts
        self.evidence = gap / (self._factor * expected)
        if self.evidence < 1.0:
            return None
        return described(
            DetectionKind.DROPOUT,
            sensor,
            now,
            value,
            severity(gap, self._factor * expected),
            "anomaly.dropout",
            {"gap_s": gap, "expected_s": expected, "since_at": self.last_ts},
        )

    def update(self, sensor: str, unit: str, ts: float, value: float) -> Detection | None:
        found = self.check(sensor, unit, ts, value)
        if not math.isnan(self.last_ts) and found is None and self._fixed is None:
            gap = ts - self.last_ts
            self.seen += 1
            weight = max(self._alpha, 1.0 / self.seen)
            self.interval += weight * (gap - self.interval)
        elif not math.isnan(self.last_ts):
            self.seen += 1
        self.last_ts = ts
        if found is None:
            self.evidence = 0.0
        return found
