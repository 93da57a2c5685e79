"""Detectors of the value itself against its own history: spike, level shift, drift.

Each takes the standardised residual from the shared :class:`Baseline` and
keeps O(1) state. ``evidence`` is the current statistic divided by its
threshold (>= 1 means it fires), which the combined score uses.
"""

from __future__ import annotations

from twin.alarms.texts import format_number
from twin.analytics.anomaly.baseline import Baseline
from twin.analytics.anomaly.detection import Detection, DetectionKind, described, severity

__all__ = ["DriftDetector", "LevelShiftDetector", "SpikeDetector"]


class SpikeDetector:
    """One reading ``sigma`` robust scales away from the level.

    A second excursion in the same direction right after a spike is not
    reported again: consecutive excursions are a shift, which the CUSUM
    confirms.
    """

    __slots__ = ("_last_sign", "_sigma", "evidence")

    def __init__(self, sigma: float) -> None:
        self._sigma = sigma
        self._last_sign = 0
        self.evidence = 0.0

    def update(
        self, sensor: str, unit: str, ts: float, value: float, z: float, base: Baseline
    ) -> Detection | None:
        size = abs(z)
        self.evidence = size / self._sigma
        sign = 1 if z > 0 else -1
        if size < self._sigma:
            self._last_sign = 0
            return None
        repeated = sign == self._last_sign
        self._last_sign = sign
        if repeated:
            return None
        where = "above" if sign > 0 else "below"
        return described(
            DetectionKind.SPIKE,
            sensor,
            ts,
            value,
            severity(size, self._sigma),
            f"anomaly.spike.{where}",
            {
                "value": value,
                "unit": unit,
                "sigma": round(size, 1),
                "level": base.mean,
                "noise": base.scale,
            },
        )


class LevelShiftDetector:
    """Two-sided CUSUM of the clipped standardised residual (Page, 1954)."""

    __slots__ = ("_clip", "_limit", "_slack", "evidence", "neg", "neg_n", "pos", "pos_n")

    def __init__(self, slack: float, limit: float, clip: float) -> None:
        self._slack = slack
        self._limit = limit
        self._clip = clip
        self.pos = self.neg = 0.0
        self.pos_n = self.neg_n = 0
        self.evidence = 0.0

    def reset(self) -> None:
        self.pos = self.neg = 0.0
        self.pos_n = self.neg_n = 0
        self.evidence = 0.0

    def update(
        self, sensor: str, unit: str, ts: float, value: float, z: float, base: Baseline
    ) -> Detection | None:
        zc = self._clip if z > self._clip else (-self._clip if z < -self._clip else z)
        self.pos = max(0.0, self.pos + zc - self._slack)
        self.neg = max(0.0, self.neg - zc - self._slack)
        self.pos_n = self.pos_n + 1 if self.pos > 0.0 else 0
        self.neg_n = self.neg_n + 1 if self.neg > 0.0 else 0
        stat = max(self.pos, self.neg)
        self.evidence = stat / self._limit
        if stat < self._limit:
            return None
        up = self.pos >= self.neg
        run = self.pos_n if up else self.neg_n
        before = base.mean
        step = value - before
        self.reset()
        base.reset_level(value)
        return described(
            DetectionKind.LEVEL_SHIFT,
            sensor,
            ts,
            value,
            severity(stat, self._limit),
            f"anomaly.level_shift.{'up' if up else 'down'}",
            {
                "before": before,
                "value": value,
                "unit": unit,
                "sigma": round(abs(step / base.scale), 1),
                "readings": run,
            },
        )


class DriftDetector:
    """A slow average leaving its anchor by ``sigma`` noise scales, gradually.

    The anchor is re-set after each report and after a level shift, so a
    drift is reported once per ``sigma`` of movement and a step is never
    counted as drift.
    """

    __slots__ = ("_alpha", "_sigma", "anchor", "anchor_ts", "evidence", "slow", "steps")

    def __init__(self, alpha: float, sigma: float | None) -> None:
        self._alpha = alpha
        self._sigma = sigma
        self.slow = 0.0
        self.anchor = 0.0
        self.anchor_ts = 0.0
        self.steps = -1  # not anchored yet
        self.evidence = 0.0

    def reanchor(self, ts: float, level: float) -> None:
        self.slow = self.anchor = level
        self.anchor_ts = ts
        self.steps = 0
        self.evidence = 0.0

    def update(
        self, sensor: str, unit: str, ts: float, value: float, base: Baseline
    ) -> Detection | None:
        if self._sigma is None:
            return None
        if self.steps < 0:
            self.reanchor(ts, base.mean)
            return None
        self.slow += self._alpha * (value - self.slow)
        self.steps += 1
        moved = self.slow - self.anchor
        stat = abs(moved) / base.scale
        self.evidence = stat / self._sigma
        # The slow average needs about 1 / alpha readings to mean anything.
        if stat < self._sigma or self.steps * self._alpha < 1.0:
            return None
        period = max(ts - self.anchor_ts, 1e-9)
        params: dict[str, str | float] = {
            "change": f"{'+' if moved >= 0 else '-'}{format_number(abs(moved))}",
            "unit": unit,
            "sigma": round(stat, 1),
            "anchor": self.anchor,
            "period_s": period,
            "rate": f"{'+' if moved >= 0 else '-'}{format_number(abs(moved) / (period / 3600))}",
        }
        score = severity(stat, self._sigma)
        self.reanchor(ts, self.slow)
        return described(DetectionKind.DRIFT, sensor, ts, value, score, "anomaly.drift", params)
