"""bench/neighbour_drift.py's venues: each venue's zone events where its air can have them."""

from __future__ import annotations

import numpy as np
import pytest

from bench.fault_cache import zone_events
from bench.neighbour_drift import EVENTS, T0, _sign, detect_live, drift_plan, events_for
from simulators.faults import FaultKind
from twin.analytics.anomaly.detection import Detection, DetectionKind, described
from twin.analytics.anomaly.neighbour_drift import DriftConfig
from twin.loader import load_sample

_DAY = 86400.0


def test_museum_wing_keeps_the_fault_benches_events() -> None:
    assert events_for(3 * _DAY) == zone_events(T0 + 3 * _DAY)


@pytest.mark.parametrize("venue_id", sorted(EVENTS))
def test_events_are_in_enclosed_zones_within_the_judged_days(venue_id: str) -> None:
    # The simulator sets an outdoor zone's air to the weather's every step, so
    # a door or heating event there would be undone at once.
    outdoor = {z.id: z.outdoor for z in load_sample(venue_id).zones}
    events = events_for(3 * _DAY, venue_id)
    assert events
    for e in events:
        assert not outdoor[e.zone], e
        assert T0 + 3 * _DAY <= e.start < e.end <= T0 + 6 * _DAY, e


def test_the_drift_plan_drifts_the_venues_own_sensors() -> None:
    sensors = {s.id for s in load_sample("scenic-site").sensors}
    plan = drift_plan(0, 3 * _DAY, 1.0, "scenic-site")
    drifting = {f.sensor for f in plan.faults if f.kind is FaultKind.DRIFT}
    assert drifting and drifting <= sensors


def _drift_report(change: str) -> Detection:
    params: dict[str, str | float] = {
        "change": change,
        "unit": "°C",
        "sigma": 3.0,
        "neighbours": 4,
        "period_s": 86400.0,
        "rate": change,
    }
    return described(
        DetectionKind.DRIFT, "gallery-a-temp", T0, 21.0, 0.5, "anomaly.drift.neighbours", params
    )


def test_a_drift_report_carries_the_sign_of_its_change() -> None:
    # The bench counts a drift found by a report of its own sign apart: a report
    # that moved the other way is the room's swing, not the drift (drift64).
    assert _sign(_drift_report("-0.08")) == -1.0
    assert _sign(_drift_report("+0.08")) == 1.0


def test_the_live_score_sees_the_own_history_drifts_the_neighbours_alone_do_not() -> None:
    # museum-wing's thermometers, the venue warming 2 degC a day for two days:
    # in the first two days only the own-history stand-in judges drift, and
    # --live counts what it reports (each with its sign); without it, nothing.
    names = [s.id for s in load_sample("museum-wing").sensors if s.kind.value == "temperature"]
    steps = np.arange(0.0, 2 * _DAY, 60.0)
    i = np.tile(np.arange(len(names)), len(steps))
    ts = np.repeat(T0 + steps, len(names))
    rng = np.random.default_rng(0)
    v = np.round(20.0 + 2.0 * (ts - T0) / _DAY + rng.normal(0.0, 0.05, len(ts)), 2)
    found = detect_live(names, i, ts, v, DriftConfig(own_history_stand_in=True))
    assert found and {s for s, _t, _g in found} <= set(names)
    assert {g for _s, _t, g in found} == {1.0}
    assert detect_live(names, i, ts, v) == []  # the product: no stand-in
