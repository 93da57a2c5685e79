"""Threshold breaches and offline devices raise alarms; back to normal clears them."""

from __future__ import annotations

from ingest.contract import Reading, SensorStatus, StatusEvent
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarms import AlarmManager, AlarmState, Severity
from twin.loader import load_sample
from twin.service import TwinService
from twin.threshold_alarms import ThresholdAlarms

V = "museum-wing"


async def _setup() -> tuple[TwinService, AlarmManager, ThresholdAlarms]:
    venue = load_sample(V)
    store = MemoryAlarmStore()
    await store.open()
    alarms = AlarmManager(store)
    twin = TwinService([venue])
    thresholds = ThresholdAlarms([venue], alarms)
    twin.add_listener(thresholds.on_changes)
    return twin, alarms, thresholds


async def test_leaving_the_alarm_band_raises_a_critical_alarm_that_clears() -> None:
    twin, alarms, th = await _setup()
    twin.apply_readings([Reading(V, "gallery-a-temp", 100.0, 21.0)])
    twin.apply_readings([Reading(V, "gallery-a-temp", 110.0, 35.0)])
    twin.apply_readings([Reading(V, "gallery-a-temp", 120.0, 36.0)])  # still out: no new work
    await th.drain()
    [alarm] = alarms.open_alarms(V)
    assert (alarm.source, alarm.kind, alarm.severity) == (
        "gallery-a-temp",
        "threshold",
        Severity.CRITICAL,
    )
    assert "above its alarm limit 27" in alarm.message
    twin.apply_readings([Reading(V, "gallery-a-temp", 130.0, 21.0)])
    await th.drain()
    [closed] = [a for a in alarms.open_alarms(V) if a.alarm_id == alarm.alarm_id]
    assert closed.state is AlarmState.CLEARED_UNACKNOWLEDGED


async def test_warning_band_and_offline_device_raise_warnings() -> None:
    twin, alarms, th = await _setup()
    twin.apply_readings([Reading(V, "gallery-b-rh", 100.0, 63.0)])
    twin.apply_statuses([StatusEvent(V, "gallery-c-co2", SensorStatus.OFFLINE, 100.0)])
    await th.drain()
    got = {(a.source, a.kind, a.severity) for a in alarms.open_alarms(V)}
    assert got == {
        ("gallery-b-rh", "threshold", Severity.WARNING),
        ("gallery-c-co2", "offline", Severity.WARNING),
    }
