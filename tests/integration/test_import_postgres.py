"""Archive import into PostgreSQL through the columnar COPY path: the same history as
SQLite's, deduplicated, and idempotent on a second import."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ingest.archive import ImportOptions, ReadOptions, import_archive
from ingest.store.postgres import PostgresStore
from ingest.store.sqlite import SqliteStore
from tests.unit.archive.test_import_archive import _export1, _export2, _export3

pytestmark = pytest.mark.integration


async def test_postgres_import_matches_sqlite(pg_url: str, tmp_path: Path) -> None:
    paths = [tmp_path / "e2.csv", tmp_path / "e1.csv", tmp_path / "e3.csv"]
    _export2(paths[0])
    _export1(paths[1])
    _export3(paths[2])
    opts = ImportOptions("museum-wing", ReadOptions(tz="Europe/London"))
    pg = PostgresStore(pg_url)
    lite = SqliteStore(tmp_path / "x.sqlite3")
    await pg.open()
    await lite.open()
    try:
        a = await import_archive(paths, pg, opts)
        b = await import_archive(paths, lite, opts)
        assert a.rows_stored_new == b.rows_stored_new > 0
        for s in a.sensors:
            got = [(r.ts, r.value) for r in await pg.raw("museum-wing", s.sensor, 0, 4e9)]
            want = [(r.ts, r.value) for r in await lite.raw("museum-wing", s.sensor, 0, 4e9)]
            assert got == want
        again = await import_archive(paths, pg, opts)
        assert again.rows_stored_new == 0
        latest = {r.sensor: r.ts for r in await pg.latest("museum-wing")}
        assert latest == {s.sensor: s.last_ts for s in a.sensors}
        # A long history in one COPY stream.
        n = 50_000
        ms = (1_600_000_000_000 + np.arange(n, dtype=np.int64) * 60_000).astype(np.int64)
        assert await pg.write_columns("museum-wing", "bulk", ms, np.linspace(0, 1, n)) == n
    finally:
        await pg.close()
        await lite.close()


async def test_postgres_bulk_overlap_counts_new_rows_and_keeps_latest(pg_url: str) -> None:
    """Older history after newer: only new rows counted, the latest value stays."""
    pg = PostgresStore(pg_url)
    await pg.open()
    try:
        base = 1_700_000_000_000
        newer = (base + np.arange(10, 15) * 60_000).astype(np.int64)
        older = (base + np.arange(7, 12) * 60_000).astype(np.int64)
        assert await pg.write_columns("wing-b", "o'brien", newer, np.arange(5.0)) == 5
        assert await pg.write_columns("wing-b", "o'brien", older, np.full(5, 9.0)) == 3
        latest = await pg.latest("wing-b")
        assert [(r.sensor, r.ts, r.value) for r in latest] == [
            ("o'brien", (base + 14 * 60_000) / 1000.0, 4.0)
        ]
        values = [r.value for r in await pg.raw("wing-b", "o'brien", 0, 4e9)]
        assert values == [9.0, 9.0, 9.0, 0.0, 1.0, 2.0, 3.0, 4.0]
    finally:
        await pg.close()
