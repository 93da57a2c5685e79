"""Simulated people trackers go offline now and then, silently, with status and ground truth."""

from __future__ import annotations

import numpy as np
import pytest

from ingest.contract import SensorStatus
from simulators.device_outages import NO_OUTAGES, OutageParams, tracker_outages
from simulators.faults import FaultKind
from simulators.simulator import VenueSimulator
from twin.loader import load_sample

T0 = 1_732_525_200.0  # 2024-11-25 09:00 UTC


def test_the_sample_trackers_outages_silence_them_and_are_in_the_ground_truth() -> None:
    venue = load_sample("museum-wing")
    params = OutageParams(per_day=24.0, min_s=120.0, max_s=600.0)  # hourly, to see several
    sim = VenueSimulator(venue, seed=3, start=T0, outages=params)
    sent: list[float] = []
    others: list[float] = []
    status: list[tuple[float, SensorStatus]] = []
    for _ in range(6 * 360):  # six hours in 10 s steps
        for r in sim.step(10.0):
            (sent if r.sensor == "entrance-tracker" else others).append(r.ts)
        status += [(e.ts, e.status) for e in sim.take_status_events()]
    truth = [f for f in sim.ground_truth.faults if f.sensor == "entrance-tracker"]
    assert 2 <= len(truth) <= 15
    assert all(f.kind is FaultKind.OFFLINE and 120 <= f.end - f.start <= 600 for f in truth)
    ts = np.array(sent)
    for f in truth:
        assert not ((ts >= f.start) & (ts < f.end)).any(), f  # silent while offline
        assert (ts >= f.end).any() or f.end > sim.now - 10  # and back afterwards
    # The device says so: offline at each start, online at each end (that has passed).
    offline = [t for t, s in status if s is SensorStatus.OFFLINE]
    assert offline == pytest.approx([f.start for f in truth])
    # Nothing else goes offline, and the tracker reports every 2 s otherwise.
    assert len(others) > 0 and {f.sensor for f in sim.ground_truth.faults} == {"entrance-tracker"}
    down = sum(min(f.end, sim.now) - f.start for f in truth)
    assert len(sent) == pytest.approx((sim.now - T0 - down) / 2.0, rel=0.02)


def test_outages_are_a_poisson_process_of_the_given_rate_and_can_be_off() -> None:
    venue = load_sample("museum-wing")
    rng = np.random.default_rng(0)
    faults = tracker_outages(venue, T0, rng, OutageParams(per_day=1.0, horizon_s=200 * 86_400.0))
    assert len(faults) == pytest.approx(200, rel=0.2)
    starts = np.array([f.start for f in faults])
    assert (np.diff(starts) > 0).all()
    assert tracker_outages(venue, T0, rng, NO_OUTAGES) == ()
    # A venue without trackers gets none, and the default simulator adds none to it.
    scenic = load_sample("scenic-site")
    assert tracker_outages(scenic, T0, rng, OutageParams()) == ()
