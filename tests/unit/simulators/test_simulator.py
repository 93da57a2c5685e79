"""Behaviour of the venue simulator without faults: determinism, crowd, climate, light."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from ingest.contract import Reading
from simulators.errors import ScheduleError
from simulators.people_sensing import EXACT_SENSING
from simulators.schedule import DaySchedule, parse_hour, shift_to_hour
from simulators.simulator import VenueSimulator
from tests.unit.simulators.venues import closed_gallery, tiny_venue_with_garden
from twin.loader import load_sample
from twin.venue import GateDirection, SensorKind, Venue

# Monday 25 November 2024, 08:00 in London (UTC+0 in winter).
MONDAY_0800 = 1_732_521_600.0


@pytest.fixture(scope="module")
def wing() -> Venue:
    return load_sample("museum-wing")


def run(sim: VenueSimulator, seconds: float, dt: float = 10.0) -> list[Reading]:
    out: list[Reading] = []
    for _ in range(round(seconds / dt)):
        out.extend(sim.step(dt))
    return out


def by_sensor(readings: list[Reading]) -> dict[str, list[Reading]]:
    d: dict[str, list[Reading]] = defaultdict(list)
    for r in readings:
        d[r.sensor].append(r)
    return d


def test_first_step_samples_every_sensor_at_the_start_time(wing: Venue) -> None:
    sim = VenueSimulator(wing, seed=0, start=MONDAY_0800)
    first = sim.step(0.001)
    assert sorted(r.sensor for r in first) == sorted(s.id for s in wing.sensors)
    assert {r.ts for r in first} == {MONDAY_0800}


def test_sensors_report_at_their_interval(wing: Venue) -> None:
    sim = VenueSimulator(wing, seed=0, start=MONDAY_0800)
    per = by_sensor(run(sim, 600.0, dt=7.0))
    for s in wing.sensors:
        ts = np.array([r.ts for r in per[s.id]])
        assert np.allclose(np.diff(ts), s.interval_s)


def test_same_seed_gives_the_same_stream(wing: Venue) -> None:
    a = run(VenueSimulator(wing, seed=7, start=MONDAY_0800 + 3600), 1800.0)
    b = run(VenueSimulator(wing, seed=7, start=MONDAY_0800 + 3600), 1800.0)
    assert a == b
    assert len(a) > 1000


def test_different_seeds_give_different_streams(wing: Venue) -> None:
    a = run(VenueSimulator(wing, seed=1, start=MONDAY_0800 + 3600), 1800.0)
    b = run(VenueSimulator(wing, seed=2, start=MONDAY_0800 + 3600), 1800.0)
    assert [r.ts for r in a] == [r.ts for r in b]
    assert [r.value for r in a] != [r.value for r in b]


def test_occupancy_stays_within_zero_and_capacity_on_a_crowded_day(wing: Venue) -> None:
    crowded = DaySchedule(daily_visitors=20_000)
    sim = VenueSimulator(wing, seed=3, start=MONDAY_0800, schedule=crowded)
    cap = dict(zip([z.id for z in wing.zones], sim.capacity.tolist(), strict=True))
    full = set()
    for _ in range(11 * 120):  # 08:00 to 19:00 in 30 s steps
        sim.step(30.0)
        for zone, n in sim.occupancy().items():
            assert 0 <= n <= cap[zone]
            if n >= 0.95 * cap[zone]:
                full.add(zone)
    assert full, "the crowded day should push some zone to its capacity"
    assert sum(sim.occupancy().values()) == 0, "everyone leaves after closing"
    assert sim.crowd.turned_away > 0


def test_visitors_arrive_only_while_open_and_peak_around_midday(wing: Venue) -> None:
    sim = VenueSimulator(wing, seed=4, start=MONDAY_0800)
    inside = []
    for _ in range(11 * 60):  # 08:00 to 19:00 in minutes
        sim.step(60.0)
        inside.append(sum(sim.occupancy().values()))
    hours = 8 + np.arange(len(inside)) / 60.0
    occ = np.array(inside)
    assert occ[hours < 9].max() == 0
    assert occ[hours > 18].max() == 0
    assert 11 <= hours[int(np.argmax(occ))] <= 16


def test_gate_counters_are_cumulative_and_match_the_crowd(wing: Venue) -> None:
    sim = VenueSimulator(wing, seed=5, start=MONDAY_0800, sensing=EXACT_SENSING)
    per = by_sensor(run(sim, 10 * 3600.0, dt=30.0))
    counts = sim.gate_counts()
    seen = set()
    for s in wing.sensors:
        if s.kind is not SensorKind.GATE_COUNTER:
            continue
        values = np.array([r.value for r in per[s.id]])
        assert (np.diff(values) >= 0).all()
        # Forward counters read the gate's in-count, backward ones its reverse count.
        way = 1 if s.direction is GateDirection.BACKWARD else 0
        assert values[-1] == counts[s.gate or ""][way] > 0
        seen.add(s.direction)
    assert seen == set(GateDirection)
    entered, left = counts["main-door"]
    assert entered == left == sim.crowd.entered


def test_real_counters_miss_and_double_count_at_their_own_rates(wing: Venue) -> None:
    sim = VenueSimulator(wing, seed=5, start=MONDAY_0800)
    per = by_sensor(run(sim, 10 * 3600.0, dt=30.0))
    counts = sim.gate_counts()
    ids = list(sim.sensor_ids)
    shares = []
    for s in wing.sensors:
        if s.kind is not SensorKind.GATE_COUNTER:
            continue
        values = np.array([r.value for r in per[s.id]])
        assert (np.diff(values) >= 0).all()  # still cumulative
        true = counts[s.gate or ""][1 if s.direction is GateDirection.BACKWARD else 0]
        k = ids.index(s.id)
        miss, double = sim.sensing.miss[k], sim.sensing.double[k]
        assert 0.01 <= miss <= 0.08 and 0.0 <= double <= 0.01
        # Each crossing is seen with 1 - miss and doubled with ``double`` (binomial).
        expect = true * (1.0 - miss + double)
        assert abs(values[-1] - expect) <= 4.0 * np.sqrt(true * (miss + double)) + 1.0
        shares.append(values[-1] / true)
    assert min(shares) < 1.0  # nobody's counters are exact
    assert len(set(shares)) == len(shares)  # each device errs its own way


def test_cameras_under_count_in_a_crowd() -> None:
    site = load_sample("scenic-site")
    start = datetime(2024, 11, 25, 11, 0, tzinfo=ZoneInfo(site.timezone)).timestamp()
    sim = VenueSimulator(site, seed=4, start=start)
    exact = VenueSimulator(site, seed=4, start=start, sensing=EXACT_SENSING)
    cams = {s.id for s in site.sensors if s.kind is SensorKind.PEOPLE_COUNT}
    assert cams
    seen = sum(r.value for r in run(sim, 3600.0) if r.sensor in cams)
    true = sum(r.value for r in run(exact, 3600.0) if r.sensor in cams)
    # Dropouts (2 %) and occlusion: the cameras see fewer people than are there.
    assert 0.8 * true < seen < 0.99 * true


def test_people_trackers_drop_tracks_but_see_through_a_crowd() -> None:
    site = load_sample("scenic-site")
    doc = site.model_dump(mode="json")
    doc["sensors"].append(
        {
            "id": "queue-tracker",
            "kind": "people_tracker",
            "zone": "queue-area",
            "position": [55, 10, 4],
            "interval_s": 10,
        }
    )
    site = Venue.model_validate(doc)
    start = datetime(2024, 11, 25, 11, 0, tzinfo=ZoneInfo(site.timezone)).timestamp()
    sim = VenueSimulator(site, seed=4, start=start)
    exact = VenueSimulator(site, seed=4, start=start, sensing=EXACT_SENSING)
    seen = sum(r.value for r in run(sim, 3600.0) if r.sensor == "queue-tracker")
    true = sum(r.value for r in run(exact, 3600.0) if r.sensor == "queue-tracker")
    assert true > 1000
    # 2 % dropped tracks and no occlusion, however dense the queue.
    assert seen / true == pytest.approx(0.98, abs=0.01)


def test_two_way_counters_add_up_to_the_true_occupancy(wing: Venue) -> None:
    # The simulator's bookkeeping, with counters that never miss.
    sim = VenueSimulator(wing, seed=4, start=MONDAY_0800 + 3 * 3600, sensing=EXACT_SENSING)
    latest: dict[str, float] = {}
    stamp: dict[str, float] = {}
    for r in run(sim, 3600.0):
        latest[r.sensor], stamp[r.sensor] = r.value, r.ts
    # The counters' last readings share a stamp and carry the state at that instant.
    counters = [s.id for s in wing.sensors if s.kind is SensorKind.GATE_COUNTER]
    (at,) = {stamp[c] for c in counters}
    assert at < sim.now
    net = {z.id: 0.0 for z in wing.zones}
    for s in wing.sensors:
        if s.kind is not SensorKind.GATE_COUNTER or s.gate is None:
            continue
        gate = next(g for g in wing.gates if g.id == s.gate)
        src, dst = gate.from_zone, gate.to_zone
        if s.direction is GateDirection.BACKWARD:
            src, dst = dst, src
        if dst is not None:
            net[dst] += latest[s.id]
        if src is not None:
            net[src] -= latest[s.id]
    occupancy = sim.occupancy_at(at)
    assert sum(occupancy.values()) > 20, "a busy hour"
    assert net == {z: float(n) for z, n in occupancy.items()}


def test_people_count_follows_zone_occupancy(wing: Venue) -> None:
    venue = closed_gallery()
    busy = DaySchedule(daily_visitors=400)
    sim = VenueSimulator(venue, seed=6, start=MONDAY_0800 + 3 * 3600, schedule=busy)
    errors, truths = [], []
    for _ in range(180):
        readings = sim.step(60.0)
        truth = sim.occupancy()["hall"]
        truths.append(truth)
        errors += [abs(r.value - truth) for r in readings if r.sensor == "n"]
    assert max(truths) > 10
    assert np.mean(errors) <= 2.0


def test_co2_tracks_occupancy_over_a_day(wing: Venue) -> None:
    sim = VenueSimulator(wing, seed=8, start=MONDAY_0800)
    occ, co2 = [], []
    for _ in range(12 * 60):
        readings = sim.step(60.0)
        occ.append(sim.occupancy()["gallery-b"])
        co2.append([r.value for r in readings if r.sensor == "gallery-b-co2"][-1])
    assert np.corrcoef(occ, co2)[0, 1] > 0.7
    assert max(co2) > min(co2) + 200


def test_hvac_holds_galleries_near_setpoint(wing: Venue) -> None:
    sim = VenueSimulator(wing, seed=9, start=MONDAY_0800)
    per = by_sensor(run(sim, 12 * 3600.0, dt=60.0))
    temps = np.array([r.value for r in per["gallery-a-temp"]])
    rh = np.array([r.value for r in per["gallery-a-rh"]])
    assert temps.min() > 18.0 and temps.max() < 23.0
    assert rh.min() > 40.0 and rh.max() < 60.0


def test_gallery_lamps_follow_opening_hours(wing: Venue) -> None:
    sim = VenueSimulator(wing, seed=10, start=MONDAY_0800 - 4 * 3600)
    lit, dark = [], []
    for _ in range(24 * 60):
        readings = sim.step(60.0)
        hour = ((sim.now - MONDAY_0800) / 3600.0 + 8.0) % 24
        lux = [r.value for r in readings if r.sensor == "gallery-c-lux"]
        (lit if 9.0 <= hour < 17.0 else dark if (hour < 8 or hour >= 18) else []).extend(lux)
    # Gallery C holds a highly light-sensitive robe: CIE 157 limits it to 50 lx.
    assert 35.0 < np.median(lit) < 65.0
    assert max(dark) < 5.0


def test_outdoor_zone_follows_the_weather_and_daylight() -> None:
    venue = tiny_venue_with_garden()
    sim = VenueSimulator(venue, seed=11, start=MONDAY_0800 - 8 * 3600)
    temp: dict[float, float] = {}
    lux: dict[float, float] = {}
    for _ in range(24 * 60):
        for r in sim.step(60.0):
            hour = ((r.ts - MONDAY_0800) / 3600.0 + 8.0) % 24
            if r.sensor == "yard-t":
                temp[hour] = r.value
            elif r.sensor == "yard-lux":
                lux[hour] = r.value
    noon = [v for h, v in lux.items() if 11 <= h <= 14]
    night = [v for h, v in lux.items() if h < 5 or h > 21]
    assert min(noon) > 5_000 and max(night) < 1.0
    afternoon = np.mean([v for h, v in temp.items() if 13 <= h <= 16])
    early = np.mean([v for h, v in temp.items() if 3 <= h <= 6])
    assert afternoon > early + 3.0


def test_a_warm_start_has_the_visitors_of_the_hour(wing: Venue) -> None:
    start = MONDAY_0800 + 3 * 3600  # 11:00 in London, open since 09:00
    cold = VenueSimulator(wing, seed=3, start=start)
    warm = VenueSimulator(wing, seed=3, start=start, warm_start=True)
    cold.step(1.0)
    warm.step(1.0)
    assert sum(cold.occupancy().values()) == 0
    # Two hours of arrivals at the morning rate, less those who left: a busy wing.
    assert sum(warm.occupancy().values()) > 50
    assert all(n >= 0 for n in warm.occupancy().values())
    # And they stay: the first minutes of a morning are not a rush for the exit.
    first = sum(warm.occupancy().values())
    warm.step(600.0)
    assert sum(warm.occupancy().values()) > 0.8 * first
    # Closed at 07:00: a warm start finds nobody.
    early = VenueSimulator(wing, seed=3, start=MONDAY_0800 - 3600, warm_start=True)
    early.step(1.0)
    assert sum(early.occupancy().values()) == 0


def test_a_venue_open_all_day_admits_visitors_through_midnight(wing: Venue) -> None:
    # The demo's default hours: a "last admission" 45 min before 24:00 emptied
    # the demo museum every night around midnight.
    always = DaySchedule.parse("00:00-24:00")
    assert always.arrival_rate(23.5, 0, 1000.0) > 0.0
    late, early = always.arrival_rate(23.5, 0, 1000.0), always.arrival_rate(0.25, 0, 1000.0)
    assert late == pytest.approx(early)
    midnight = MONDAY_0800 - 8 * 3600
    totals = []
    for seed in range(3):
        sim = VenueSimulator(wing, seed=seed, start=midnight, schedule=always, warm_start=True)
        sim.step(1.0)
        totals.append(sum(sim.occupancy().values()))
    # The night base (a third of the midday rate) keeps a few dozen inside.
    assert min(totals) >= 20
    # A venue that closes still stops admitting before closing time.
    assert DaySchedule.parse("09:00-17:00").arrival_rate(16.5, 0, 1000.0) == 0.0


def test_a_shifted_day_runs_the_venue_as_if_at_another_hour(wing: Venue) -> None:
    night = MONDAY_0800 - 5 * 3600  # 03:00 in London
    shift = shift_to_hour(wing.timezone, night, 11.0)
    assert shift == pytest.approx(8 * 3600.0)
    shifted = VenueSimulator(wing, seed=3, start=night, warm_start=True, local_shift_s=shift)
    eleven = VenueSimulator(wing, seed=3, start=night + shift, warm_start=True)
    assert shifted.local_time(night) == eleven.local_time(night + shift)
    # The same visitors as at 11:00, with readings stamped at the real 03:00.
    assert shifted.occupancy() == eleven.occupancy()
    assert sum(shifted.occupancy().values()) > 50
    readings = shifted.step(10.0)
    assert night <= min(r.ts for r in readings) <= max(r.ts for r in readings) <= night + 10.0
    lux = {r.sensor: r.value for r in readings if "lux" in r.sensor}
    assert lux and min(lux.values()) > 20.0  # gallery lamps on, as at 11:00
    # Within half a day either way, so the weekday moves at most one.
    assert shift_to_hour(wing.timezone, night, 22.0) == pytest.approx(-5 * 3600.0)
    with pytest.raises(ScheduleError):
        parse_hour("24:00")
    assert parse_hour("07:30") == 7.5
