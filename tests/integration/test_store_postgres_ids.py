"""PostgreSQL's integer sensor ids (migration 0007): converting a database that
holds data from the old text-keyed schema, and what the ids must not change."""

from __future__ import annotations

from typing import Any

import psycopg

from ingest.contract import Quality, Reading
from ingest.store import PostgresStore
from ingest.store.migrate import load_migrations
from tests.integration.stored_checks import _latest

T0 = 1_700_000_000.0


def _old_schema(url: str) -> None:
    """Migrations 0001-0006 only, recorded as applied: a database from before 0007."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE schema_version (version integer PRIMARY KEY, name text NOT NULL, "
            "applied_at timestamptz NOT NULL DEFAULT now())"
        )
        for m in load_migrations("postgres"):
            if m.version >= 7:
                break
            conn.execute(m.sql.encode())
            conn.execute(
                "INSERT INTO schema_version (version, name) VALUES (%s, %s)", (m.version, m.name)
            )


def _old_rows(url: str) -> None:
    """Readings as the old writer stored them: two venues, names out of any id order,
    a sensor whose newest reading arrived first, every quality."""
    rows = []
    for venue in ("wing", "atrium"):
        for sensor in ("t-b", "t-a", "z\u00e9", "A1"):
            for k in range(50):
                rows.append(
                    (venue, sensor, T0 + k, float(k) + (0.5 if venue == "wing" else 0), k % 3)
                )
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO readings (venue, sensor, ts, value, quality) "
            "VALUES (%s, %s, to_timestamp(%s), %s, %s)",
            rows,
        )
        cur.execute(
            "INSERT INTO readings_latest (venue, sensor, ts, value, quality) "
            "SELECT DISTINCT ON (venue, sensor) venue, sensor, ts, value, quality "
            "FROM readings ORDER BY venue, sensor, ts DESC"
        )


def _by_name(conn: psycopg.Connection[Any]) -> tuple[list[Any], list[Any]]:
    """Every reading and every latest value, by venue and sensor name."""
    cols = "venue, sensor, extract(epoch FROM ts)::float8, value, quality"
    rows = conn.execute(f"SELECT {cols} FROM readings ORDER BY 1, 2, 3").fetchall()
    latest = conn.execute(f"SELECT {cols} FROM readings_latest ORDER BY 1, 2").fetchall()
    return rows, latest


async def test_the_migration_converts_old_data_keeping_every_reading_and_latest(
    pg_url: str,
) -> None:
    _old_schema(pg_url)
    _old_rows(pg_url)
    with psycopg.connect(pg_url) as conn:
        before, latest_before = _by_name(conn)
    store = PostgresStore(pg_url)
    await store.open()  # applies 0007
    try:
        with psycopg.connect(pg_url) as conn:
            # The old names are views over the new tables, with the same rows.
            after, latest_after = _by_name(conn)
            ids = conn.execute(
                "SELECT v.venue, s.sensor FROM sensors s JOIN venues v USING (vid) ORDER BY s.sid"
            ).fetchall()
        assert len(before) == 400 and after == before
        assert latest_after == latest_before
        # Ids in name order, so range_all on converted data needs no reordering.
        assert ids == sorted(ids)
        # The store reads converted data as before.
        latest = await store.latest("wing")
        assert [(r.sensor, r.ts, r.value) for r in latest] == [
            ("A1", T0 + 49, 49.5),
            ("t-a", T0 + 49, 49.5),
            ("t-b", T0 + 49, 49.5),
            ("z\u00e9", T0 + 49, 49.5),
        ]
        assert [r.quality for r in await store.raw("atrium", "t-a", T0, T0 + 3)] == [
            Quality.GOOD,
            Quality.UNCERTAIN,
            Quality.BAD,
        ]
        # A redelivered old reading is still a duplicate, and changes nothing.
        assert await store.write_readings([Reading("wing", "t-a", T0 + 10, 99.0)]) == 0
        assert (await store.raw("wing", "t-a", T0 + 10, T0 + 11))[0].value == 10.5
        # A new reading of an old sensor, and a new sensor, are stored and advance latest.
        fresh = [Reading("wing", "t-a", T0 + 60, 7.0), Reading("wing", "new", T0 + 61, 8.0)]
        assert await store.write_readings(fresh) == 2
        latest_table, newest_rows = _latest(pg_url, "wing")
        assert latest_table == newest_rows  # readings_latest is exact
        got = {r.sensor: (r.ts, r.value) for r in await store.latest("wing")}
        assert got["t-a"] == (T0 + 60, 7.0) and got["new"] == (T0 + 61, 8.0)
        assert got["t-b"] == (T0 + 49, 49.5)
        assert len(await store.latest("atrium")) == 4  # the other venue untouched
    finally:
        await store.close()


async def test_names_order_range_all_even_when_ids_do_not(pg_url: str) -> None:
    """A sensor that arrives later gets a later id but sorts by its name."""
    store = PostgresStore(pg_url)
    await store.open()
    try:
        await store.write_readings([Reading("wing", "m", T0 + k, 1.0) for k in range(3)])
        await store.write_readings([Reading("wing", "a", T0 + k, 2.0) for k in range(3)])
        await store.write_readings([Reading("wing", "z", T0 + k, 3.0) for k in range(3)])
        whole = await store.range_all("wing", T0, T0 + 10)
        assert [(r.ts - T0, r.sensor) for r in whole] == [
            (k, s) for k in range(3) for s in ("a", "m", "z")
        ]
        # Paging after (ts, sensor) inside one timestamp neither repeats nor skips.
        pages: list[Reading] = []
        start, after = T0, None
        while True:
            page = await store.range_all("wing", start, T0 + 10, limit=2, after_sensor=after)
            if not page:
                break
            pages += page
            start, after = page[-1].ts, page[-1].sensor
        assert pages == whole
    finally:
        await store.close()


async def test_registering_names_is_never_planned_generically(pg_url: str) -> None:
    """psycopg prepares a statement after five runs, and PostgreSQL then plans it
    once for any array: ``sensor = ANY($2)`` becomes a linear search of the
    array for every sensor of the venue, so each batch of new names cost more as
    the venue grew (8 ms per 250 names at first, 42 ms at 10,000 sensors, which
    is what a fresh database meets when a site starts). Registered unprepared,
    each run is planned with its own array (a hashed lookup)."""
    from ingest.store.postgres.sensor_ids import SensorIds

    store = PostgresStore(pg_url)
    await store.open()
    await store.close()  # the schema, migrated
    ids = SensorIds()
    async with await psycopg.AsyncConnection.connect(pg_url) as conn:
        for batch in range(8):
            keys = [("wing", f"s{batch:02d}-{i:03d}") for i in range(20)]
            found = await ids._register(conn, keys)
            assert len(found) == 20
        await conn.commit()
        cur = await conn.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [str(row[0]) for row in await cur.fetchall()]
    assert not [s for s in prepared if "sensors" in s or "venues" in s], prepared


async def test_names_another_process_registered_get_its_ids(pg_url: str) -> None:
    """RETURNING gives only the names a registration added; names another
    process (or this one before a reconnect cleared its cache) registered
    first are read back, so every process keys a sensor's readings alike."""
    from ingest.store.postgres.sensor_ids import SensorIds

    store = PostgresStore(pg_url)
    await store.open()
    await store.close()
    first, second = SensorIds(), SensorIds()
    async with await psycopg.AsyncConnection.connect(pg_url) as conn:
        theirs = await first._register(conn, [("wing", "t-b"), ("wing", "t-a")])
        await conn.commit()
    async with await psycopg.AsyncConnection.connect(pg_url) as conn:
        keys = [("wing", "t-a"), ("wing", "t-c"), ("wing", "t-b"), ("hall", "h-1")]
        ids, fresh = await second.resolve(conn, keys)
        await conn.commit()
    assert ids[0] == theirs[("wing", "t-a")] and ids[2] == theirs[("wing", "t-b")]
    assert len(set(ids)) == 4 and ids[1][0] == ids[0][0] and ids[3][0] != ids[0][0]
    second.remember(fresh)
    assert second.lookup([Reading(v, s, T0, 0.0) for v, s in keys]) == ids
