"""Live crowd tracking from two-way and one-way gate counters (synthetic readings)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from twin.analytics.crowd import InvalidInput
from twin.live_analytics import AnalyticsConfig
from twin.live_analytics.crowd import CounterReading, CrowdTracker
from twin.venue import Venue

T0 = datetime(2024, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/London")).timestamp()


def hall_and_gallery(*, two_way_gallery: bool = True) -> Venue:
    """Outside -> hall -> gallery, both gates counted in; the door counted out too."""
    counters = [
        ("door-in", "door", "forward"),
        ("door-out", "door", "backward"),
        ("gallery-in", "arch", "forward"),
    ]
    if two_way_gallery:
        counters.append(("gallery-out", "arch", "backward"))
    return Venue.model_validate(
        {
            "id": "two-rooms",
            "name": "Two rooms",
            "timezone": "Europe/London",
            "zones": [
                {"id": "hall", "name": "Hall", "floor": [[0, 0], [10, 0], [10, 10], [0, 10]]},
                {
                    "id": "gallery",
                    "name": "Gallery",
                    "floor": [[10, 0], [20, 0], [20, 10], [10, 10]],
                },
            ],
            "gates": [
                {"id": "door", "from_zone": None, "to_zone": "hall", "position": [5, 0]},
                {"id": "arch", "from_zone": "hall", "to_zone": "gallery", "position": [10, 5]},
            ],
            "sensors": [
                {
                    "id": sid,
                    "kind": "gate_counter",
                    "zone": "hall",
                    "gate": gate,
                    "direction": way,
                    "position": [5, 0, 2],
                    "interval_s": 10,
                }
                for sid, gate, way in counters
            ],
        }
    )


def feed(tracker: CrowdTracker, ts: float, counts: dict[str, float]) -> dict[str, float]:
    for sensor, value in counts.items():
        tracker.update(sensor, ts, value)
    return {c.zone: c.occupancy for c in tracker.advance(ts)}


def test_a_gate_counted_both_ways_needs_no_model_of_the_return_flow() -> None:
    assert CrowdTracker(hall_and_gallery(), AnalyticsConfig()).modelled_gates == frozenset()
    one_way = CrowdTracker(hall_and_gallery(two_way_gallery=False), AnalyticsConfig())
    assert one_way.modelled_gates == {"arch"}


def test_occupancy_is_what_went_in_less_what_came_out() -> None:
    tracker = CrowdTracker(hall_and_gallery(), AnalyticsConfig())
    zero = {"door-in": 0, "door-out": 0, "gallery-in": 0, "gallery-out": 0}
    feed(tracker, T0, zero)
    feed(tracker, T0 + 10, {"door-in": 30, "door-out": 2, "gallery-in": 20, "gallery-out": 5})
    # An hour with nobody moving: measured flows leave the occupancy where it is.
    occ = {}
    for k in range(2, 362):
        occ = feed(
            tracker, T0 + 10 * k, {"door-in": 30, "door-out": 2, "gallery-in": 20, "gallery-out": 5}
        )
    # Counters miss people: the default prior (4 % missed) scales what they report.
    seen = 1.0 / (1.0 - 0.04)
    assert occ["hall"] == pytest.approx((28 - 15) * seen, abs=0.5)
    assert occ["gallery"] == pytest.approx(15 * seen, abs=0.5)


def test_without_a_backward_counter_the_return_flow_is_modelled() -> None:
    tracker = CrowdTracker(hall_and_gallery(two_way_gallery=False), AnalyticsConfig(dwell_s=600))
    feed(tracker, T0, {"door-in": 0, "door-out": 0, "gallery-in": 0})
    feed(tracker, T0 + 10, {"door-in": 20, "door-out": 0, "gallery-in": 20})
    occ = {}
    for k in range(2, 62):
        occ = feed(tracker, T0 + 10 * k, {"door-in": 20, "door-out": 0, "gallery-in": 20})
    # Ten minutes at a 600 s stay: about 1 - 1/e of the gallery went back to the hall.
    assert occ["gallery"] == pytest.approx(20 * 0.37, abs=1.5)
    assert occ["hall"] == pytest.approx(20 * 0.63, abs=1.5)


def test_counter_readings_late_reset_and_corrected() -> None:
    c = CounterReading()
    assert c.increment(100.0, 50.0) == 0.0  # the first reading is the baseline
    assert c.increment(110.0, 57.0) == 7.0
    assert c.increment(105.0, 40.0) == 0.0  # late: older than what we have
    assert c.increment(120.0, 55.0) == 0.0  # a small fall counts nothing...
    assert c.increment(130.0, 59.0) == 2.0  # ...until the count passes its high mark
    assert c.increment(140.0, 3.0) == 3.0  # a fall below half is a reset
    assert c.increment(150.0, 5.0) == 2.0
    assert c.increment(160.0, float("nan")) == 0.0


def test_the_venue_is_reset_to_empty_in_its_empty_hours() -> None:
    venue = hall_and_gallery()
    config = AnalyticsConfig(empty_hours={venue.id: (18.0, 8.0)})
    tracker = CrowdTracker(venue, config)
    counts = {"door-in": 0.0, "door-out": 0.0, "gallery-in": 0.0, "gallery-out": 0.0}
    feed(tracker, T0, counts)
    # Two people are counted in but their way out is missed (10:00 London).
    counts["door-in"] = 2.0
    assert feed(tracker, T0 + 10, counts)["hall"] == pytest.approx(2.0, abs=0.1)
    evening = T0 + 8 * 3600  # 18:00
    assert feed(tracker, evening - 10, counts)["hall"] == pytest.approx(2.0, abs=0.1)
    assert feed(tracker, evening + 10, counts)["hall"] < 0.5
    # The window runs over midnight and ends at 08:00: after it, counts add up again.
    morning = T0 + 22 * 3600  # 08:00 next day
    assert feed(tracker, morning - 10, counts)["hall"] < 0.5
    counts["door-in"] = 4.0
    assert feed(tracker, morning + 10, counts)["hall"] == pytest.approx(2.0, abs=0.5)


def test_bad_empty_hours_are_refused() -> None:
    venue = hall_and_gallery()
    with pytest.raises(InvalidInput):
        CrowdTracker(venue, AnalyticsConfig(empty_hours={venue.id: (18.0, 25.0)}))
    with pytest.raises(InvalidInput):
        CrowdTracker(
            venue.model_copy(update={"timezone": "Mars/Olympus"}),
            AnalyticsConfig(empty_hours={venue.id: (18.0, 8.0)}),
        )


def _hall(tracker: CrowdTracker, ts: float, counts: dict[str, float]) -> float | None:
    for sensor, value in counts.items():
        tracker.update(sensor, ts, value)
    return next(c for c in tracker.advance(ts) if c.zone == "hall").dwell_s


def test_dwell_is_shown_once_enough_people_entered_and_follows_littles_law() -> None:
    tracker = CrowdTracker(hall_and_gallery(), AnalyticsConfig())
    counts = {"door-in": 0.0, "door-out": 0.0, "gallery-in": 0.0, "gallery-out": 0.0}
    feed(tracker, T0, counts)
    counts["door-in"] += 1
    # One arrival is no figure for the stays in a room.
    assert _hall(tracker, T0 + 10, counts) is None
    assert _hall(tracker, T0 + 20, counts) is None
    # Then one person in and one out of the hall every 10 s for 20 minutes: a
    # steady state whose stays are L / lambda.
    dwell: float | None = None
    for k in range(3, 123):
        counts["door-in"] += 1
        counts["door-out"] += 1
        dwell = _hall(tracker, T0 + 10 * k, counts)
    occ = tracker.occupancy()["hall"]
    assert dwell == pytest.approx(occ * 10.0 * (1.0 - 0.04), rel=0.1)
