"""Camera and people-tracker counts as measurements of their zone, with their spread."""

from __future__ import annotations

import math
from collections.abc import Mapping

from twin.analytics.crowd import OccupancyEstimator
from twin.live_analytics.config import AnalyticsConfig

__all__ = [
    "direct_measurement",
    "direct_measurements",
    "restart_from_first_counts",
    "step_values",
    "tracker_miss_prior",
]


def direct_measurement(
    values: list[float], tracker: bool, occupancy: float, area_m2: float, cfg: AnalyticsConfig
) -> tuple[float, float]:
    """(people, sd) behind one step's readings of a camera or a people tracker.

    A camera's counts are corrected for the expected occlusion at the zone's
    density (``occupancy`` / ``area_m2``); a tracker looks down, so it only
    drops tracks. What is left of a sensor's miss share (dropouts, its own
    occlusion) is the estimator's per-camera state.

    A tracker's dropouts, each uncertainty once. The device keeps each of the
    ``n`` people with probability ``1 - d``; its own rate ``d`` is the
    prior's ``d0`` (``tracker_dropout``) off by a device-to-device spread
    (``tracker_dropout_sd``). A frame's count is ``s ~ Binomial(n, 1 - d)``,
    and ``y = s / (1 - d0)`` has

        E[y | n, d] = n (1 - g),  g = (d - d0) / (1 - d0)
        Var[y | n, d] = n d (1 - d) / (1 - d0)^2 ~ n d0 / (1 - d0)

    The persistent part, ``g``, is the same on every reading: it is the
    estimator's miss-share state, whose prior sd is the spread
    (``tracker_miss_prior``). The random part, the binomial, is this
    reading's noise. It used to be ``tracker_dropout_sd n`` here, the
    device spread a second time (3.5 % of the museum hall's variance;
    docs/crowd.md, "People trackers"). The step's frames are not taken as
    independent draws: a dropped track stays lost for a few seconds.
    """
    ocfg = cfg.occupancy
    seen = sum(values) / len(values)
    if tracker:
        keep = max(0.5, 1.0 - cfg.tracker_dropout)
        n = seen / keep
        miss_var = n * (1.0 - keep) / keep
    else:
        rho = occupancy / area_m2
        share = max(0.5, 1.0 - cfg.camera_undercount_per_density * rho)
        n = seen / share
        miss_var = (cfg.camera_undercount_sd * rho * n) ** 2
    sd = math.sqrt((ocfg.direct_rel_sd * n) ** 2 + ocfg.direct_abs_sd**2 / len(values) + miss_var)
    return n, sd


def tracker_miss_prior(cfg: AnalyticsConfig) -> float:
    """Prior sd of a tracker's miss share ``g`` once its count is divided by ``1 - d0``.

    ``g = (d - d0) / (1 - d0)`` (see :func:`direct_measurement`): the
    device-to-device spread of the dropout rate, and only here.
    """
    return cfg.tracker_dropout_sd / max(0.5, 1.0 - cfg.tracker_dropout)


def step_values(readings: list[tuple[float, float]], cfg: AnalyticsConfig) -> list[float]:
    """The counts of one sensor's step (``(device time, count)`` pairs) that measure its end.

    The filter fuses a direct count as the zone at the step's end. The mean
    of a step's frames measures the zone about half a step earlier: a hall
    filling at ``r`` people per second reads ``r * step / 2`` low (docs/
    crowd.md, "Accuracy"). With ``direct_count_latest`` only the latest
    reading is kept (the last to arrive among equal stamps), with one
    reading's noise: a tracker's frames are not independent draws anyway.
    """
    if not cfg.direct_count_latest:
        return [v for _, v in readings]
    latest = max(t for t, _ in readings)
    return [[v for t, v in readings if t == latest][-1]]


def direct_measurements(
    pending: Mapping[str, list[tuple[float, float]]],
    zone_of: Mapping[str, str],
    trackers: frozenset[str] | set[str],
    camera_index: Mapping[str, int],
    occupancy: Mapping[str, float],
    area: Mapping[str, float],
    cfg: AnalyticsConfig,
) -> dict[int, tuple[float, float]]:
    """Camera index -> (people, sd) for every sensor with readings this step."""
    out = {}
    for sensor, readings in pending.items():
        zone = zone_of[sensor]
        out[camera_index[sensor]] = direct_measurement(
            step_values(readings, cfg), sensor in trackers, occupancy[zone], area[zone], cfg
        )
    return out


# A first count this many sds from the assumed start is a start that was wrong.
_RESTART_SD = 4.0


def restart_from_first_counts(
    est: OccupancyEstimator,
    obs: Mapping[int, tuple[float, float]],
    camera_zone: Mapping[int, str],
    assumed: set[str],
) -> dict[int, tuple[float, float]]:
    """Start a zone from its first direct count when its start was only assumed; the rest.

    Tracking starts every zone at 0 (± ``initial_sd``) unless the venue file,
    the configuration or an operator says otherwise. Started in the middle of
    a day, a camera's first count of 300 people is then 60 sds from the
    prior, and the extended Kalman filter explains most of it by the
    camera's miss share (``n (1 - g)``: g -> -0.36, the zone read 220 +- 7
    for good). Such a count is a measurement of where the zone stands: the
    zone restarts from it (the camera's own spread), and its further counts
    are fused as usual. Zones leave ``assumed`` at their first direct count.
    """
    rest = dict(obs)
    zi = est.graph.zone_index
    for cam, (n, sd) in obs.items():
        zone = camera_zone[cam]
        if zone not in assumed:
            continue
        assumed.discard(zone)
        i = zi[zone]
        share = 1.0 - est.camera_miss_share[cam]
        gap = abs(n - est.x[i] * share)
        if gap > _RESTART_SD * math.sqrt(est.P[i, i] * share**2 + sd * sd):
            est.set_occupancy(zone, n / share, sd / share)
            del rest[cam]
    return rest
