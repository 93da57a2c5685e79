"""Replay sessions from the store: own twin, time order, seek, clock controls."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable

import pytest

from ingest.contract import Reading
from ingest.store.memory import MemoryStore
from twin.loader import load_sample
from twin.replay import ReplayClock, ReplayError, ReplaySession, latest_before, read_window
from twin.service import TwinService
from twin.state import Health, StateChanges
from twin.venue import Venue

V = "museum-wing"
T0 = 1_700_000_000.0
TEMP, RH, CO2 = "gallery-a-temp", "gallery-a-rh", "gallery-a-co2"


@pytest.fixture
def venue() -> Venue:
    return load_sample(V)


async def _store(readings: list[Reading]) -> MemoryStore:
    store = MemoryStore()
    await store.open()
    await store.write_readings(readings)
    return store


def _series(sensor: str, t_from: float, t_to: float, step: float, base: float) -> list[Reading]:
    n = int((t_to - t_from) / step)
    return [Reading(V, sensor, T0 + t_from + k * step, base + k) for k in range(n)]


class Collector:
    def __init__(self) -> None:
        self.changes: list[StateChanges] = []

    def __call__(self, venue_id: str, changes: StateChanges) -> None:
        assert venue_id == V
        self.changes.append(changes)


async def test_replay_feeds_its_own_twin_and_leaves_the_live_one_and_the_store_alone(
    venue: Venue,
) -> None:
    store = await _store(_series(TEMP, 0, 600, 10, 20.0))
    live = TwinService([venue])
    live.apply_readings([Reading(V, TEMP, T0 + 5000, 18.5)])
    before = live.states[V].sensors()
    writes = store.write_calls

    session = ReplaySession(store, venue, T0, T0 + 600, speed=math.inf, chunk_s=120)
    await session.advance_to(T0 + 600)

    assert live.states[V].sensors() == before
    assert session.twin is not live
    replayed = session.state.sensor(TEMP)
    assert replayed is not None
    assert (replayed.value, replayed.ts) == (20.0 + 59, T0 + 590)
    assert store.write_calls == writes


async def test_readings_are_applied_in_time_order_across_chunks_and_sensors(
    venue: Venue,
) -> None:
    readings = _series(TEMP, 0, 300, 7, 20.0) + _series(CO2, 3, 300, 11, 400.0)
    store = await _store(readings)
    seen: list[tuple[float, str]] = []
    session = ReplaySession(store, venue, T0, T0 + 300, chunk_s=50, step_s=1)

    def listen(_v: str, ch: StateChanges) -> None:
        seen.extend((s.ts, s.sensor) for s in ch.sensors if s.ts is not None)

    session.add_listener(listen)
    t = T0
    while t < T0 + 300:
        t += 1.0
        await session.advance_to(t)
    assert [ts for ts, _ in seen] == sorted(r.ts for r in readings)  # never back in time
    assert sorted(seen) == sorted((r.ts, r.sensor) for r in readings)
    assert session.applied == len(readings)


async def test_seek_rebuilds_the_latest_value_per_sensor_before_the_seek_time(
    venue: Venue,
) -> None:
    store = await _store(
        _series(TEMP, 0, 3600, 10, 20.0)
        + _series(RH, 0, 1000, 60, 50.0)  # stops reporting after 1000 s
        + _series(CO2, 2000, 3600, 10, 400.0)  # starts at 2000 s
    )
    session = ReplaySession(store, venue, T0, T0 + 3600, speed=math.inf)
    collector = Collector()
    session.add_listener(collector)
    await session.advance_to(T0 + 3000)  # CO2 has a value now

    await session.seek(T0 + 1500)
    temp, rh, co2 = (session.state.sensor(s) for s in (TEMP, RH, CO2))
    assert temp is not None and rh is not None and co2 is not None
    assert (temp.ts, temp.value) == (T0 + 1490, 20.0 + 149)  # a reading at 1500 is not before
    assert (rh.ts, rh.value) == (T0 + 900, 50.0 + 15)
    assert rh.health is Health.STALE  # silent for 600 s with a 10 s interval
    assert (co2.value, co2.health) == (None, Health.UNKNOWN)  # no data before 1500
    assert session.position == T0 + 1500
    # Listeners got one full picture so a viewer can redraw everything.
    snapshot = collector.changes[-1]
    assert {s.sensor for s in snapshot.sensors} >= {s.id for s in venue.sensors}
    assert len(snapshot.zones) == len(venue.zones)

    await session.advance_to(T0 + 1520)
    temp = session.state.sensor(TEMP)
    assert temp is not None and temp.ts == T0 + 1510


async def test_seek_outside_the_window_is_refused(venue: Venue) -> None:
    session = ReplaySession(await _store([]), venue, T0, T0 + 10)
    with pytest.raises(ReplayError):
        await session.seek(T0 + 11)
    with pytest.raises(ReplayError):
        ReplaySession(await _store([]), venue, T0, T0)


async def test_sensors_without_a_definition_are_replayed_too(venue: Venue) -> None:
    store = await _store([Reading(V, "auto-sensor-1", T0 + 5, 1.5)])
    session = ReplaySession(store, venue, T0, T0 + 10, speed=math.inf)
    await session.advance_to(T0 + 10)
    auto = session.state.sensor("auto-sensor-1")
    assert auto is not None and auto.value == 1.5


async def test_windows_larger_than_a_store_page_are_read_completely() -> None:
    # Three sensors reporting at the same instants: pages end inside a timestamp.
    readings = [r for sensor in (TEMP, RH, CO2) for r in _series(sensor, 0, 60, 0.1, 0.0)]
    store = await _store(readings)
    expected = sorted((r.ts, r.sensor, r.value) for r in readings)
    for page_size in (2, 3, 1000, 10_000):
        got = await read_window(store, V, None, T0, T0 + 3000, page_size=page_size)
        assert [(r.ts, r.sensor, r.value) for r in got] == expected
    only_temp = await read_window(store, V, [TEMP], T0, T0 + 3000, page_size=7)
    assert [r.ts for r in only_temp] == [r.ts for r in readings if r.sensor == TEMP]


async def test_latest_before_is_the_newest_earlier_reading_within_the_look_back() -> None:
    store = await _store(
        [
            *_series(TEMP, 0, 200, 0.1, 0.0),
            Reading(V, RH, T0 + 10, 55.0),
            Reading(V, CO2, T0 + 150, 600.0),
        ]
    )
    last = await latest_before(store, V, None, T0 + 150.05, max_lookback_s=100)
    # RH's reading is 140 s old: beyond the look-back, so it shows no value.
    assert [(r.sensor, r.ts) for r in last] == sorted(
        [(CO2, T0 + 150), (TEMP, pytest.approx(T0 + 150.0))]
    )
    assert [r.sensor for r in await latest_before(store, V, [TEMP], T0 + 150.05)] == [TEMP]
    everything = await latest_before(store, V, None, T0 + 150.05)
    assert [r.sensor for r in everything] == sorted([TEMP, RH, CO2])
    assert await latest_before(store, V, None, T0) == []


def test_clock_plays_pauses_and_changes_speed_on_a_fake_wall_clock() -> None:
    wall = [0.0]
    clock = ReplayClock(T0, 10.0, now=lambda: wall[0])
    wall[0] = 5.0
    assert clock.position == T0  # not playing yet
    clock.play()
    wall[0] = 7.0
    assert clock.position == T0 + 20
    clock.set_speed(100.0)
    wall[0] = 8.0
    assert clock.position == T0 + 120
    clock.pause()
    wall[0] = 100.0
    assert clock.position == T0 + 120
    clock.seek(T0 + 5)
    clock.play()
    wall[0] = 101.0
    assert clock.position == T0 + 105
    with pytest.raises(ReplayError):
        clock.set_speed(0)


async def test_run_follows_the_clock_pauses_and_finishes(venue: Venue) -> None:
    wall = [0.0]
    store = await _store(_series(TEMP, 0, 100, 1, 0.0))
    session = ReplaySession(
        store, venue, T0, T0 + 100, speed=10.0, tick_s=0.001, clock=lambda: wall[0]
    )
    task = asyncio.create_task(session.run(until_end=True))

    async def until(pred: Callable[[], bool]) -> None:
        async def poll() -> None:
            while not pred():
                await asyncio.sleep(0.002)

        await asyncio.wait_for(poll(), 5)  # a hang guard, not a timing assertion

    session.play()
    wall[0] = 3.0  # 30 replay seconds at 10x
    await until(lambda: session.position >= T0 + 30)
    assert session.position == T0 + 30
    temp = session.state.sensor(TEMP)
    assert temp is not None and temp.ts == T0 + 29

    session.pause()
    wall[0] = 50.0
    await asyncio.sleep(0.02)
    assert session.position == T0 + 30  # paused: wall time passing changes nothing

    session.set_speed(math.inf)
    session.play()
    await asyncio.wait_for(task, 5)
    assert session.finished
    temp = session.state.sensor(TEMP)
    assert temp is not None and temp.ts == T0 + 99
    await session.close()
