"""A transit zone's Little's-law prior at a speed measured from stays still censored."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tests.unit.analytics.corridor_venue import corridor_venue
from twin.analytics.crowd import DwellTimeEstimator
from twin.analytics.crowd.dwell_prior import DwellPrior, DwellPriorConfig
from twin.live_analytics import AnalyticsConfig
from twin.live_analytics.crowd import CrowdTracker
from twin.live_analytics.transit_speed import TransitSpeed

T0 = 1_732_525_200.0


def test_the_censored_shortfall_corrects_a_young_stay_estimate() -> None:
    # One person a second from an empty start, each staying 8 s: at 20 s the
    # 8 still inside count only part of their stay, so sum n dt / E is short.
    est = DwellTimeEstimator(window=900, min_entries=1.0)
    for k in range(1, 21):
        est.update(1.0, float(min(k, 8)), 1.0)
    w = est.dwell_time_s
    assert w is not None and w < 0.85 * 8.0
    assert w * (1.0 + est.censored_shortfall) == pytest.approx(8.0, rel=0.05)
    # Hours later the window holds completed stays: little left to correct.
    for _ in range(3000):
        est.update(1.0, 8.0, 1.0)
    assert est.censored_shortfall < 0.01


def test_the_prior_at_a_censored_speed_carries_the_shortfall_in_its_spread() -> None:
    def pseudo(config: DwellPriorConfig, censoring: dict[int, float] | None) -> np.ndarray:
        prior = DwellPrior(2, {0: (10.0, 30.0), 1: (10.0, 30.0)}, {}, config)
        for k in range(20):
            prior.step(float(k + 1), 1.0, np.array([1.0, 1.0]))
        _, z, var = prior.pseudo(20.0, 1.0, np.array([8.0, 8.0]), {0: 1.25}, None, censoring)
        assert z[0] == pytest.approx(8.0)
        return var

    on = DwellPriorConfig(learned_spread=False, censored_speed=True)
    plain = pseudo(on, None)
    wider = pseudo(on, {0: 0.3})
    # Zone 0 walks at the measured speed: its relative spread grows from
    # 0.3 to sqrt(0.3^2 + 0.3^2); zone 1 (Weidmann's speed) is untouched.
    assert wider[0] == pytest.approx((2 * 0.09 * 64 + 1.0) * 8.0)
    assert wider[1] == plain[1]
    off = dataclasses.replace(on, censored_speed=False)
    assert pseudo(off, {0: 0.3})[0] == plain[0]


def filling_coverage(censored: bool, seeds: int = 20, steps: int = 40) -> float:
    """Share of the west end's first ``steps`` s with the truth inside its 95 % band.

    Two people a second enter from the west and walk the 12 m at 1 m/s;
    counters miss 4 %; the camera counts the centre exactly.
    """
    inside = 0
    cfg = AnalyticsConfig(crowd_step_s=1.0, dwell_speed_censored=censored)
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        tracker = CrowdTracker(corridor_venue((0, 4, 8, 12), 3.0, interval_s=1), cfg)
        cum = {f"g{k}-{way}": 0.0 for k in range(4) for way in ("forward", "backward")}
        for s in cum:
            tracker.update(s, T0, 0.0)
        entered: list[float] = []
        for k in range(1, steps + 1):
            t = T0 + k
            entered += [t - rng.uniform()] * int(rng.poisson(2.0))
            for g in range(4):  # crossings of door g in (t - 1, t]
                n = sum(1 for e in entered if t - 1 < e + 4 * g <= t)
                cum[f"g{g}-forward"] += rng.binomial(n, 0.96)
            for s, v in cum.items():
                tracker.update(s, t, v)
            tracker.update("cam", t, float(sum(1 for e in entered if 4 < t - e <= 8)))
            res = {c.zone: c for c in tracker.advance(t)}
            west = res["west"]
            truth = sum(1 for e in entered if t - e <= 4)
            inside += abs(west.occupancy - truth) <= 1.96 * west.occupancy_sd
    return inside / (seeds * steps)


def test_the_west_end_of_a_filling_corridor_is_inside_its_band() -> None:
    # The centre's camera gives the walking speed (path / W), shared with
    # the ends; while the corridor fills, W is short (people inside have
    # only part of their stay behind them), the ends' prior low. Without
    # the shortfall in its spread the west end's band held the truth on
    # 88 % of these steps.
    assert AnalyticsConfig().dwell_speed_censored  # on by default
    assert 0.90 <= filling_coverage(censored=True) <= 0.98


def test_the_shortfall_goes_to_the_neighbours_not_to_the_watched_zone() -> None:
    # The watched zone's own prior is checked by its camera (the learned
    # spread sees that bias); the ends, walking at its speed, are not.
    speed = TransitSpeed({0: 4.0, 1: 4.0, 2: 4.0}, {1}, {0: [1], 1: [0, 2], 2: [1]})
    dwell = DwellTimeEstimator(window=900, min_entries=1.0)
    for k in range(1, 21):
        dwell.update(1.0, float(min(k, 8)), 1.0)
    assert speed.measure(1, dwell) is not None
    assert speed.censoring() == {0: dwell.censored_shortfall, 2: dwell.censored_shortfall}
    assert set(speed.shared()) == {0, 1, 2}
