"""The crowd state estimator with imperfect sensors: cameras, constraints, priors, bands."""

from __future__ import annotations

import numpy as np
import pytest

from tests.unit.analytics.two_door_venue import two_door_hall
from twin.analytics.crowd import GateSpec, OccupancyConfig, OccupancyEstimator
from twin.analytics.crowd.dwell_prior import DwellPrior, weidmann_speed
from twin.live_analytics import AnalyticsConfig, VenueAnalytics
from twin.live_analytics.crowd import CrowdTracker
from twin.venue import Venue

T0 = 1_732_525_200.0


def corridor(*, transit: bool = True, camera: bool = False, initial: float | None = None) -> Venue:
    """A 10 m x 3 m corridor, counters reporting every second."""
    return two_door_hall(
        venue_id="corridor",
        size_m=(10.0, 3.0),
        interval_s=1,
        transit=transit,
        camera=camera,
        initial=initial,
    )


def walk(
    tracker: CrowdTracker, rng: np.random.Generator, steps: int, miss: float, rate: float = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """People enter west at ``rate``/s and walk 10 m at 1.25 m/s (8 s); counters miss ``miss``.

    Returns true occupancy, estimate and sd per 1 s step.
    """
    inside: list[float] = []  # exit times
    cum = {"west-forward": 0.0, "east-forward": 0.0, "west-backward": 0.0, "east-backward": 0.0}
    truth, est, sd = [], [], []
    for k in range(1, steps + 1):
        t = T0 + k
        arrivals = rng.poisson(rate)
        inside += [t + 8.0] * arrivals
        leaving = sum(1 for e in inside if e <= t)
        inside = [e for e in inside if e > t]
        cum["west-forward"] += rng.binomial(arrivals, 1 - miss)
        cum["east-forward"] += rng.binomial(leaving, 1 - miss)
        for s, v in cum.items():
            tracker.update(s, t, v)
        res = tracker.advance(t)
        if k == 1:
            continue
        truth.append(len(inside))
        est.append(res[0].occupancy)
        sd.append(res[0].occupancy_sd)
    return np.array(truth, float), np.array(est), np.array(sd)


def start(tracker: CrowdTracker) -> None:
    for s in ("west-forward", "east-forward", "west-backward", "east-backward"):
        tracker.update(s, T0, 0.0)


def test_a_camera_only_zone_follows_its_camera() -> None:
    # The case: a perfect camera reads 0 while the estimate stayed at 4.2.
    est = OccupancyEstimator(
        ["room"], [], OccupancyConfig(), cameras=["room"], open_zones={"room": 600}
    )
    for _ in range(60):
        est.predict_vector(np.zeros(0), 10.0)
        est.observe_cameras({0: (10.0, 0.5)})
    for _ in range(6):
        est.predict_vector(np.zeros(0), 10.0)
        est.observe_cameras({0: (0.0, 0.5)})
    assert est.estimate().occupancy["room"] < 1.0


def test_the_band_of_a_transit_zone_stays_bounded_with_exact_counters() -> None:
    cfg = AnalyticsConfig(crowd_step_s=1.0)
    bounded = CrowdTracker(corridor(transit=True), cfg)
    drifting = CrowdTracker(corridor(transit=False), cfg)
    start(bounded)
    start(drifting)
    _, _, sd_b = walk(bounded, np.random.default_rng(1), 1800, miss=0.0)
    _, _, sd_d = walk(drifting, np.random.default_rng(1), 1800, miss=0.0)
    # Without a dwell prior the band grows with every person counted...
    assert sd_d[-1] > 2 * sd_d[300]
    # ...with it, it stops growing: the last half hour's width is that of minute five.
    assert sd_b[-1] < 1.5 * sd_b[300] and sd_b[-1] < 4.0


def test_missed_crossings_do_not_accumulate_in_a_transit_zone() -> None:
    cfg = AnalyticsConfig(crowd_step_s=1.0)
    errs_prior, errs_plain, cover = [], [], []
    for seed in range(5):
        with_prior = CrowdTracker(corridor(transit=True), cfg)
        plain = CrowdTracker(corridor(transit=False), cfg)
        start(with_prior)
        start(plain)
        truth, est, sd = walk(with_prior, np.random.default_rng(seed), 1200, miss=0.04)
        truth2, est2, _ = walk(plain, np.random.default_rng(seed), 1200, miss=0.04)
        errs_prior.append(np.abs(est - truth).mean())
        errs_plain.append(np.abs(est2 - truth2).mean())
        cover.append(np.mean(np.abs(est - truth) <= 1.96 * sd + 0.5))
    # 4 % misses of ~2400 crossings: in - out drifts by ~10 people; Little's law holds it.
    assert np.mean(errs_plain) > 2.0 * np.mean(errs_prior)
    assert np.mean(errs_prior) < 2.0  # peak ~ 10-15 people
    assert 0.85 <= np.mean(cover) <= 1.0


def test_initial_occupancy_from_the_venue_file_and_the_api() -> None:
    tracker = CrowdTracker(corridor(transit=False, initial=40), AnalyticsConfig(crowd_step_s=1.0))
    start(tracker)
    res = tracker.advance(T0 + 1)
    assert res[0].occupancy == pytest.approx(40.0)
    tracker.set_occupancy("hall", 12.0)
    assert tracker.advance(T0 + 2)[0].occupancy == pytest.approx(12.0)
    cfg = AnalyticsConfig(crowd_step_s=1.0, initial_occupancy={"hall": 7.0})
    override = CrowdTracker(corridor(transit=False, initial=40), cfg)
    start(override)
    assert override.advance(T0 + 1)[0].occupancy == pytest.approx(7.0)


def test_a_venue_file_stating_zero_starts_known_empty() -> None:
    # "initial_occupancy: 0" is the operator's statement that the zone is
    # empty (a venue started before opening), not the 0 +- 5 assumption of a
    # zone the file says nothing about: it was dropped as falsy.
    stated = CrowdTracker(corridor(transit=False, initial=0), AnalyticsConfig(crowd_step_s=1.0))
    silent = CrowdTracker(corridor(transit=False), AnalyticsConfig(crowd_step_s=1.0))
    for tracker in (stated, silent):
        start(tracker)
    assert stated.advance(T0 + 1)[0].occupancy_sd == pytest.approx(0.0, abs=1e-9)
    assert silent.advance(T0 + 1)[0].occupancy_sd == pytest.approx(5.0)


def test_a_partial_last_step_is_published_with_its_flows() -> None:
    venue = corridor(transit=False)
    va = VenueAnalytics(venue, AnalyticsConfig(crowd_step_s=10.0))
    from ingest.contract import Reading

    va.process([Reading(venue.id, "west-forward", T0, 0.0)])
    update, _ = va.process([Reading(venue.id, "west-forward", T0 + 4, 6.0)])
    assert update.crowd == ()  # less than a step: nothing yet
    final = va.finish()  # at the newest reading's time
    assert len(final.crowd) == 1
    # 6 counted in 4 s, corrected for the 4 % the counters are expected to miss.
    assert final.crowd[0].inflow_per_s == pytest.approx(1.5 / 0.96, rel=1e-6)
    flows = {f.gate: f for f in final.flows}
    assert flows["west"].forward_per_s == pytest.approx(1.5 / 0.96, rel=1e-6)
    assert flows["east"].forward_per_s == 0.0


def test_a_negative_zone_takes_its_people_from_the_zone_it_is_confused_with() -> None:
    gates = [GateSpec("door", None, "lobby"), GateSpec("arch", "lobby", "gallery")]
    est = OccupancyEstimator(["lobby", "gallery"], gates, OccupancyConfig(initial_sd=0.1))
    # The arch counts 5 going back that never came in: gallery -5, lobby +5.
    est.predict({"door": (10.0, 0.0), "arch": (0.0, 5.0)}, 60.0)
    e = est.estimate()
    assert e.occupancy["gallery"] == 0.0
    # The arch's error is shared: the lobby gives back what the gallery cannot hold.
    assert e.total == pytest.approx(10.0, abs=0.5)


def test_a_biased_camera_widens_the_band_instead_of_narrowing_it() -> None:
    # A camera that always misses 6 % (its prior: 2 +- 3 %); exact counters say 100.
    gates = [GateSpec("door", None, "room")]
    cfg = OccupancyConfig(bias_sd_initial=0.03, camera_miss_share=0.02)
    est = OccupancyEstimator(["room"], gates, cfg, cameras=["room"])
    est.predict({"door": (100.0, 0.0)}, 10.0)
    for _ in range(360):
        est.predict({"door": (0.0, 0.0)}, 10.0)
        est.observe_cameras({0: (94.0, 3.0)})
    e = est.estimate()
    # The truth (100) stays inside the 95 % band: the camera's miss share is a state.
    assert abs(e.occupancy["room"] - 100.0) <= 1.96 * e.sd["room"]


def test_weidmann_speed_and_transit_window() -> None:
    assert float(weidmann_speed(0.01)) == pytest.approx(1.34, abs=0.01)
    assert float(weidmann_speed(2.0)) < 0.7
    prior = DwellPrior(1, {0: (10.0, 30.0)}, {})
    for k in range(20):
        prior.step(float(k + 1), 1.0, np.array([1.0]))
    rows, z, var = prior.pseudo(20.0, 1.0, np.array([8.0]))
    # 10 m at ~1.3 m/s: the last ~7.6 s of entries, one a second.
    assert rows.tolist() == [0]
    assert z[0] == pytest.approx(10.0 / float(weidmann_speed(8.0 / 30.0)), abs=0.01)
    assert var[0] > 1.0


def test_walking_speed_is_measured_where_a_camera_watches_a_transit_zone() -> None:
    tracker = CrowdTracker(corridor(transit=True, camera=True), AnalyticsConfig(crowd_step_s=1.0))
    start(tracker)
    rng = np.random.default_rng(3)
    inside: list[float] = []
    cum = {"west-forward": 0.0, "east-forward": 0.0}
    speeds = []
    for k in range(1, 300):
        t = T0 + k
        arrivals = int(rng.poisson(1.0))
        inside += [t + 8.0] * arrivals  # 10 m between the doors at 1.25 m/s
        leaving = sum(1 for e in inside if e <= t)
        inside = [e for e in inside if e > t]
        cum["west-forward"] += arrivals
        cum["east-forward"] += leaving
        for s, v in cum.items():
            tracker.update(s, t, v)
        tracker.update("cam", t, float(len(inside)))
        res = tracker.advance(t)
        if res and res[0].speed_m_s is not None:
            speeds.append(res[0].speed_m_s)
    # Little's law on the camera's count and the counted entries: path / W.
    assert np.median(speeds[100:]) == pytest.approx(1.25, rel=0.15)
