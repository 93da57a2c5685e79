"""The simulator's tracker outages, through the live analytics: flagged, and nothing faked.

The museum wing's entrance tracker goes offline now and then (ground truth
from the simulator); its frames (positions with track ids) and counts go
through :class:`~twin.live_analytics.VenueAnalytics` as the demo sends them.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from ingest.contract import Reading, TrackFrame
from simulators.device_outages import OutageParams
from simulators.simulator import VenueSimulator
from simulators.tracker_positions import TrackerPositions, as_decoded
from twin.live_analytics import AnalyticsConfig, VenueAnalytics
from twin.loader import load_sample

STEP_S = 10.0


def test_outages_of_the_entrance_tracker_are_flagged_and_its_figures_withheld() -> None:
    venue = load_sample("museum-wing")
    start = datetime(2024, 11, 25, 10, 0, tzinfo=ZoneInfo(venue.timezone)).timestamp()
    outages = OutageParams(per_day=16.0, min_s=300.0, max_s=900.0)
    # The world on the 2 s grid this test was written with (it stepped 2 s at
    # a time); at the default 10 s grid this seed's crowd is another draw.
    sim = VenueSimulator(
        venue, seed=2, start=start, warm_start=True, outages=outages, max_substep_s=2.0
    )
    positions = TrackerPositions(venue, np.random.default_rng(7))
    va = VenueAnalytics(venue, AnalyticsConfig(crowd_step_s=STEP_S))
    for zone, n in sim.occupancy().items():
        va.crowd.set_occupancy(zone, float(n), 0.5)  # the demo's head count at the start
    steps: list[tuple[float, bool | None, float | None, float, float, int]] = []
    # Each reading carries the state at its own stamp (simulators/timeline.py),
    # so the simulator steps 10 s at a time and a step is scored against the
    # truth at its end, its newest reading's stamp.
    truth_at: dict[float, int] = {}
    for _ in range(round(3 * 3600 / STEP_S)):
        readings = sim.step(STEP_S)
        truth_at.update((r.ts, sim.occupancy_at(r.ts)["entrance"]) for r in readings)
        plain, frames = positions.split(readings, sim.occupancy_at)
        batch: list[Reading | TrackFrame] = [*plain, *as_decoded(venue.id, frames)]
        batch.sort(key=lambda m: m.ts)
        update, _ = va.process(batch)
        for c in update.crowd:
            if c.zone == "entrance":
                true = truth_at[c.ts]
                steps.append(
                    (c.ts, c.tracker_offline, c.voronoi_density, c.occupancy, c.occupancy_sd, true)
                )
    truth = [f for f in sim.ground_truth.faults if f.sensor == "entrance-tracker"]
    assert len(truth) >= 2
    ts = np.array([s[0] for s in steps])
    during = np.zeros(len(steps), dtype=bool)
    near = np.zeros(len(steps), dtype=bool)
    for f in truth:
        # Offline once a few frame intervals (6 s) have passed without one.
        during |= (ts >= f.start + 7.0) & (ts < f.end)
        near |= (ts >= f.start - STEP_S) & (ts < f.end + 2 * STEP_S)
    assert during.sum() > 30
    flagged = np.array([s[1] is True for s in steps])
    assert flagged[during].all()
    assert not flagged[~near].any()
    # Withheld while offline, there otherwise.
    assert all(steps[i][2] is None for i in np.flatnonzero(during))
    assert all(steps[i][2] is not None for i in np.flatnonzero(~near & (ts > start + 60)))
    # The hall's counters carry it meanwhile: the truth stays inside the band.
    err = np.array([abs(s[3] - s[5]) for s in steps])
    sd = np.array([s[4] for s in steps])
    # One outage's steps are one draw of the counters' misses (pooled over 16
    # seeds 91.7 %, a single seed 70-100 %: bench/tracker_outages.py), so this
    # asserts that the band carries the hall, not the bench's calibration.
    assert np.mean(err[during] <= 1.96 * sd[during] + 0.5) >= 0.85
