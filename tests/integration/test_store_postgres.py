"""PostgreSQL-specific behaviour: migrations, feature detection, start-up while down."""

from __future__ import annotations

import asyncio
import re

import psycopg
import pytest

from ingest.contract import Reading
from ingest.store import PostgresStore, StoreUnavailable
from ingest.store.base import InvalidReadings
from ingest.store.migrate import load_migrations
from ingest.store.postgres import queries
from ingest.store.postgres.late_refresh import LateDataRefresher
from tests.fixtures.postgres import PostgresServer


def _query(url: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql.encode()).fetchall()


async def test_migrations_apply_once_even_when_two_processes_start_together(pg_url: str) -> None:
    stores = [PostgresStore(pg_url), PostgresStore(pg_url)]
    await asyncio.gather(*(s.open() for s in stores))
    for s in stores:
        await s.close()
    again = PostgresStore(pg_url)
    await again.open()
    await again.close()
    versions = _query(pg_url, "SELECT version, name FROM schema_version ORDER BY version")
    assert versions == [(m.version, m.name) for m in load_migrations("postgres")]
    tables = {
        r[0] for r in _query(pg_url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    }
    assert {"sensor_readings", "sensor_latest", "dead_letters", "schema_version"} <= tables
    assert {"venues", "sensors"} <= tables  # migration 0007: integer ids
    assert {"alarms", "commands"} <= tables  # migration 0003
    views = {
        r[0] for r in _query(pg_url, "SELECT viewname FROM pg_views WHERE schemaname = 'public'")
    }
    assert {"readings", "readings_latest"} <= views  # the old names stay readable
    indexes = {
        r[0]
        for r in _query(
            pg_url, "SELECT indexname FROM pg_indexes WHERE tablename = 'sensor_readings'"
        )
    }
    assert "sensor_readings_vid_ts" in indexes  # migration 0004's role, 0007's index


async def test_the_backend_follows_pg_extension(pg_url: str) -> None:
    """Plain PostgreSQL takes the native path (BRIN on ts); a server with
    TimescaleDB (``VENUE_TWIN_TEST_PG_URL``) makes ``sensor_readings`` a hypertable."""
    store = PostgresStore(pg_url)
    await store.open()
    try:
        installed = _query(pg_url, "SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")
        assert store.timescale is bool(installed)
        if store.timescale:
            hypertables = _query(
                pg_url, "SELECT hypertable_name FROM timescaledb_information.hypertables"
            )
            assert ("sensor_readings",) in hypertables
        else:
            indexes = {
                str(r[0])
                for r in _query(
                    pg_url,
                    "SELECT indexdef FROM pg_indexes WHERE tablename = 'sensor_readings'",
                )
            }
            assert any("USING brin (ts)" in d for d in indexes)
        await store.write_readings([Reading("wing", "t1", 1_700_000_000.0, 1.0)])
        stored = _query(
            pg_url, "SELECT venue, sensor, extract(epoch FROM ts)::float8, value FROM readings"
        )
        assert stored == [("wing", "t1", 1_700_000_000.0, 1.0)]
    finally:
        await store.close()


def _uses_index(plan: str, scan: str, index: str) -> bool:
    """``scan`` on ``index``, or on a hypertable chunk's copy of it: TimescaleDB
    prefixes the chunk's index name (``"1_readings_pkey"``)."""
    return re.search(rf"{scan} using (\S*_)?{index}\b", plan) is not None


async def test_open_while_the_server_is_down_raises_unavailable_then_works(
    postgres_server: PostgresServer, pg_url: str
) -> None:
    postgres_server.stop()
    store = PostgresStore(pg_url, connect_timeout_s=1.0)
    try:
        with pytest.raises(StoreUnavailable):
            await store.open()
    finally:
        postgres_server.start()
    await store.open()
    try:
        assert await store.write_readings([Reading("wing", "t1", 1.0, 2.0)]) == 1
    finally:
        await store.close()


async def test_values_postgresql_refuses_raise_invalid_readings(pg_url: str) -> None:
    store = PostgresStore(pg_url)
    await store.open()
    try:
        with pytest.raises(InvalidReadings):
            await store.write_readings(
                [Reading("wing", "t1", 1.0, 1.0), Reading("wing", "bad\x00name", 2.0, 1.0)]
            )
        # Nothing of the refused batch was kept, and the store still works.
        assert await store.raw("wing", "t1", 0, 10) == []
        assert await store.write_readings([Reading("wing", "t1", 1.0, 1.0)]) == 1
    finally:
        await store.close()


async def test_reopen_after_close(pg_url: str) -> None:
    store = PostgresStore(pg_url)
    await store.open()
    await store.close()
    await store.open()
    try:
        assert await store.write_readings([Reading("wing", "t1", 1.0, 1.0)]) == 1
    finally:
        await store.close()


async def test_whole_venue_reads_use_indexes_not_sorts_of_history(pg_url: str) -> None:
    """range_all walks the (venue, ts, sensor) index in order; latest_before probes
    the primary key once per sensor instead of reading the history before t."""
    store = PostgresStore(pg_url)
    await store.open()
    t0 = 1_700_000_000.0
    try:
        for minute in range(10):
            await store.write_readings(
                [
                    Reading("wing", f"s{i:03d}", t0 + minute * 60 + k, float(k))
                    for k in range(60)
                    for i in range(200)
                ]
            )
        await store.write_readings([Reading("park", "s000", t0, 1.0)])
    finally:
        await store.close()
    mid_ms = round((t0 + 300) * 1000)
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("ANALYZE sensor_readings, sensor_latest, sensors, venues")

        def plan(sql: bytes | str, params: dict[str, object]) -> str:
            rows = conn.execute(
                b"EXPLAIN " + (sql.encode() if isinstance(sql, str) else sql), params
            ).fetchall()
            return "\n".join(str(r[0]) for r in rows)

        # A replay's page: the venue's next 1,000 readings in a range of 240,000.
        page = {
            "venue": "wing",
            "start_ms": mid_ms - 600_000,
            "end_ms": mid_ms + 600_000,
            "limit": 1_000,
            "after": "s100",
        }
        for sql in (queries.RANGE_ALL, queries.RANGE_ALL_AFTER):
            text = plan(sql, page)
            assert _uses_index(text, "Index (Only )?Scan( Backward)?", "sensor_readings_vid_ts"), (
                text
            )
            # Names order the readings within one timestamp only: an incremental
            # sort on the index's ts order, never a sort of the whole range.
            assert not re.search(r"(?<!Incremental )Sort  \(", text), text
            assert "Presorted Key: r.ts" in text or "Incremental Sort" not in text, text
        text = plan(queries.LATEST_BEFORE, {"venue": "wing", "t_ms": mid_ms})
        assert _uses_index(text, "Index Scan Backward", "sensor_readings_pkey"), text
        assert "Limit" in text, text


async def test_the_writer_reports_the_span_of_new_rows_for_late_aggregate_refresh(
    pg_url: str,
) -> None:
    """What the TimescaleDB path feeds its late-data refresher, checked on any server:
    the time span of the rows a batch really added (duplicates add nothing)."""
    store = PostgresStore(pg_url)
    await store.open()
    refresher = LateDataRefresher(store._autocommit_connection, clock=lambda: 1_800_000_000.0)
    store.late_refresh = refresher
    t0 = 1_700_000_070.0  # 30 s into a minute; the batch ends in the next one
    batch = [Reading("wing", "t1", t0 + k, float(k)) for k in range(40)]
    try:
        assert await store.write_readings(batch) == 40
        first_minute = int(t0 // 60 * 60 * 1000)
        assert refresher.pending("readings_1m") == [(first_minute, first_minute + 120_000)]
        assert refresher.pending("readings_1h") == [
            (first_minute // 3_600_000 * 3_600_000, (first_minute // 3_600_000 + 1) * 3_600_000)
        ]
        for view in ("readings_1m", "readings_1h"):
            refresher._pending[view].items = []
        assert await store.write_readings(batch) == 0  # all duplicates
        assert refresher.pending("readings_1m") == []
    finally:
        store.late_refresh = None  # plain PostgreSQL has no aggregates to refresh
        await store.close()
