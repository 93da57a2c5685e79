"""A two-way counter errs alike in both directions: the band of in - out must say so."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from twin.analytics.crowd import GateSpec, OccupancyConfig, OccupancyEstimator
from twin.live_analytics.config import LIVE_OCCUPANCY

# The live defaults with a gate's two directions sharing most of their correction.
SHARED = dataclasses.replace(LIVE_OCCUPANCY, channel_corr=0.9)

ROOMS = 200
STEPS = 60
FLOW = 50  # people in and out of the room per 10 s step


def balanced_room_coverage(config: OccupancyConfig, seed: int = 7) -> tuple[float, float]:
    """Share of rooms with the truth in the final 95 % band, and the mean band half-width.

    Each room's door has one two-way counter whose miss rate is drawn per
    device (1-8 %), each direction 1 % off it; as many people leave as enter,
    so the error on in - out is what the two directions' rates differ by.
    """
    rng = np.random.default_rng(seed)
    inside, half = 0, []
    for _ in range(ROOMS):
        est = OccupancyEstimator(
            ["room"], [GateSpec("door", None, "room")], config, initial={"room": 500.0}
        )
        device = rng.uniform(0.01, 0.08)
        miss = np.clip(device + rng.normal(0.0, 0.01, 2), 0.01, 0.08)
        for _ in range(STEPS):
            seen = rng.binomial(FLOW, 1.0 - miss)
            est.predict({"door": (float(seen[0]), float(seen[1]))}, 10.0)
        e = est.estimate()
        inside += abs(e.occupancy["room"] - 500.0) <= 1.96 * e.sd["room"]
        half.append(1.96 * e.sd["room"])
    return inside / ROOMS, float(np.mean(half))


def test_the_band_of_a_busy_room_is_calibrated_when_both_ways_share_a_counter() -> None:
    # 3,000 in and 3,000 out: independent corrections (+-3 % each) would claim
    # +-120 people where the counter's two directions differ by about 1 %.
    cover, half = balanced_room_coverage(SHARED)
    assert 0.90 <= cover <= 0.98
    independent = dataclasses.replace(SHARED, channel_corr=0.0)
    cover0, half0 = balanced_room_coverage(independent)
    assert cover0 > 0.98 and half0 > 2.0 * half


def test_a_net_inflow_keeps_the_counters_shared_uncertainty() -> None:
    # All one way: correlation cannot cancel anything, the band is the same.
    def band(corr: float) -> float:
        cfg = dataclasses.replace(SHARED, channel_corr=corr)
        est = OccupancyEstimator(["room"], [GateSpec("door", None, "room")], cfg)
        for _ in range(20):
            est.predict({"door": (100.0, 0.0)}, 10.0)
        return est.estimate().sd["room"]

    assert band(0.9) == pytest.approx(band(0.0), rel=1e-9)


def test_channel_correlation_is_validated() -> None:
    with pytest.raises(ValueError, match="channel_corr"):
        OccupancyEstimator(["a"], [], OccupancyConfig(channel_corr=1.0))
