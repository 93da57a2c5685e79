"""Occupancy from gate counters and direct counts; flows; dwell time."""

from __future__ import annotations

import numpy as np
import pytest

from twin.analytics.crowd import (
    DwellTimeEstimator,
    GateCount,
    GateSpec,
    OccupancyEstimator,
    UnknownGate,
    UnknownZone,
    ZoneFlow,
    ZoneGraph,
    entries_per_zone,
    zone_flows,
)
from twin.venue import Gate

GATES = [GateSpec("entrance", None, "lobby"), GateSpec("arch", "lobby", "gallery")]


def test_flows_between_zones() -> None:
    graph = ZoneGraph(["lobby", "gallery"], GATES)
    counts = [GateCount("entrance", 10, 3), GateCount("arch", 5, 2)]
    flows = set(zone_flows(graph, counts))
    assert flows == {
        ZoneFlow(None, "lobby", 10.0),
        ZoneFlow("lobby", None, 3.0),
        ZoneFlow("lobby", "gallery", 5.0),
        ZoneFlow("gallery", "lobby", 2.0),
    }
    assert entries_per_zone(graph, counts) == {"lobby": 12.0, "gallery": 5.0}


def test_venue_gate_models_are_accepted() -> None:
    gate = Gate(id="g1", name="", from_zone=None, to_zone="lobby", position=(0.0, 0.0), width_m=1.2)
    graph = ZoneGraph(["lobby"], [gate])
    assert graph.incidence.tolist() == [[1.0, -1.0]]


def test_graph_rejects_unknown_zone_and_gate() -> None:
    with pytest.raises(UnknownZone):
        ZoneGraph(["lobby"], [GateSpec("g", "lobby", "nowhere")])
    graph = ZoneGraph(["lobby", "gallery"], GATES)
    with pytest.raises(UnknownGate):
        graph.channel_vector([GateCount("side-door", 1)])


def test_occupancy_is_inflow_minus_outflow() -> None:
    est = OccupancyEstimator(["lobby", "gallery"], GATES)
    est.predict([GateCount("entrance", 10, 3), GateCount("arch", 5, 2)], 300.0)
    occ = est.estimate().occupancy
    # lobby: +10 in, -3 out, -5 to gallery, +2 back = 4; gallery: 5 - 2 = 3
    assert occ["lobby"] == pytest.approx(4.0)
    assert occ["gallery"] == pytest.approx(3.0)
    assert est.estimate().total == pytest.approx(7.0)


def test_occupancy_never_reported_negative() -> None:
    est = OccupancyEstimator(["lobby", "gallery"], GATES)
    est.predict({"entrance": (0.0, 5.0)}, 60.0)
    assert est.estimate().occupancy["lobby"] == 0.0


def test_direct_count_pulls_the_estimate_and_shrinks_uncertainty() -> None:
    est = OccupancyEstimator(["lobby", "gallery"], GATES)
    for _ in range(20):
        est.predict([GateCount("entrance", 10, 0), GateCount("arch", 5, 0)], 60.0)
    before = est.estimate()
    assert before.occupancy["gallery"] == pytest.approx(100.0)
    est.observe("gallery", 80.0)
    after = est.estimate()
    assert 80.0 <= after.occupancy["gallery"] < 90.0  # the camera is the better sensor
    assert after.sd["gallery"] < before.sd["gallery"]
    # People the gate put in the gallery but the camera does not see are most likely still
    # in the lobby (the arch over-counted), so the total moves less than the gallery does.
    assert after.total > before.total - 20.0


def simulate_day(
    est: OccupancyEstimator, rng: np.random.Generator, exit_report: float
) -> tuple[float, float]:
    """One 10-hour day of 5-minute intervals; returns max |error| of the estimator and of
    plain integration of the reported counts (reset to 0 each morning)."""
    occ = 0
    naive = 0.0
    worst = worst_naive = 0.0
    for k in range(120):
        arrivals = int(rng.poisson(20 * np.sin(np.pi * k / 120) ** 2)) if k < 110 else 0
        leaving = int(rng.binomial(occ, 0.08)) if k < 110 else int(rng.binomial(occ, 0.3))
        if k == 119:
            leaving = occ
        occ += arrivals - leaving
        reported_exits = round(leaving * exit_report)
        est.predict([GateCount("door", arrivals, reported_exits)], 300.0)
        naive += arrivals - reported_exits
        worst = max(worst, abs(est.estimate().occupancy["hall"] - occ))
        worst_naive = max(worst_naive, abs(naive - occ))
    est.observe_empty()
    return worst, worst_naive


def test_closing_time_resets_teach_it_a_drifting_exit_counter() -> None:
    # The exit counter misses 10 % of people. Each evening the hall is known to be empty.
    rng = np.random.default_rng(7)
    est = OccupancyEstimator(["hall"], [GateSpec("door", None, "hall")])
    for _ in range(8):
        simulate_day(est, rng, exit_report=0.9)
    worst, worst_naive = simulate_day(est, rng, exit_report=0.9)
    assert worst_naive > 80.0  # integrating the raw counts drifts by ~10 % of the exits
    assert worst < 0.3 * worst_naive
    bias = est.estimate().channel_bias
    # Only the net bias (exits vs entries) is observable from a single door: it must come
    # out near 1/0.9 - 1 = 0.11 between the two directions.
    assert bias["door:backward"] - bias["door:forward"] == pytest.approx(0.11, abs=0.03)


def test_dwell_time_by_littles_law() -> None:
    # 30 people present throughout, 2 entries per 5 min: lambda = 2/300 per s,
    # W = L / lambda = 30 / (2/300) = 4500 s (75 min).
    dwell = DwellTimeEstimator(window=12)
    for _ in range(12):
        dwell.update(300.0, 30.0, 2.0)
    assert dwell.mean_occupancy == pytest.approx(30.0)
    assert dwell.arrival_rate_per_s == pytest.approx(2 / 300)
    assert dwell.dwell_time_s == pytest.approx(4500.0)


def test_dwell_time_window_forgets_old_intervals() -> None:
    dwell = DwellTimeEstimator(window=2)
    dwell.update(60.0, 100.0, 1.0)
    dwell.update(60.0, 10.0, 1.0)
    dwell.update(60.0, 10.0, 1.0)
    assert dwell.dwell_time_s == pytest.approx(600.0)  # (10*60 + 10*60) / 2
    assert DwellTimeEstimator().dwell_time_s is None


def test_dwell_time_needs_enough_arrivals_to_be_a_figure() -> None:
    # One visitor walking into a gallery of 46 is not a 77-minute stay.
    dwell = DwellTimeEstimator(window=90, min_entries=5)
    dwell.update(10.0, 46.0, 1.0)
    assert dwell.dwell_time_s is None
    for _ in range(4):
        dwell.update(10.0, 46.0, 1.0)
    assert dwell.dwell_time_s == pytest.approx(46.0 * 50.0 / 5.0)
