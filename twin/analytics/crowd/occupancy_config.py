"""The occupancy estimator's noise parameters and its result (see :mod:`.occupancy`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["OccupancyConfig", "OccupancyEstimate"]


@dataclass(frozen=True, slots=True)
class OccupancyConfig:
    """Noise parameters of the estimator (people, fractions, per day).

    ``counter_miss_rate`` sets the prior mean of every channel's correction
    ``b = m / (1 - m)``; 0 trusts the counters' totals as they are.
    ``channel_corr`` is the correlation between the corrections of a gate's two
    directions (prior and drift): one physical two-way counter misses people
    in both directions for the same reasons (optics, occlusion, mounting).
    ``miss_window_s`` (on, 900 s; 0 turns it off): where the caller streams
    counts (gives expected counts), the corrections' gain and the misses'
    spread use each channel's expected count over this window (its counts
    booked, and the mean rate so far for the time before the stream)
    instead of the caller's expected count and the step's own count
    (:mod:`.channel_misses`).
    ``miss_spread_counted`` (with ``miss_window_s``; off here, the live
    service sets it from ``AnalyticsConfig.miss_spread_counted``): the
    misses' spread booked since a zone was last known never trails the
    crossings counted (:meth:`.MissBooking.spread`), so a flow that starts
    from nothing (the doors opening) is not taken as more exact than its
    counts while the window books it.
    ``camera_iterated`` (off): a camera's reading ``n (1 - g)`` is fused by
    the iterated extended Kalman filter (relinearised at the updated
    estimate) instead of at the predicted one, whose error made the miss
    share ``g`` wander upwards (:meth:`.OccupancyEstimator.observe_cameras`).
    """

    count_rel_sd: float = 0.3
    count_abs_sd: float = 0.5
    bias_sd_initial: float = 0.1
    bias_sd_per_day: float = 0.02
    direct_rel_sd: float = 0.05
    direct_abs_sd: float = 1.0
    empty_sd: float = 0.5
    initial_sd: float = 5.0
    counter_miss_rate: float = 0.0
    camera_miss_share: float = 0.0
    camera_miss_sd: float = 0.03
    camera_miss_sd_per_h: float = 0.02
    channel_corr: float = 0.0
    miss_window_s: float = 900.0
    miss_spread_counted: bool = False
    camera_iterated: bool = False


@dataclass(frozen=True, slots=True)
class OccupancyEstimate:
    """Occupancy per zone with its standard deviation, and counter biases."""

    occupancy: Mapping[str, float]
    sd: Mapping[str, float]
    channel_bias: Mapping[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return float(sum(self.occupancy.values()))
