"""After a restart, ``serve`` resumes the drift check from the stored hourly means.

The neighbour drift check judges after about two days of hours; with the
own-history stand-in off (issue 14's twenty-second round) a restart that
forgot them would leave every climate sensor's drift unjudged for two days.
"""

from __future__ import annotations

import math

import pytest

from ingest.contract import Reading
from ingest.store.memory import MemoryStore
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarms import AlarmManager
from twin.live_analytics import AnalyticsService
from twin.loader import load_sample
from venue_twin.store_startup import resume_drift

T0 = 1_732_438_800.0  # an hour's start
DAY = 86400.0
STEP = 300.0


def history(days: float, drifting: str) -> list[Reading]:
    """museum-wing's thermometers and hygrometers every 5 min: a shared daily
    cycle, each its own offset; ``drifting`` 1 degC a day from the start."""
    venue = load_sample("museum-wing")
    climate = [s for s in venue.sensors if s.kind.value in ("temperature", "humidity")]
    out = []
    for k in range(int(days * DAY / STEP)):
        ts = T0 + k * STEP
        cycle = math.sin(2 * math.pi * (ts % DAY) / DAY)
        for n, s in enumerate(climate):
            base = 21.0 if s.kind.value == "temperature" else 50.0
            v = base + 0.1 * n + cycle
            if s.id == drifting:
                v += (ts - T0) / DAY
            out.append(Reading("museum-wing", s.id, ts, round(v, 2)))
    return out


async def _service() -> tuple[AnalyticsService, MemoryAlarmStore]:
    alarm_store = MemoryAlarmStore()
    await alarm_store.open()
    return AnalyticsService([load_sample("museum-wing")], AlarmManager(alarm_store)), alarm_store


async def test_a_restarted_service_judges_drift_at_once_from_the_stored_hours() -> None:
    store = MemoryStore()
    await store.open()
    await store.write_readings(history(3.0, drifting="gallery-b-temp"))
    now = T0 + 3 * DAY + 600.0
    resumed, alarm_store = await _service()
    fresh, _ = await _service()
    watch = resumed.venues["museum-wing"].anomalies
    hours = await resume_drift(resumed, [load_sample("museum-wing")], store, now)
    # Ten thermometers and hygrometers, 72 whole hours each.
    assert len(watch.drift_sensors) == 10
    assert hours == 10 * 72
    assert all(watch.ready_for_drift(s) for s in watch.drift_sensors)
    assert not any(
        fresh.venues["museum-wing"].anomalies.ready_for_drift(s) for s in watch.drift_sensors
    )
    # The past hours' drift is not raised again as an alarm.
    await resumed.drain()
    assert await alarm_store.alarms(limit=100) == []


async def test_a_store_that_cannot_be_read_leaves_drift_to_be_judged_afresh(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = MemoryStore()
    await store.open()
    store.available = False
    service, _ = await _service()
    assert await resume_drift(service, [load_sample("museum-wing")], store, T0 + 3 * DAY) == 0
    assert "drift is judged afresh" in caplog.text
