"""All detectors of one sensor behind one ``update(ts, value)`` call."""

from __future__ import annotations

import math

from twin.analytics.anomaly.baseline import Baseline
from twin.analytics.anomaly.config import DetectorConfig
from twin.analytics.anomaly.detection import Detection, DetectionKind, described, severity
from twin.analytics.anomaly.drift import DriftDetector
from twin.analytics.anomaly.errors import AnomalyError
from twin.analytics.anomaly.integrity import DropoutDetector, StuckDetector, range_violation
from twin.analytics.anomaly.stream_score import StreamScore
from twin.analytics.anomaly.window import WindowDetector

__all__ = ["InvalidReadingError", "SensorDetector"]


class InvalidReadingError(AnomalyError, ValueError):
    """A reading with a non-finite time or value reached the detector."""


class SensorDetector:
    """Streaming anomaly detection for one sensor: one pass, O(1) state.

    Feed readings in time order with :meth:`update`; it returns the
    detections this reading caused (usually none). Readings at or before the
    last accepted time are ignored and counted in ``late_readings`` (late and
    duplicate readings are normal on the wire). ``anomaly_score`` is the
    score of the last accepted reading, in [0, 1]: the calibrated
    :class:`StreamScore`, or a confirmed device fault's severity when higher.
    """

    __slots__ = (
        "_baseline",
        "_drift",
        "_dropout",
        "_score",
        "_stuck",
        "_window",
        "anomaly_score",
        "config",
        "late_readings",
    )

    def __init__(self, config: DetectorConfig | None = None) -> None:
        cfg = config if config is not None else DetectorConfig()
        self.config = cfg
        self._baseline = Baseline(cfg.baseline_alpha, cfg.scale_alpha, cfg.min_scale, cfg.warmup)
        self._window = WindowDetector(cfg.window, cfg.spike_sigma, cfg.step_sigma, cfg.min_scale)
        self._drift = DriftDetector(cfg.drift_alpha, cfg.drift_sigma)
        self._stuck = StuckDetector(cfg.stuck_count, cfg.stuck_epsilon, cfg.stuck_min_activity)
        self._dropout = DropoutDetector(
            cfg.expected_interval, cfg.dropout_factor, cfg.interval_alpha
        )
        self._score = StreamScore()
        self.late_readings = 0
        self.anomaly_score = 0.0

    @property
    def level(self) -> float:
        """The current robust level estimate (the sensor's 'normal' value)."""
        return self._baseline.mean

    @property
    def noise(self) -> float:
        """The current robust noise standard deviation."""
        return self._baseline.scale

    def check_silence(self, now: float) -> Detection | None:
        """A dropout detection if the sensor has been silent too long at ``now``.

        For a watchdog tick: :meth:`update` only sees a gap once the next
        reading arrives.
        """
        return self._dropout.check(self.config.sensor, self.config.unit, now, math.nan)

    def _window_findings(self, ts: float, value: float) -> list[Detection]:
        finding = self._window.update(ts, value)
        if finding is None:
            return []
        cfg, base = self.config, self._baseline
        noise = self._window.noise
        if finding.kind == "spike":
            where = "above" if finding.size > 0 else "below"
            return [
                described(
                    DetectionKind.SPIKE,
                    cfg.sensor,
                    finding.ts,
                    finding.value,
                    severity(abs(finding.size), cfg.spike_sigma or 1.0),
                    f"anomaly.spike.{where}",
                    {
                        "value": finding.value,
                        "unit": cfg.unit,
                        "sigma": round(abs(finding.size), 1),
                        "level": finding.before,
                        "noise": noise,
                    },
                )
            ]
        base.reset_level(finding.after)
        self._drift.reanchor(finding.ts, finding.after)
        up = finding.after > finding.before
        return [
            described(
                DetectionKind.LEVEL_SHIFT,
                cfg.sensor,
                finding.ts,
                finding.value,
                severity(abs(finding.size), cfg.step_sigma or 1.0),
                f"anomaly.level_shift.{'up' if up else 'down'}",
                {
                    "before": finding.before,
                    "value": finding.after,
                    "unit": cfg.unit,
                    "sigma": round(abs(finding.size), 1),
                    "noise": noise,
                },
            )
        ]

    def update(self, ts: float, value: float) -> list[Detection]:
        if not (math.isfinite(ts) and math.isfinite(value)):
            raise InvalidReadingError(f"reading must be finite, got ts={ts} value={value}")
        dropout = self._dropout
        if ts <= dropout.last_ts:
            self.late_readings += 1
            return []
        cfg = self.config
        sensor, unit = cfg.sensor, cfg.unit
        found: list[Detection] = []
        gap = dropout.update(sensor, unit, ts, value)
        if gap is not None:
            found.append(gap)

        bad = range_violation(sensor, unit, ts, value, cfg.physical_min, cfg.physical_max)
        if bad is not None:
            # A faulty value teaches the statistics nothing.
            found.append(bad)
            self.anomaly_score = 1.0
            return found

        stuck = self._stuck.update(sensor, unit, ts, value)
        if stuck is not None:
            found.append(stuck)
        base = self._baseline
        # A device fault counts as evidence at the reading that confirms it, not
        # for its whole duration: one alert per fault, not a plateau of 1.0s.
        fault = max((d.score for d in found), default=0.0)
        if self._stuck.stuck:
            # The jump out of a stuck spell is that fault's, not a step.
            self._window.restart()
        else:
            if gap is not None:
                self._window.restart()  # nor is a change across a gap
            found.extend(self._window_findings(ts, value))
        if base.ready and not self._stuck.stuck:
            drift = self._drift.update(sensor, unit, ts, value, base)
            if drift is not None:
                found.append(drift)
        if not self._stuck.stuck:
            base.update(value)
        score = self._score.update(ts, value)
        self.anomaly_score = score if score > fault else fault
        return found
