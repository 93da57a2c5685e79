"""Property: SQLite and PostgreSQL answer exactly like the memory fake on random histories.

The fake is what unit tests trust; this keeps it honest against a real engine
on inputs nobody thought to write down (duplicates across batches, readings
inside one millisecond, negative and fractional widths of ranges...).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.contract import Quality, Reading
from ingest.store import MemoryStore, PostgresStore, SqliteStore, Store

T0 = 1_700_000_000.0

readings_st = st.builds(
    Reading,
    venue=st.sampled_from(["wing", "park"]),
    sensor=st.sampled_from(["t1", "t2", "co2"]),
    ts=st.integers(0, 600_000).map(lambda us: T0 + us / 100_000),  # 10 us steps: sub-ms clashes
    value=st.floats(-1e6, 1e6, allow_nan=False),
    quality=st.sampled_from(list(Quality)),
)
batches_st = st.lists(st.lists(readings_st, max_size=40), min_size=1, max_size=6)
window_st = st.tuples(st.floats(-1.0, 7.0), st.floats(0.0, 7.0), st.sampled_from([0.25, 1.0, 2.5]))


async def _answers(
    store: Store, batches: list[list[Reading]], window: tuple[float, float, float]
) -> tuple[object, ...]:
    await store.open()
    try:
        news = [await store.write_readings(b) for b in batches]
        start, length, width = T0 + window[0], window[1], window[2]
        return (
            news,
            await store.latest("wing"),
            await store.raw("wing", "t1", start, start + length),
            await store.range_all("wing", start, start + length, limit=25),
            await store.range_all("wing", start, start + length, limit=25, after_sensor="t1"),
            await store.latest_before("wing", start + length),
            [
                (b.start, b.min, b.max, b.count, round(b.mean, 6))
                for b in await store.downsampled("wing", "t2", start, start + length, width)
            ],
            [
                (a.zone, a.start, a.min, a.max, a.count, round(a.mean, 6))
                for a in await store.zone_aggregates(
                    "wing", {"z1": ["t1", "t2"], "z2": ["co2"]}, start, start + length, width
                )
            ],
        )
    finally:
        await store.close()


@settings(max_examples=60, deadline=None)
@given(batches=batches_st, window=window_st)
def test_sqlite_and_memory_fake_agree(
    batches: list[list[Reading]], window: tuple[float, float, float]
) -> None:
    fake = asyncio.run(_answers(MemoryStore(), batches, window))
    real = asyncio.run(_answers(SqliteStore(":memory:"), batches, window))
    assert real == fake


def _truncate(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        if conn.execute("SELECT to_regclass('sensor_readings')").fetchone() != (None,):
            # Sensor ids stay: a store that cached them may write again.
            conn.execute("TRUNCATE sensor_readings, sensor_latest, dead_letters")


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=batches_st, window=window_st)
def test_postgresql_and_memory_fake_agree(
    pg_url: str, batches: list[list[Reading]], window: tuple[float, float, float]
) -> None:
    _truncate(pg_url)  # the database outlives one example
    fake = asyncio.run(_answers(MemoryStore(), batches, window))
    real = asyncio.run(_answers(PostgresStore(pg_url), batches, window))
    assert real == fake


@pytest.mark.parametrize(
    "make", [MemoryStore, lambda: SqliteStore(":memory:")], ids=["memory", "sqlite"]
)
def test_bucket_width_must_be_positive(make: Callable[[], Store]) -> None:
    async def run() -> None:
        store = make()
        await store.open()
        try:
            with pytest.raises(ValueError, match="positive"):
                await store.downsampled("wing", "t1", T0, T0 + 1, 0.0)
        finally:
            await store.close()

    asyncio.run(run())
