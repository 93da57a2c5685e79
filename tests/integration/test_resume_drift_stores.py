"""``serve``'s drift check resumed from each real store's hourly means at start-up.

The unit test runs it on the memory fake; here SQLite and a real PostgreSQL
answer ``downsampled`` with their own SQL, and must give the check the same
hours, and a PostgreSQL that is down must leave it to start afresh.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ingest.store import MemoryStore, PostgresStore, SqliteStore, Store
from tests.fixtures.postgres import PostgresServer
from tests.unit.test_resume_drift import DAY, T0, history
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarms import AlarmManager
from twin.live_analytics import AnalyticsService
from twin.loader import load_sample
from venue_twin.store_startup import resume_drift

NOW = T0 + 3 * DAY + 600.0


@pytest.fixture(params=["sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    s: Store
    if request.param == "sqlite":
        s = SqliteStore(tmp_path / "store.db")
    else:
        s = PostgresStore(request.getfixturevalue("pg_url"), connect_timeout_s=2.0)
    await s.open()
    try:
        yield s
    finally:
        await s.close()


async def _resumed(store: Store) -> tuple[AnalyticsService, int]:
    alarm_store = MemoryAlarmStore()
    await alarm_store.open()
    service = AnalyticsService([load_sample("museum-wing")], AlarmManager(alarm_store))
    return service, await resume_drift(service, [load_sample("museum-wing")], store, NOW)


async def test_each_store_resumes_the_drift_check_as_the_memory_store_does(store: Store) -> None:
    readings = history(3.0, drifting="gallery-b-temp")
    await store.write_readings(readings)
    fake = MemoryStore()
    await fake.open()
    await fake.write_readings(readings)
    service, hours = await _resumed(store)
    expected, expected_hours = await _resumed(fake)
    assert hours == expected_hours == 10 * 72
    watch = service.venues["museum-wing"].anomalies
    same = expected.venues["museum-wing"].anomalies
    for sensor in watch.drift_sensors:
        assert watch.ready_for_drift(sensor) and same.ready_for_drift(sensor)
        # The day's hourly means the check holds, as each store averaged them.
        got = list(watch._neighbour_drift._tracks[sensor].means)
        want = list(same._neighbour_drift._tracks[sensor].means)
        assert all(20.0 <= m <= 60.0 for m in want), (sensor, want)
        assert got == pytest.approx(want, rel=1e-9), sensor


async def test_a_postgresql_that_is_down_leaves_drift_to_be_judged_afresh(
    postgres_server: PostgresServer, pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = PostgresStore(pg_url, connect_timeout_s=2.0)
    await store.open()
    try:
        await store.write_readings(history(1.0, drifting="gallery-b-temp"))
        postgres_server.stop()
        try:
            service, hours = await _resumed(store)
        finally:
            postgres_server.start()
    finally:
        await store.close()
    assert hours == 0
    assert "drift is judged afresh" in caplog.text
    watch = service.venues["museum-wing"].anomalies
    assert not any(watch.ready_for_drift(s) for s in watch.drift_sensors)
