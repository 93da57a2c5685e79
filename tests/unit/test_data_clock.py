"""Replayed time: during a catch-up, staleness and silence are judged on the data's clock.

The demo replays the past day at --speed before going live. Judged against the
wall clock, every replayed sensor looked a day stale and every dropout detector
saw a day of silence ("no reading for 8.638e+04 s"). On the data clock a fast
catch-up raises no alarm, and marks no sensor stale, that the same hours at 1x
would not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simulators.simulator import VenueSimulator
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarms import AlarmManager
from twin.data_clock import DataClock
from twin.live_analytics import AnalyticsService
from twin.loader import load_sample
from twin.service import TwinService
from twin.state import Health, StateChanges
from twin.threshold_alarms import ThresholdAlarms

DATA_START = 1_796_284_800.0  # 2026-12-03 08:00 UTC
HOURS = 1


class Wall:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_the_clock_follows_lagging_data_and_is_the_wall_clock_when_live() -> None:
    wall = Wall(10_000.0)
    clock = DataClock(wall)
    assert clock.now("v") == 10_000.0 and clock.info("v").mode == "wall"
    clock.observe("v", 1_000.0)  # data 9000 s behind
    assert clock.now("v") == 1_000.0
    assert clock.info("v").mode == "data" and clock.info("v").lag_s == 9_000.0
    wall.t += 5.0  # no new data: from the last reading it runs at 1x
    assert clock.now("v") == 1_005.0
    clock.observe("v", 990.0)  # a late reading never moves it back
    assert clock.now("v") == 1_005.0
    clock.observe("v", 10_004.0)  # caught up
    assert clock.now("v") == 10_004.0 and clock.info("v").mode == "wall"
    clock.observe("v", 20_000.0)  # a device clock ahead of ours: capped at the wall
    assert clock.now("v") == wall.t
    assert clock.now("other") == wall.t  # each venue on its own clock


@dataclass
class Outcome:
    alarms: set[tuple[str, str]]
    stale: set[str] = field(default_factory=set)


async def _run(speed: float, *, data_clock: bool = True) -> Outcome:
    """Feed HOURS of simulated readings arriving at ``speed``x, ending at wall 'now'."""
    venue = load_sample("museum-wing")
    wall = Wall(DATA_START)
    # The catch-up ends when the data reaches the wall clock: it started HOURS ago.
    wall_start = DATA_START + HOURS * 3600.0 * (1.0 - 1.0 / speed)
    clock = DataClock(wall)
    twin = TwinService([venue], clock=clock)
    store = MemoryAlarmStore()
    await store.open()
    alarms = AlarmManager(store, clock=wall)
    thresholds = ThresholdAlarms([venue], alarms)
    twin.add_listener(thresholds.on_changes)
    analytics = AnalyticsService(
        [venue], alarms, clock=wall, venue_clock=clock.now if data_clock else None
    )
    stale: set[str] = set()

    def watch(_venue: str, changes: StateChanges) -> None:
        stale.update(s.sensor for s in changes.sensors if s.health is Health.STALE)

    twin.add_listener(watch)
    sim = VenueSimulator(venue, seed=5, start=DATA_START)
    while sim.now < DATA_START + HOURS * 3600.0:
        readings = sim.step(10.0)
        wall.t = wall_start + (sim.now - DATA_START) / speed
        twin.apply_readings(readings)
        analytics.process(readings)
        # The watchdogs tick on the wall clock (each second in production).
        twin.sweep(None if data_clock else wall.t)
        analytics.tick()
        await thresholds.drain()
        await analytics.drain()
    found = {(a.source, a.kind) for a in await store.alarms(venue.id, limit=10_000)}
    return Outcome(found, stale)


async def test_a_fast_catch_up_raises_nothing_the_same_hours_at_1x_would_not() -> None:
    at_1x = await _run(1.0)
    at_30x = await _run(30.0)
    assert at_30x.alarms <= at_1x.alarms
    assert at_30x.stale <= at_1x.stale
    assert not any(kind == "anomaly.dropout" for _, kind in at_30x.alarms)


async def test_on_the_wall_clock_the_catch_up_looked_stale_and_silent() -> None:
    # What the demo showed before: the check above would fail on the wall clock.
    before = await _run(30.0, data_clock=False)
    assert before.stale, "every replayed sensor looked stale"
    assert any(kind == "anomaly.dropout" for _, kind in before.alarms)


def test_live_frames_say_which_clock_and_carry_the_data_time() -> None:
    from ingest.contract import Reading
    from viewer.hub import Hub

    wall = Wall(DATA_START + 86_400.0)
    venue = load_sample("museum-wing")
    twin = TwinService([venue], clock=DataClock(wall))
    hub = Hub(twin)
    twin.apply_readings([Reading(venue.id, "gallery-a-temp", DATA_START, 21.0)])
    channel = hub._channels[(venue.id, None)]
    snap = channel.snapshot(hub._time_of((venue.id, None), wall.t))
    assert snap["clock"] == {"mode": "data", "lag_s": 86_400.0}
    assert snap["server_time"] == DATA_START  # ages on the page read in data time
    wall.t += 1.0
    twin.apply_readings([Reading(venue.id, "gallery-a-temp", wall.t, 21.5)])
    [delta] = [f for f in channel.drain(wall.t) if f["type"] == "delta"]
    assert delta["clock"] == {"mode": "wall", "lag_s": 0.0}


async def test_an_offline_report_during_a_catch_up_is_stamped_with_the_data_time() -> None:
    from ingest.contract import Reading, SensorStatus, StatusEvent

    wall = Wall(DATA_START + 86_400.0)
    venue = load_sample("museum-wing")
    twin = TwinService([venue], clock=DataClock(wall))
    store = MemoryAlarmStore()
    await store.open()
    alarms = AlarmManager(store, clock=wall)
    thresholds = ThresholdAlarms([venue], alarms, clock=twin.clock.now)
    twin.add_listener(thresholds.on_changes)
    twin.apply_readings([Reading(venue.id, "gallery-c-co2", DATA_START + 10, 500.0)])
    # The device's own status is stamped by the wall clock (it just connected):
    # it must not pull the venue off the data clock.
    event = StatusEvent(venue.id, "gallery-c-co2", SensorStatus.OFFLINE, wall.t)
    twin.apply_statuses([event])
    assert twin.clock.info(venue.id).mode == "data"
    await thresholds.drain()
    [alarm] = alarms.open_alarms(venue.id)
    assert (alarm.kind, alarm.raised_at) == ("offline", DATA_START + 10)
