"""The SQLite bulk path of the archive import: ids are stored exactly as
written (quotes, NUL), overlaps count only new rows, the latest value never
moves back when older history arrives, and the shared connection's page cache
is the same after an import as before."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest

from ingest.contract import Reading
from ingest.store.base import StoreError
from ingest.store.sqlite import SqliteStore

VENUE = "museum's wing"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = SqliteStore(tmp_path / "bulk.sqlite3")
    await s.open()
    yield s
    await s.close()


def _ms(start_min: int, n: int) -> np.ndarray:
    return (1_700_000_000_000 + (start_min + np.arange(n)) * 60_000).astype(np.int64)


async def test_quotes_in_ids_are_stored_as_written(store: SqliteStore) -> None:
    sensor = "o'brien'); DROP TABLE readings; --"
    assert await store.write_columns(VENUE, sensor, _ms(0, 3), np.array([1.0, 2.0, 3.0])) == 3
    rows = await store.raw(VENUE, sensor, 0, 4e9)
    assert [r.value for r in rows] == [1.0, 2.0, 3.0]
    assert {r.sensor for r in rows} == {sensor}
    assert [r.sensor for r in await store.latest(VENUE)] == [sensor]


async def test_overlap_counts_new_rows_and_latest_never_goes_back(store: SqliteStore) -> None:
    assert await store.write_columns(VENUE, "t1", _ms(10, 5), np.arange(5.0)) == 5
    # An older export that overlaps the first by two rows.
    assert await store.write_columns(VENUE, "t1", _ms(7, 5), np.full(5, 9.0)) == 3
    latest = await store.latest(VENUE)
    assert [(r.ts, r.value) for r in latest] == [(float(_ms(14, 1)[0]) / 1000.0, 4.0)]
    values = [r.value for r in await store.raw(VENUE, "t1", 0, 4e9)]
    assert values == [9.0, 9.0, 9.0, 0.0, 1.0, 2.0, 3.0, 4.0]  # the first write kept


async def test_a_nul_in_an_id_reads_back_whole_as_on_the_live_path(store: SqliteStore) -> None:
    # SQL text built from the id would end at the NUL (or have to refuse it);
    # bound, the id is stored whole, exactly as write_readings stores it.
    sensor = "bad\x00id"
    assert await store.write_columns(VENUE, sensor, _ms(0, 2), np.ones(2)) == 2
    assert await store.write_readings([Reading(VENUE, sensor, float(_ms(2, 1)[0]) / 1000, 2.0)])
    rows = await store.raw(VENUE, sensor, 0, 4e9)
    assert [(r.sensor, r.value) for r in rows] == [(sensor, 1.0), (sensor, 1.0), (sensor, 2.0)]
    assert await store.raw(VENUE, "bad", 0, 4e9) == []
    assert [r.sensor for r in await store.latest(VENUE)] == [sensor]


async def _cache_size(store: SqliteStore) -> int:
    return int(await store._run(lambda c: c.execute("PRAGMA cache_size").fetchone()[0]))


async def test_an_import_leaves_the_live_connections_page_cache_as_it_was(
    store: SqliteStore,
) -> None:
    # The live writer shares the connection: a 64 MiB bulk cache left set
    # after an import would stay for the life of the service.
    before = await _cache_size(store)
    await store.write_columns(VENUE, "t1", _ms(0, 1000), np.arange(1000.0))
    assert await _cache_size(store) == before
    with pytest.raises(StoreError):  # a failed batch restores it too
        await store.write_columns(VENUE, "t1", _ms(0, 2), np.array([1.0, float("nan")]))
    assert await _cache_size(store) == before
