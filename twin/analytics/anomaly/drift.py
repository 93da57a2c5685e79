"""Slow drift of a sensor's value against its own history, in O(1) state.

Uses the shared :class:`Baseline` scale. Spikes and level shifts are judged
in :mod:`twin.analytics.anomaly.window` against the reading-to-reading noise.
"""

from __future__ import annotations

from twin.alarms.texts import format_number
from twin.analytics.anomaly.baseline import Baseline
from twin.analytics.anomaly.detection import Detection, DetectionKind, described, severity

__all__ = ["DriftDetector"]


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
