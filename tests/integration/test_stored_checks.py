"""The fault tests' stored-exactly-once check fails where a duplicate or a
loss really shows (the primary key alone makes duplicate rows impossible)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from ingest.contract import Reading
from ingest.store import PostgresStore
from ingest.store.spool import Spool
from tests.integration.stored_checks import expect_exactly_once, expect_spool_drained

V = "museum-wing"
READINGS = [Reading(V, "t1", 1_700_000_000.0 + i, float(i)) for i in range(5)]


async def _store(url: str, readings: list[Reading]) -> None:
    store = PostgresStore(url)
    await store.open()
    try:
        await store.write_readings(readings)
    finally:
        await store.close()


async def test_a_complete_store_passes(pg_url: str) -> None:
    await _store(pg_url, READINGS)
    expect_exactly_once(pg_url, READINGS, timeout=1)


async def test_a_missing_reading_fails(pg_url: str) -> None:
    await _store(pg_url, READINGS[:-1])
    with pytest.raises(AssertionError, match="1 acknowledged readings are missing"):
        expect_exactly_once(pg_url, READINGS, timeout=1)


async def test_a_stale_latest_value_fails(pg_url: str) -> None:
    """What a redelivered older batch would do if it overwrote the newest value."""
    await _store(pg_url, READINGS)
    with psycopg.connect(pg_url) as conn:
        conn.execute(
            "UPDATE sensor_latest SET ts = to_timestamp(1700000000), value = 0 "
            "WHERE sid = (SELECT sid FROM sensors WHERE sensor = 't1')"
        )
    with pytest.raises(AssertionError, match="readings_latest is not each sensor's newest"):
        expect_exactly_once(pg_url, READINGS, timeout=1)


async def test_a_phantom_or_changed_row_fails(pg_url: str) -> None:
    await _store(pg_url, [*READINGS, Reading(V, "t9", 1_700_000_000.0, 1.0)])
    with pytest.raises(AssertionError, match="never published"):
        expect_exactly_once(pg_url, READINGS, timeout=1)
    changed = [Reading(V, r.sensor, r.ts, r.value + 1) for r in READINGS]
    with pytest.raises(AssertionError, match="another value"):
        expect_exactly_once(pg_url, changed, timeout=1)


def test_a_spool_that_would_replay_fails(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "spool")
    spool.append(READINGS)
    with pytest.raises(AssertionError, match="still holds 5 readings"):
        expect_spool_drained(tmp_path / "spool")
    record = spool.peek()
    assert record is not None
    spool.consume(record)
    expect_spool_drained(tmp_path / "spool")
