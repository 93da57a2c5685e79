"""A camera's or people tracker's count measures the zone at its own time.

The filter fuses a step's direct count as the zone at the step's end. It
used to take the mean of the step's readings: with 2 s tracker frames in
10 s steps that mean measures the zone 4 s before the step's end, so a hall
filling at one person a second read 3 people low on the first step and
more after (the filter took the gap for the tracker's miss share), while
counters and tracker both were perfect. With ``direct_count_latest``
(on by default) the latest reading (the step's end) is fused, with one
reading's noise.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from twin.live_analytics import AnalyticsConfig
from twin.live_analytics.crowd import CrowdTracker
from twin.live_analytics.direct_counts import step_values
from twin.venue import Venue

T0 = 1_732_525_200.0
FRAME_S = 2.0
STEP_S = 10.0
RATE = 1.0  # people entering per second
HALL_FLOOR = [[0, 0], [40, 0], [40, 20], [0, 20]]


def counted_hall() -> Venue:
    """A hall with one counted entry (both ways) and a people tracker over it."""
    sensors: list[dict[str, object]] = [
        {
            "id": f"entry-{way}",
            "kind": "gate_counter",
            "zone": "hall",
            "gate": "entry",
            "direction": way,
            "position": [0, 5, 3],
            "interval_s": FRAME_S,
        }
        for way in ("forward", "backward")
    ]
    sensors.append(
        {
            "id": "trk",
            "kind": "people_tracker",
            "zone": "hall",
            "position": [20, 10, 5],
            "interval_s": FRAME_S,
        }
    )
    return Venue.model_validate(
        {
            "id": "v",
            "name": "V",
            "zones": [{"id": "hall", "name": "Hall", "floor": HALL_FLOOR}],
            "gates": [{"id": "entry", "from_zone": None, "to_zone": "hall", "position": [0, 5]}],
            "sensors": sensors,
        }
    )


def step_end_errors(cfg: AnalyticsConfig, minutes: float = 20.0) -> np.ndarray:
    """Estimate minus truth at each step's end; perfect counter and tracker."""
    # The counter is exact and the filter told so: the lag is the tracker's alone.
    exact = dataclasses.replace(cfg.occupancy, counter_miss_rate=0.0)
    cfg = dataclasses.replace(
        cfg, crowd_step_s=STEP_S, initial_occupancy={"hall": 0.0}, occupancy=exact
    )
    tracker = CrowdTracker(counted_hall(), cfg)
    keep = 1.0 - cfg.tracker_dropout  # the tracker keeps what the prior expects: exact
    errors = []
    for k in range(int(minutes * 60 / FRAME_S) + 1):
        ts = T0 + FRAME_S * k
        people = RATE * FRAME_S * k
        tracker.update("entry-forward", ts, people)
        tracker.update("entry-backward", ts, 0.0)
        tracker.update("trk", ts, people * keep)
        for zone in tracker.advance(ts):
            errors.append(zone.occupancy - people)
    return np.array(errors)


def test_a_filling_hall_reads_its_people_at_the_steps_end() -> None:
    err = step_end_errors(AnalyticsConfig(direct_count_latest=True))
    late = err[len(err) // 2 :]
    # Before (the frames' mean): -2.9 on the first step, -5.6 on average over
    # the last ten minutes and still falling (the mean lags 4 s; the filter
    # reads the gap as the tracker's miss share, which grows with the hall).
    assert abs(float(late.mean())) < 0.5


def test_the_latest_reading_is_kept_with_one_readings_noise() -> None:
    on = AnalyticsConfig(direct_count_latest=True)
    readings = [(4.0, 10.0), (2.0, 8.0), (4.0, 11.0), (0.0, 7.0)]
    assert step_values(readings, on) == [11.0]  # latest stamp, last to arrive
    off = dataclasses.replace(on, direct_count_latest=False)
    assert step_values(readings, off) == [10.0, 8.0, 11.0, 7.0]


def test_the_latest_count_is_the_default() -> None:
    assert AnalyticsConfig().direct_count_latest is True
    err = step_end_errors(AnalyticsConfig())
    assert abs(float(err[len(err) // 2 :].mean())) < 0.5
