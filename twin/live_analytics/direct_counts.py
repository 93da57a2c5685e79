"""Camera and people-tracker counts as measurements of their zone, with their spread."""

from __future__ import annotations

import math
from collections.abc import Mapping

from twin.live_analytics.config import AnalyticsConfig

__all__ = ["direct_measurement", "direct_measurements"]


def direct_measurement(
    values: list[float], tracker: bool, occupancy: float, area_m2: float, cfg: AnalyticsConfig
) -> tuple[float, float]:
    """(people, sd) behind one step's readings of a camera or a people tracker.

    A camera's counts are corrected for the expected occlusion at the zone's
    density (``occupancy`` / ``area_m2``); a tracker looks down, so it only
    drops tracks. What is left of a sensor's miss share (dropouts, its own
    occlusion) is the estimator's per-camera state.
    """
    ocfg = cfg.occupancy
    seen = sum(values) / len(values)
    if tracker:
        n = seen / max(0.5, 1.0 - cfg.tracker_dropout)
        miss_sd = cfg.tracker_dropout_sd * n
    else:
        rho = occupancy / area_m2
        share = max(0.5, 1.0 - cfg.camera_undercount_per_density * rho)
        n = seen / share
        miss_sd = cfg.camera_undercount_sd * rho * n
    sd = math.sqrt((ocfg.direct_rel_sd * n) ** 2 + ocfg.direct_abs_sd**2 / len(values) + miss_sd**2)
    return n, sd


def direct_measurements(
    pending: Mapping[str, list[float]],
    zone_of: Mapping[str, str],
    trackers: frozenset[str] | set[str],
    camera_index: Mapping[str, int],
    occupancy: Mapping[str, float],
    area: Mapping[str, float],
    cfg: AnalyticsConfig,
) -> dict[int, tuple[float, float]]:
    """Camera index -> (people, sd) for every sensor with readings this step."""
    out = {}
    for sensor, values in pending.items():
        zone = zone_of[sensor]
        out[camera_index[sensor]] = direct_measurement(
            values, sensor in trackers, occupancy[zone], area[zone], cfg
        )
    return out
