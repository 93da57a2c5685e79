"""A counted zone nobody has crossed for a mean stay is nearly empty (quiet_zones.py)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.unit.analytics.two_door_venue import two_door_hall
from twin.live_analytics import AnalyticsConfig
from twin.live_analytics.crowd import CrowdTracker
from twin.venue import Venue

T0 = 1_732_525_200.0
STEP = 10.0
MISS = {"west-forward": 0.055, "west-backward": 0.03, "east-forward": 0.025, "east-backward": 0.05}


def hall() -> Venue:
    """A 20 m x 20 m hall, no camera, no dwell prior."""
    return two_door_hall(size_m=(20.0, 20.0), interval_s=STEP)


def day(
    seed: int, *, open_h: float = 4.0, hours: float = 6.0, east_dies_h: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Visitors enter west (0.2/s) for ``open_h`` hours, stay Exp(600 s), leave east.

    Counters miss ``MISS`` of their crossings and report their cumulative
    counts every step; with ``east_dies_h`` the east door's counters fall
    silent from that hour on. Per step: estimate, sd, truth.
    """
    rng = np.random.default_rng(seed)
    cfg = AnalyticsConfig(crowd_step_s=STEP, initial_occupancy={"hall": 0.0}, quiet_zones=True)
    tracker = CrowdTracker(hall(), cfg)
    reported = dict.fromkeys(MISS, 0.0)
    inside = np.zeros(0)  # departure times of the people in the hall
    est, sd, truth = [], [], []
    for s in MISS:
        tracker.update(s, T0, 0.0)
    for k in range(round(hours * 3600 / STEP)):
        t = T0 + (k + 1) * STEP
        crossed = dict.fromkeys(MISS, 0)
        if t - T0 <= open_h * 3600:
            arrivals = rng.poisson(0.2 * STEP)
            crossed["west-forward"] = arrivals
            inside = np.append(inside, t + rng.exponential(600.0, arrivals))
        crossed["east-forward"] = int((inside <= t).sum())
        inside = inside[inside > t]
        for s, n in crossed.items():
            reported[s] += rng.binomial(n, 1.0 - MISS[s])
            if east_dies_h is None or not s.startswith("east") or t - T0 < east_dies_h * 3600:
                tracker.update(s, t, reported[s])
        res = tracker.advance(t)
        est.append(res[0].occupancy)
        sd.append(res[0].occupancy_sd)
        truth.append(len(inside))
    return np.array(est), np.array(sd), np.array(truth)


@pytest.mark.parametrize("seed", [0, 1])
def test_the_band_closes_once_the_visitors_have_gone(seed: int) -> None:
    est, sd, truth = day(seed, hours=7.5)
    h = (np.arange(len(est)) + 1) * STEP / 3600.0
    # Open, busy (about 120 people): the band is the counters' drift, wide, and a
    # short lull between crossings does not read as "empty".
    busy = (h > 3.0) & (h <= 4.0)
    assert truth[busy].min() > 60
    assert sd[busy].mean() > 15.0
    assert np.mean(np.abs(est[busy] - truth[busy]) <= 1.96 * sd[busy]) > 0.9
    # Last half hour: nobody has crossed for hours (many mean stays; the largest
    # burst counted in was about 7 people, a "party" for all the model knows).
    # Before, the sd stayed at the day's peak (about 80 people) until something
    # said "empty".
    last = h > 7.0
    assert truth[last].max() == 0
    assert sd[last].max() < 2.0
    assert np.abs(est[last]).max() < 2.0


def test_a_silent_door_is_not_a_quiet_one() -> None:
    # The east counters stop reporting at 4 h: nobody is seen leaving, but
    # nobody is known not to leave either, so the band stays open.
    est, sd, _ = day(0, east_dies_h=4.0)
    h = (np.arange(len(est)) + 1) * STEP / 3600.0
    assert sd[h > 5.5].min() > 15.0
