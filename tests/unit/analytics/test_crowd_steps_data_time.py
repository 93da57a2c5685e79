"""Crowd steps fall on the readings' own time: batching cannot change the answer.

The service analyses whatever arrived in its last ``batch_s``; a replay at
speed, a backlog after a reconnect or the batcher's timing regroup the same
readings. Steps used to close at batch ends, so the same readings gave
different occupancy (a 590 s batch was one step, the same readings one by one
34 steps of 10-20 s).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from ingest.contract import Reading
from simulators.simulator import VenueSimulator
from twin.live_analytics import AnalyticsUpdate, VenueAnalytics
from twin.loader import load_sample
from twin.rules import AlarmSpec, Condition, Metric, Op, Rule, RuleCleared, RuleFired
from twin.venue import Venue

T0 = 1_732_525_200.0 + 4 * 3600.0  # Monday 25 Nov 2024, 13:00 London: visitors in
RUN_S = 900.0

Batching = Callable[[list[Reading]], list[list[Reading]]]


def _venue() -> Venue:
    venue = load_sample("museum-wing")
    # A rule on every step's occupancy: it must act as the readings one by one do.
    busy = Rule(
        id="gallery-busy",
        when=Condition(metric=Metric.ZONE_OCCUPANCY, op=Op.GT, value=12.0, hysteresis=1.0),
        alarm=AlarmSpec(),
    )
    return venue.model_copy(update={"rules": [*venue.rules, busy]})


def _readings(venue: Venue) -> list[Reading]:
    """A simulated stream, each sensor on its own phase (no two report at once)."""
    sim = VenueSimulator(venue, seed=11, start=T0)
    phase = {s.id: (0.37 * i) % s.interval_s for i, s in enumerate(venue.sensors)}
    out = [
        Reading(r.venue, r.sensor, r.ts + phase[r.sensor], r.value)
        for _ in range(int(RUN_S))
        for r in sim.step(1.0)
    ]
    out.sort(key=lambda r: r.ts)  # stable: arrival order within a timestamp kept
    return out


def _by_time(span_s: float) -> Batching:
    def cut(rs: list[Reading]) -> list[list[Reading]]:
        groups: dict[int, list[Reading]] = {}
        for r in rs:
            groups.setdefault(int((r.ts - T0) // span_s), []).append(r)
        return list(groups.values())

    return cut


BATCHINGS: dict[str, Batching] = {
    "one batch": lambda rs: [rs],
    "50 s": _by_time(50.0),
    "7 s": _by_time(7.0),
    "50 readings": lambda rs: [rs[i : i + 50] for i in range(0, len(rs), 50)],
    "one by one": lambda rs: [[r] for r in rs],
}

Step = tuple[tuple[str, float, float, float, float | None, float | None], ...]


def _run(
    venue: Venue, batches: Sequence[list[Reading]]
) -> tuple[list[Step], list[tuple[str, str, float]], AnalyticsUpdate]:
    va = VenueAnalytics(venue)
    steps: list[Step] = []
    acted: list[tuple[str, str, float]] = []
    for batch in batches:
        update, actions = va.process(batch)
        for crowd in update.crowd_steps:
            if crowd:
                steps.append(
                    tuple(
                        (c.zone, c.ts, c.occupancy, c.occupancy_sd, c.inflow_per_s, c.dwell_s)
                        for c in crowd
                    )
                )
        acted += [
            (type(a).__name__, a.subject, a.ts)
            for a in actions
            if isinstance(a, RuleFired | RuleCleared) and a.rule.id == "gallery-busy"
        ]
    return steps, acted, va.finish()


@pytest.fixture(scope="module")
def one_by_one() -> tuple[Venue, list[Reading], tuple[list[Step], list[tuple[str, str, float]]]]:
    venue = _venue()
    rs = _readings(venue)
    steps, acted, _ = _run(venue, BATCHINGS["one by one"](rs))
    return venue, rs, (steps, acted)


@pytest.mark.parametrize("name", [n for n in BATCHINGS if n != "one by one"])
def test_every_batching_gives_the_steps_of_the_readings_one_by_one(
    name: str,
    one_by_one: tuple[Venue, list[Reading], tuple[list[Step], list[tuple[str, str, float]]]],
) -> None:
    venue, rs, (want, want_acted) = one_by_one
    steps, acted, final = _run(venue, BATCHINGS[name](rs))
    # A step per crowd_step_s of device time, whatever the batching.
    assert len(want) >= RUN_S / 10.0 - 2
    assert want_acted  # the rule acts on this stream
    # Occupancy, its sd, flows and dwell of every step, to the bit.
    assert steps == want
    assert acted == want_acted
    _, _, want_final = _run(venue, BATCHINGS["one by one"](rs))
    assert final.ts == want_final.ts
    assert [(c.occupancy, c.occupancy_sd) for c in final.crowd] == [
        (c.occupancy, c.occupancy_sd) for c in want_final.crowd
    ]


def test_a_step_waits_for_every_reading_of_its_last_timestamp() -> None:
    # Counters reporting at the second that ends a step are in that step,
    # though they arrive after the reading that made it due.
    venue = load_sample("museum-wing")
    va = VenueAnalytics(venue)
    door, back = "gate-main-door", "gate-main-door-back"
    va.process([Reading(venue.id, door, T0, 0.0), Reading(venue.id, back, T0, 0.0)])
    update, _ = va.process([Reading(venue.id, door, T0 + 10, 5.0)])
    assert update.crowd == ()  # due, but more readings of T0 + 10 may come
    va.process([Reading(venue.id, back, T0 + 10, 2.0)])
    update, _ = va.process([Reading(venue.id, "entrance-temp", T0 + 11, 20.0)])
    assert {c.ts for c in update.crowd} == {T0 + 10}
    entrance = next(c for c in update.crowd if c.zone == "entrance")
    # 5 in and 2 out in the step's 10 s, each scaled by the counters' expected misses.
    assert entrance.inflow_per_s == pytest.approx(0.5 / 0.96, rel=1e-6)
    assert entrance.outflow_per_s == pytest.approx(0.2 / 0.96, rel=1e-6)
