"""Settings of one sensor's detector, with their valid ranges checked once."""

from __future__ import annotations

import math
from dataclasses import dataclass

from twin.analytics.anomaly.errors import AnomalyConfigError

__all__ = ["DetectorConfig"]


@dataclass(frozen=True, slots=True)
class DetectorConfig:
    """How one sensor's stream is judged. Units are the sensor's own.

    Statistical thresholds are in robust standard deviations of the sensor's
    own noise (learned online), so one config fits sensors of a kind.

    - ``physical_min`` / ``physical_max``: values outside are out of range
      (and kept out of every statistic). ``None``: no bound.
    - ``warmup``: readings before the statistical detectors may fire.
    - ``baseline_alpha``: weight of a new reading in the level estimate (the
      level follows changes over about ``1 / alpha`` readings).
    - ``scale_alpha``: same for the noise scale (mean absolute deviation).
    - ``min_scale``: noise floor in units, so a quantised or very quiet sensor
      does not turn its last digit into a 50-sigma spike.
    - ``window``, ``spike_sigma``, ``step_sigma``: spikes and steps are judged
      in the last ``2 * window`` readings against the reading-to-reading
      noise (:class:`WindowDetector`): a reading ``spike_sigma`` from the
      readings around it is a spike; the mean of the last ``window`` readings
      ``step_sigma`` (in the statistic's own sigma, ``sqrt(2 / window)`` of
      the noise) from the mean of the ``window`` before, changing sharply,
      is a level shift. ``None`` disables the test (a counter steps by nature).
    - ``drift_alpha``, ``drift_sigma``: a slow average (about ``1 / alpha``
      readings) moving ``drift_sigma`` noise scales away from where it stood
      at the last anchor, with no spike or shift to explain it. ``None``
      disables drift (for sensors with a strong daily cycle).
    - ``stuck_count``, ``stuck_epsilon``, ``stuck_min_activity``: that many
      readings in a row changing by at most ``epsilon``, from a sensor whose
      readings normally change at least ``min_activity`` of the time.
    - ``expected_interval``: seconds between readings; ``None`` learns it.
    - ``interval_alpha``: weight of a new interval in the learned one.
    - ``dropout_factor``: a gap longer than ``factor x expected`` is a dropout.

    The calibrated ``anomaly_score`` (:class:`StreamScore`) has no settings:
    it adapts to each stream by itself, so one configuration serves all.
    """

    sensor: str = ""
    unit: str = ""
    physical_min: float | None = None
    physical_max: float | None = None
    warmup: int = 30
    baseline_alpha: float = 0.05
    scale_alpha: float = 0.02
    min_scale: float = 1e-9
    window: int = 6
    spike_sigma: float | None = 5.0
    step_sigma: float | None = 6.0
    drift_alpha: float = 0.005
    drift_sigma: float | None = 5.0
    stuck_count: int = 30
    stuck_epsilon: float = 0.0
    stuck_min_activity: float = 0.5
    expected_interval: float | None = None
    interval_alpha: float = 0.05
    dropout_factor: float = 3.0

    def __post_init__(self) -> None:
        lo, hi = self.physical_min, self.physical_max
        if lo is not None and hi is not None and not lo < hi:
            raise AnomalyConfigError(f"physical_min {lo} must be below physical_max {hi}")
        for name in ("baseline_alpha", "scale_alpha", "drift_alpha", "interval_alpha"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise AnomalyConfigError(f"{name} must be in (0, 1], got {value}")
        positive = ("dropout_factor", "min_scale")
        for name in positive:
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0.0):
                raise AnomalyConfigError(f"{name} must be a positive number, got {value}")
        for name in ("spike_sigma", "step_sigma", "drift_sigma"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value > 0.0):
                raise AnomalyConfigError(f"{name} must be a positive number or None, got {value}")
        if self.stuck_epsilon < 0.0:
            raise AnomalyConfigError("stuck_epsilon must not be negative")
        if self.window < 3:
            raise AnomalyConfigError("window must be at least 3 readings")
        if self.warmup < 2 or self.stuck_count < 2:
            raise AnomalyConfigError("warmup and stuck_count must be at least 2")
        if not 0.0 <= self.stuck_min_activity <= 1.0:
            raise AnomalyConfigError("stuck_min_activity must be in [0, 1]")
        if self.expected_interval is not None and not self.expected_interval > 0.0:
            raise AnomalyConfigError("expected_interval must be positive seconds")
        if self.dropout_factor <= 1.0:
            raise AnomalyConfigError("dropout_factor must exceed 1")
