"""Head counts (cameras, people trackers) rise and fall with visitors: not sensor faults."""

from __future__ import annotations

import numpy as np

from twin.live_analytics.anomalies import AnomalyWatch
from twin.loader import load_sample
from twin.venue import SensorKind

T0 = 1_767_225_600.0  # a midnight, UTC


def _visitors(rng: np.random.Generator, hours: float) -> list[tuple[float, float]]:
    """A tracker's count every 2 s: empty at night, groups arriving and leaving by day."""
    out: list[tuple[float, float]] = []
    people = 0
    for k in range(int(hours * 1800)):
        ts = T0 + 2.0 * k
        hour = (ts - T0) / 3600.0 % 24
        if 9 <= hour < 17:
            if rng.random() < 0.004:
                people += int(rng.integers(10, 30))  # a tour group walks in
            people += int(rng.poisson(0.05)) - int(rng.binomial(people, 0.004))
        else:
            people -= int(rng.binomial(people, 0.05))
        people = max(people, 0)
        out.append((ts, float(people)))
    return out


def test_visitors_arriving_in_groups_are_not_reported_as_tracker_faults() -> None:
    venue = load_sample("museum-wing")
    heads = [s.id for s in venue.sensors if s.kind in (SensorKind.PEOPLE_TRACKER,)]
    assert heads, "the sample venue declares a people tracker"
    watch = AnomalyWatch(venue, active_s=900.0)
    kinds: set[str] = set()
    for seed, sensor in enumerate(heads):
        for ts, count in _visitors(np.random.default_rng(seed), 48.0):
            result = watch.update(sensor, ts, count)
            if result is not None:
                kinds |= {d.kind.value for d in result.detections}
    assert kinds == set()


def test_a_silent_tracker_is_still_a_dropout() -> None:
    venue = load_sample("museum-wing")
    tracker = next(s.id for s in venue.sensors if s.kind is SensorKind.PEOPLE_TRACKER)
    watch = AnomalyWatch(venue, active_s=900.0)
    readings = _visitors(np.random.default_rng(7), 30.0)
    found: set[str] = set()
    silent = (T0 + 12 * 3600.0, T0 + 13 * 3600.0)  # an hour without frames
    for ts, count in readings:
        if silent[0] <= ts < silent[1]:
            continue
        result = watch.update(tracker, ts, count)
        if result is not None:
            found |= {d.kind.value for d in result.detections}
    assert found == {"dropout"}
