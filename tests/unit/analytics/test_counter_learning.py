"""The nights' known-empty venue teaches each counter's correction, day after day.

A counter-only venue (street -> lobby -> gallery, both doors counted both
ways) whose counters miss 1-8 % and double-count up to 1 % (per device, as
the simulator and the specifications have them), run for several days with
the venue observed empty every night through the live defaults. The bands
of the counter-only zones must narrow day on day as the evenings teach the
filter the counters' rates, and hold the truth at least 90 % of the time,
pooled over venues and days (in one day a zone's error is one draw of its
counters' rates, so only the pooled figure is a coverage).
"""

from __future__ import annotations

import numpy as np

from twin.analytics.crowd import GateSpec, OccupancyConfig, OccupancyEstimator
from twin.live_analytics.config import LIVE_OCCUPANCY

GATES = [GateSpec("door", None, "lobby"), GateSpec("arch", "lobby", "gallery")]
DAYS = 4
VENUES = 12
STEP_S = 300.0
OPEN_STEPS = 120  # 10 hours of 5-minute steps


def run_venue(
    config: OccupancyConfig, rng: np.random.Generator, oracle: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """(mean sd per day and zone, share of steps in band per day and zone).

    ``oracle``: the estimator is told each counter's true rate (what is left
    is the binomial count noise, the floor no learning can go below).
    """
    est = OccupancyEstimator(["lobby", "gallery"], GATES, config)
    miss = rng.uniform(0.01, 0.08, 4)  # door in, door out, arch in, arch out
    double = rng.uniform(0.0, 0.01, 4)
    if oracle:
        for ch in range(4):  # channels: door fwd, door back, arch fwd, arch back
            est.set_channel_prior(ch, miss[ch] - double[ch], 1e-6)
    sd = np.zeros((DAYS, 2))
    cover = np.zeros((DAYS, 2))
    for day in range(DAYS):
        lobby = gallery = 0
        sds, inside = [], []
        for k in range(OPEN_STEPS):
            closing = k >= OPEN_STEPS - 10
            arrive = 0 if closing else int(rng.poisson(30 * np.sin(np.pi * k / OPEN_STEPS) ** 2))
            to_gallery = int(rng.binomial(lobby, 0.6))
            back = int(rng.binomial(gallery, 0.5 if closing else 0.2))
            leave = int(rng.binomial(lobby - to_gallery, 0.9 if closing else 0.5))
            if k == OPEN_STEPS - 1:  # everyone is out by closing
                back, leave = gallery, lobby - to_gallery + gallery
            true = np.array([arrive, leave, to_gallery, back])
            seen = rng.binomial(true, 1.0 - miss) + rng.binomial(true, double)
            lobby += arrive - leave - to_gallery + back
            gallery += to_gallery - back
            est.predict({"door": (seen[0], seen[1]), "arch": (seen[2], seen[3])}, STEP_S)
            e = est.estimate()
            s = np.array([e.sd["lobby"], e.sd["gallery"]])
            err = np.array([e.occupancy["lobby"] - lobby, e.occupancy["gallery"] - gallery])
            sds.append(s)
            inside.append(np.abs(err) <= 1.96 * s)
        sd[day] = np.mean(sds, axis=0)
        cover[day] = np.mean(inside, axis=0)
        # The night: nobody moves, the venue is known empty (closing time).
        est.predict({}, 14 * 3600.0)
        est.observe_empty()
    return sd, cover


def test_counter_only_bands_narrow_to_the_count_noise_and_hold_the_truth() -> None:
    rng = np.random.default_rng(11)
    runs = [run_venue(LIVE_OCCUPANCY, rng) for _ in range(VENUES)]
    sd = np.mean([r[0] for r in runs], axis=0)  # (days, zones)
    cover = np.mean([r[1] for r in runs], axis=0)
    rng = np.random.default_rng(11)  # the same venues, rates known
    floor = np.mean([run_venue(LIVE_OCCUPANCY, rng, oracle=True)[0] for _ in range(VENUES)], axis=0)
    print(f"\nmean sd per day (lobby, gallery):\n{sd.round(1)}\ncoverage:\n{cover.round(3)}")
    print(f"with the rates known:\n{floor.round(1)}")
    # The first evening's empty venue teaches the counters' rates, and the
    # nights after do not forget it: the band narrows and stays narrow...
    assert np.all(sd[1] < 0.5 * sd[0]), sd
    for day in range(2, DAYS):
        assert np.all(sd[day] <= 1.02 * sd[day - 1]), (day, sd)
    # ...down to near what knowing each counter's rate would give.
    assert np.all(sd[-1] < 1.5 * floor[-1]), (sd, floor)
    # And it holds the truth: pooled over the venues, per day, and over all days.
    assert np.all(cover.mean(axis=1) >= 0.90), cover
    assert 0.90 <= cover.mean() <= 0.98, cover
