"""A camera cannot tell its zone's doors' common correction from its own miss share.

A hall with one door counted both ways and a camera. If both counters
missed 1 % more, the hall would hold 1 % more people all day; a camera
that sees ``n (1 - g)`` reads that as 1 % more of its own miss share
``g``, and the empty night sees in minus out, a difference. So the common
scale of the two corrections keeps its prior (sd 0.02 / sqrt(2) = 1.41 %),
pulled in only by ``g``'s prior (3 %): at best 1.28 %.

The defect this guards against (docs/measurements/crowd-log.md, "The
corrections' overconfidence" and "The misses' spread on the expected
count"): with the misses' spread on the step's own count, none between
counts, at opening and closing, with the hall nearly empty and people
still crossing, a camera reading near 0 seemed to measure the common
scale: 0.95-0.97 % here (seeds 0-2), 0.3-0.4 % for the scenic site's exit.
``OccupancyConfig.miss_window_s`` (900 s by default since 2026-12: the
spread on the expected count) fixes it; with it set to 0 this test fails.
"""

from __future__ import annotations

import numpy as np
import pytest

from twin.analytics.crowd import OccupancyConfig
from twin.live_analytics import AnalyticsConfig
from twin.live_analytics.config import LIVE_OCCUPANCY
from twin.live_analytics.crowd import CrowdTracker
from twin.venue import Venue

T0 = 1_732_521_600.0  # 2024-11-25 08:00 UTC
STEP = 10.0


def venue() -> Venue:
    def counter(sid: str, back: bool) -> dict[str, object]:
        s: dict[str, object] = {
            "id": sid,
            "kind": "gate_counter",
            "zone": "hall",
            "gate": "door",
            "position": [0, 0, 2],
            "interval_s": STEP,
        }
        if back:
            s["direction"] = "backward"
        return s

    return Venue.model_validate(
        {
            "id": "v",
            "name": "V",
            "zones": [
                {"id": "hall", "name": "Hall", "floor": [[0, 0], [30, 0], [30, 20], [0, 20]]}
            ],
            "gates": [{"id": "door", "from_zone": None, "to_zone": "hall", "position": [0, 7]}],
            "sensors": [
                counter("in", False),
                counter("out", True),
                {
                    "id": "cam",
                    "kind": "people_count",
                    "zone": "hall",
                    "position": [10, 7, 5],
                    "interval_s": STEP,
                },
            ],
        }
    )


def common_scale_sd(seed: int, occupancy: OccupancyConfig = LIVE_OCCUPANCY) -> float:
    """sd of the two corrections' mean after a day (visitors 09:00-16:30) and its evening."""
    config = AnalyticsConfig(
        empty_hours={"v": (18.0, 8.0)}, initial_occupancy={"hall": 0.0}, occupancy=occupancy
    )
    tracker = CrowdTracker(venue(), config)
    rng = np.random.default_rng(seed)
    hall, seen_in, seen_out, t = 0, 0.0, 0.0, T0
    for k in range(3600):  # 08:00-18:00
        t += STEP
        hour = 8.0 + k * STEP / 3600.0
        # Arrivals ramp up over two hours and down over the last one and a half.
        rate = max(0.0, min(1.0, (hour - 9.0) / 2.0, (16.5 - hour) / 1.5))
        arrive = int(rng.poisson(rate)) if 9.0 <= hour < 16.5 else 0
        leave = int(rng.binomial(hall, 0.01 if hour < 16.5 else 0.05))
        hall += arrive - leave
        seen_in += rng.binomial(arrive, 0.95)
        seen_out += rng.binomial(leave, 0.97)
        tracker.update("in", t - 1.0, seen_in)
        tracker.update("out", t - 1.0, seen_out)
        tracker.update("cam", t - 1.0, float(rng.binomial(hall, 0.98)))
        tracker.advance(t)
    for _ in range(6):  # the first hour of the known-empty night
        t += 600.0
        tracker.update("in", t - 1.0, seen_in)
        tracker.update("out", t - 1.0, seen_out)
        tracker.update("cam", t - 1.0, 0.0)
        tracker.advance(t)
    est = tracker.estimator
    nz = est.n_zones
    w = np.array([0.5, 0.5])
    return float(np.sqrt(w @ est.P[nz : nz + 2, nz : nz + 2] @ w))


@pytest.mark.parametrize("seed", [0])
def test_a_camera_does_not_learn_its_doors_common_correction(seed: int) -> None:
    assert common_scale_sd(seed) >= 0.012
