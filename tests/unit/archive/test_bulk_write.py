"""The SQLite bulk path of the archive import: sensor ids written into the
statement are quoted, overlaps count only new rows, the latest value never
moves back when older history arrives."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest

from ingest.store.base import InvalidReadings
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


async def test_a_nul_in_an_id_is_refused_and_nothing_written(store: SqliteStore) -> None:
    with pytest.raises(InvalidReadings):
        await store.write_columns(VENUE, "bad\x00id", _ms(0, 2), np.ones(2))
    assert await store.latest(VENUE) == []
