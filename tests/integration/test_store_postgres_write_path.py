"""The PostgreSQL write path: a batch is COPY'd straight into the table, and
falls back to the merge when any of it is already stored. What must hold on
either path: duplicates ignored, every new reading kept, latest exact."""

from __future__ import annotations

import asyncio

from ingest.contract import Quality, Reading
from ingest.store import PostgresStore
from tests.integration.stored_checks import _latest, stored_rows

T0 = 1_700_000_000.0


async def test_a_redelivered_reading_inside_a_new_batch_is_ignored_the_rest_kept(
    pg_url: str,
) -> None:
    store = PostgresStore(pg_url)
    await store.open()
    try:
        first = [Reading("wing", f"s{i}", T0 + k, float(k)) for k in range(5) for i in range(3)]
        assert await store.write_readings(first) == 15
        # The old reading comes back (with another value, as a buggy device might
        # send it) among new ones: the batch cannot be COPY'd whole.
        mixed = [
            Reading("wing", "s1", T0 + 2, 99.0),
            Reading("wing", "s1", T0 + 10, 10.0, Quality.UNCERTAIN),
            Reading("wing", "s9", T0 + 1, 1.0),
        ]
        assert await store.write_readings(mixed) == 2
        stored = stored_rows(pg_url, "wing")
        assert len(stored) == 17
        assert stored[("s1", T0 + 2)] == 2.0  # the stored value is kept
        assert stored[("s1", T0 + 10)] == 10.0 and stored[("s9", T0 + 1)] == 1.0
        latest = {r.sensor: r for r in await store.latest("wing")}
        assert (latest["s1"].ts, latest["s1"].quality) == (T0 + 10, Quality.UNCERTAIN)
        assert latest["s0"].ts == T0 + 4
        table, newest = _latest(pg_url, "wing")
        assert table == newest
        # The whole batch again: nothing new, nothing changed.
        assert await store.write_readings(mixed) == 0
        assert len(stored_rows(pg_url, "wing")) == 17
    finally:
        await store.close()


async def test_a_key_twice_in_one_batch_is_stored_once(pg_url: str) -> None:
    store = PostgresStore(pg_url)
    await store.open()
    try:
        batch = [Reading("wing", "t1", T0, 1.0), Reading("wing", "t1", T0, 2.0)]
        assert await store.write_readings(batch) == 1
        assert [r.value for r in await store.raw("wing", "t1", T0, T0 + 1)] == [1.0]
    finally:
        await store.close()


async def test_an_older_new_reading_does_not_move_latest_back(pg_url: str) -> None:
    """A late reading (new key, older time) goes the direct path and must not
    replace a newer latest value."""
    store = PostgresStore(pg_url)
    await store.open()
    try:
        assert await store.write_readings([Reading("wing", "t1", T0 + 60, 6.0)]) == 1
        assert await store.write_readings([Reading("wing", "t1", T0, 1.0)]) == 1
        [latest] = await store.latest("wing")
        assert (latest.ts, latest.value) == (T0 + 60, 6.0)
        # Within one batch the newest time wins whatever the order of arrival.
        batch = [Reading("wing", "t2", T0 + 5, 5.0), Reading("wing", "t2", T0 + 1, 1.0)]
        assert await store.write_readings(batch) == 2
        latest_t2 = next(r for r in await store.latest("wing") if r.sensor == "t2")
        assert (latest_t2.ts, latest_t2.value) == (T0 + 5, 5.0)
    finally:
        await store.close()


async def test_two_writers_with_overlapping_batches_store_each_reading_once(
    pg_url: str,
) -> None:
    """Two ingest workers given the same readings (a redelivery to another
    shared-subscription member) in opposite orders: no error, no loss, no double."""
    stores = [PostgresStore(pg_url), PostgresStore(pg_url)]
    for s in stores:
        await s.open()
    try:
        readings = [
            Reading("wing", f"s{i:03d}", T0 + k, float(k)) for k in range(20) for i in range(50)
        ]
        for round_ in range(10):
            part = [Reading(r.venue, r.sensor, r.ts + 100 * round_, r.value) for r in readings]
            counts = await asyncio.gather(
                stores[0].write_readings(part), stores[1].write_readings(part[::-1])
            )
            assert sum(counts) == len(part)
        assert len(stored_rows(pg_url, "wing")) == 10 * len(readings)
        table, newest = _latest(pg_url, "wing")
        assert table == newest
    finally:
        for s in stores:
            await s.close()
