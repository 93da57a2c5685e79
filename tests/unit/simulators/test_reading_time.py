"""A reading carries the world at its own stamp, however the simulator is stepped."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

import pytest

from ingest.contract import Reading
from simulators.people_sensing import EXACT_SENSING, SensingErrors
from simulators.simulator import VenueSimulator
from twin.loader import load_sample
from twin.venue import GateDirection, SensorKind, Venue

# Monday 25 November 2024, 11:00 in London: the wing is busy.
MONDAY_1100 = 1_732_532_400.0


@pytest.fixture(scope="module")
def wing() -> Venue:
    return load_sample("museum-wing")


def stepped(
    venue: Venue, step_s: float, seconds: float, sensing: SensingErrors, seed: int = 3
) -> list[Reading]:
    sim = VenueSimulator(venue, seed=seed, start=MONDAY_1100, sensing=sensing, warm_start=True)
    out = sim.step(0.001)
    for _ in range(round(seconds / step_s)):
        out += sim.step(step_s)
    return out


def test_a_reading_inside_a_step_carries_the_state_at_its_stamp(wing: Venue) -> None:
    # Exact counters and trackers, stepped 10 s at a time; the truth at each
    # stamp from a twin run whose clock stops at every stamp.
    readings = stepped(wing, 10.0, 1200.0, EXACT_SENSING)
    twin = VenueSimulator(wing, seed=3, start=MONDAY_1100, sensing=EXACT_SENSING, warm_start=True)
    truth: dict[float, tuple[dict[str, int], dict[str, tuple[int, int]]]] = {}
    for ts in sorted({r.ts for r in readings}):
        twin.step(ts - twin.now)
        truth[ts] = (twin.occupancy(), twin.gate_counts())
    sensors = {s.id: s for s in wing.sensors}
    checked = moved = 0
    for r in readings:
        s = sensors[r.sensor]
        occupancy, gates = truth[r.ts]
        if s.kind is SensorKind.PEOPLE_TRACKER:
            assert r.value == occupancy[s.zone], (r, occupancy[s.zone])
        elif s.kind is SensorKind.GATE_COUNTER and s.gate is not None:
            way = 1 if s.direction is GateDirection.BACKWARD else 0
            assert r.value == gates[s.gate][way], (r, gates[s.gate][way])
        else:
            continue
        checked += 1
        # Stamped inside its 10 s step, not at its end.
        moved += (r.ts - MONDAY_1100) % 10.0 != 0.0
    assert checked > 200 and moved > 100


def test_steps_of_10_s_and_of_2_s_give_the_same_readings(wing: Venue) -> None:
    # Realistic sensors (misses, double counts, dropouts, noise): what each
    # sensor reports at each stamp does not depend on how the run was stepped.
    a = stepped(wing, 10.0, 1200.0, SensingErrors())
    b = stepped(wing, 2.0, 1200.0, SensingErrors())
    assert len(a) > 1000
    assert {(r.sensor, r.ts): r.value for r in a} == {(r.sensor, r.ts): r.value for r in b}


def test_counters_stay_integer_and_monotone_and_never_ahead_of_their_stamp(wing: Venue) -> None:
    sim = VenueSimulator(wing, seed=5, start=MONDAY_1100, warm_start=True)
    per: dict[str, list[Reading]] = defaultdict(list)
    for r in sim.step(0.001):
        per[r.sensor].append(r)
    for _ in range(360):  # an hour of 10 s steps
        for r in sim.step(10.0):
            per[r.sensor].append(r)
    exact = VenueSimulator(wing, seed=5, start=MONDAY_1100, warm_start=True, sensing=EXACT_SENSING)
    for _ in range(360):
        for r in exact.step(7.0):  # another cut of time
            s = next(x for x in wing.sensors if x.id == r.sensor)
            if s.kind is SensorKind.GATE_COUNTER and s.gate is not None:
                way = 1 if s.direction is GateDirection.BACKWARD else 0
                assert r.value <= exact.gate_counts()[s.gate][way]
    for s in wing.sensors:
        if s.kind is not SensorKind.GATE_COUNTER:
            continue
        values = [r.value for r in per[s.id]]
        assert all(v == int(v) for v in values)
        assert all(b >= a for a, b in pairwise(values))
        assert values[-1] > values[0]


def test_occupancy_at_a_stamp_inside_the_last_step_is_kept_and_older_is_refused(
    wing: Venue,
) -> None:
    sim = VenueSimulator(wing, seed=1, start=MONDAY_1100, warm_start=True)
    sim.step(0.001)
    sim.step(25.0)
    inside = sim.occupancy_at(sim.now - 20.0)
    assert set(inside) == {z.id for z in wing.zones}
    assert all(n >= 0 for n in inside.values())
    with pytest.raises(ValueError, match="not kept"):
        sim.occupancy_at(sim.now + 1.0)
    with pytest.raises(ValueError, match="not kept"):
        sim.occupancy_at(sim.now - 60.0)
    # A late or skewed stamp, for the publisher: the nearest kept state.
    assert sim.occupancy_at(sim.now + 1.0, nearest=True) == sim.occupancy()


def test_a_doorless_room_spreads_its_comings_and_goings_without_going_negative() -> None:
    # No door to the outside: visitors appear in and vanish from the room
    # through no gate, and the room's count inside a grid step is spread so.
    room = Venue.model_validate(
        {
            "id": "doorless",
            "name": "Doorless",
            "zones": [
                {"id": "hall", "name": "Hall", "floor": [[0, 0], [10, 0], [10, 10], [0, 10]]}
            ],
            "sensors": [
                {
                    "id": "n",
                    "kind": "people_tracker",
                    "zone": "hall",
                    "position": [3, 3, 3],
                    "interval_s": 1.0,
                }
            ],
        }
    )
    sim = VenueSimulator(room, seed=2, start=MONDAY_1100, sensing=EXACT_SENSING, warm_start=True)
    twin = VenueSimulator(room, seed=2, start=MONDAY_1100, sensing=EXACT_SENSING, warm_start=True)
    readings = sim.step(0.001)
    for _ in range(180):
        readings += sim.step(10.0)
    inside = 0
    for r in readings:
        twin.step(r.ts - twin.now)
        assert r.value == twin.occupancy()["hall"] >= 0
        inside += (r.ts - MONDAY_1100) % 10.0 != 0.0
    assert inside > 1000
    assert len({r.value for r in readings}) > 3
