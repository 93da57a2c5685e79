"""SQLite readings keyed on integer sensor ids (migration 0007).

A database made with the text-keyed schema (migrations 0001-0006) is converted
in place and answers every read exactly as before; sensors whose ids are not
in name order still come back in (ts, sensor name) order, also across pages;
the multi-row bulk path stores every row, tails included.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest

from ingest.contract import DeadLetter, Quality, Reading
from ingest.store import MemoryStore, SqliteStore, Store
from ingest.store.migrate import load_migrations
from ingest.store.rows import QUALITY_CODE, to_ms

T0 = 1_700_000_000.0
# Names whose id order would differ from code-point order: digits, case, CJK.
SENSORS = ["b-temp", "a10", "a9", "Zed", "展厅-温度", "a"]


def _old_database(path: Path, readings: list[Reading], letters: list[DeadLetter]) -> None:
    """A database as the text-keyed schema (0001-0006) left it, filled by SQL."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TEXT NOT NULL DEFAULT '')"
    )
    for m in load_migrations("sqlite")[:6]:
        conn.executescript(f"BEGIN;\n{m.sql}\n;COMMIT;")
        conn.execute(
            "INSERT INTO schema_version (version, name) VALUES (?, ?)", (m.version, m.name)
        )
    rows = [(r.venue, r.sensor, to_ms(r.ts), r.value, QUALITY_CODE[r.quality]) for r in readings]
    conn.execute("BEGIN")
    conn.executemany("INSERT OR IGNORE INTO readings VALUES (?, ?, ?, ?, ?)", rows)
    newest: dict[tuple[str, str], tuple[str, str, int, float, int]] = {}
    for row in rows:
        seen = newest.get((row[0], row[1]))
        if seen is None or row[2] > seen[2]:
            newest[(row[0], row[1])] = row
    conn.executemany("INSERT INTO readings_latest VALUES (?, ?, ?, ?, ?)", list(newest.values()))
    conn.executemany(
        "INSERT INTO dead_letters (received_at, reason, detail, topic, payload) "
        "VALUES (?, ?, ?, ?, ?)",
        [(d.received_at, d.reason, d.detail, d.topic, d.payload) for d in letters],
    )
    conn.execute("COMMIT")
    conn.close()


def _history() -> list[Reading]:
    rng = np.random.default_rng(7)
    out = []
    for venue in ("wing", "annex"):
        for k, name in enumerate(SENSORS):
            # Irregular times, several sensors sharing many timestamps.
            ts = T0 + np.unique(rng.integers(0, 600, size=120)) + (0.5 if k % 2 else 0.0)
            for t in ts.tolist():
                q = Quality.UNCERTAIN if rng.random() < 0.1 else Quality.GOOD
                out.append(Reading(venue, name, t, float(rng.normal(20, 2)), q))
    return out


async def _answers(store: Store, venue: str) -> list[object]:
    pages: list[list[tuple[float, str, float]]] = []
    lo, after = T0, None
    for _ in range(200):
        page = await store.range_all(venue, lo, T0 + 700, 37, after_sensor=after)
        pages.append([(x.ts, x.sensor, x.value) for x in page])
        if len(page) < 37:
            break
        lo, after = page[-1].ts, page[-1].sensor
    return [
        await store.latest(venue),
        await store.raw(venue, "展厅-温度", T0 + 10, T0 + 400),
        await store.range_all(venue, T0 + 100, T0 + 300, limit=100_000),
        pages,
        await store.latest_before(venue, T0 + 250.5),
        # Means to 9 digits: a sum's rounding depends on the order it was taken in.
        [
            (b.start, b.min, b.max, b.count, round(b.mean, 9))
            for b in await store.downsampled(venue, "a9", T0, T0 + 700, 60.0)
        ],
        [
            (a.zone, a.start, a.min, a.max, a.count, round(a.mean, 9))
            for a in await store.zone_aggregates(
                venue, {"z1": ["a", "a10", "Zed"], "z2": ["展厅-温度"]}, T0, T0 + 700, 120.0
            )
        ],
    ]


async def test_old_database_is_converted_in_place_with_identical_answers(tmp_path: Path) -> None:
    readings = _history()
    letters = [DeadLetter("bad_json", "line 1", "venue/wing/x", b"{", 5.0 + i) for i in range(3)]
    db = tmp_path / "old.sqlite3"
    _old_database(db, readings, letters)
    with sqlite3.connect(db) as conn:
        before = conn.execute(
            "SELECT venue, sensor, ts, value, quality FROM readings ORDER BY venue, sensor, ts"
        ).fetchall()
    reference = MemoryStore()
    await reference.open()
    await reference.write_readings(readings)

    store = SqliteStore(db)
    await store.open()
    try:
        for venue in ("wing", "annex", "nowhere"):
            assert await _answers(store, venue) == await _answers(reference, venue)
        assert await store.dead_letters() == reference_letters(letters)
        # Writes after the conversion land beside the converted rows.
        assert await store.write_readings([Reading("wing", "a", T0 + 650, 1.0)]) == 1
        assert await store.write_readings([Reading("wing", "a", T0 + 650, 2.0)]) == 0
    finally:
        await store.close()
    with sqlite3.connect(db) as conn:
        # The old names read the same rows (views now), plus the one new row.
        after = conn.execute(
            "SELECT venue, sensor, ts, value, quality FROM readings ORDER BY venue, sensor, ts"
        ).fetchall()
        assert sorted([*before, ("wing", "a", to_ms(T0 + 650), 1.0, 0)]) == after
        assert conn.execute("SELECT max(version) FROM schema_version").fetchone() == (
            len(load_migrations("sqlite")),
        )
        kinds = dict(conn.execute("SELECT name, type FROM sqlite_master"))
    assert kinds["readings"] == "view" and kinds["readings_latest"] == "view"


def reference_letters(letters: list[DeadLetter]) -> list[DeadLetter]:
    return sorted(letters, key=lambda d: d.received_at, reverse=True)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = SqliteStore(tmp_path / "ids.sqlite3")
    await s.open()
    yield s
    await s.close()


async def test_sensors_added_out_of_name_order_still_read_in_name_order(
    store: SqliteStore,
) -> None:
    # One sensor per write, reversed: every new id sorts before the older ones.
    names = sorted(SENSORS, reverse=True)
    for name in names:
        await store.write_readings([Reading("wing", name, T0 + k, float(k)) for k in range(5)])
    expected = [(T0 + k, name) for k in range(5) for name in sorted(names)]
    got = await store.range_all("wing", T0, T0 + 10)
    assert [(x.ts, x.sensor) for x in got] == expected
    for limit in (1, 4, 7):
        paged: list[tuple[float, str]] = []
        lo, after = T0, None
        while True:
            page = await store.range_all("wing", lo, T0 + 10, limit, after_sensor=after)
            paged += [(x.ts, x.sensor) for x in page]
            if len(page) < limit:
                break
            lo, after = page[-1].ts, page[-1].sensor
        assert paged == expected, limit
    assert [x.sensor for x in await store.latest("wing")] == sorted(names)
    assert [x.sensor for x in await store.latest_before("wing", T0 + 3)] == sorted(names)


async def test_bulk_path_stores_full_statements_and_the_tail(store: SqliteStore) -> None:
    n = 1_234  # twelve 100-row statements and a 34-row tail
    ts = (int(T0 * 1000) + np.arange(n) * 1_000).astype(np.int64)
    values = np.arange(n, dtype=np.float64) / 8
    assert await store.write_columns("wing", "t", ts, values) == n
    assert await store.write_columns("wing", "t", ts[-50:], values[-50:] + 1) == 0
    rows = await store.raw("wing", "t", 0, 4e9, limit=10 * n)
    assert [r.value for r in rows] == values.tolist()
    assert [to_ms(r.ts) for r in rows] == ts.tolist()
    assert [(r.sensor, r.value) for r in await store.latest("wing")] == [("t", values[-1])]


async def test_sensors_made_by_another_connection_are_read_by_name(tmp_path: Path) -> None:
    # An import beside the running service: the service's id cache must not
    # hide, misname or choke on sensors the other process added.
    db = tmp_path / "shared.sqlite3"
    service, importer = SqliteStore(db), SqliteStore(db)
    await service.open()
    await importer.open()
    try:
        await service.write_readings([Reading("wing", "m", T0, 1.0)])
        assert [x.sensor for x in await service.range_all("wing", T0, T0 + 10)] == ["m"]
        assert [x.sensor for x in await service.latest("wing")] == ["m"]
        ts = np.array([int(T0 * 1000)], dtype=np.int64)
        await importer.write_columns("wing", "a", ts, np.array([2.0]))
        await importer.write_columns("wing", "z", ts, np.array([3.0]))
        got = await service.range_all("wing", T0, T0 + 10)
        assert [(x.sensor, x.value) for x in got] == [("a", 2.0), ("m", 1.0), ("z", 3.0)]
        page = await service.range_all("wing", T0, T0 + 10, after_sensor="a")
        assert [x.sensor for x in page] == ["m", "z"]
        assert [x.sensor for x in await service.latest("wing")] == ["a", "m", "z"]
        assert [x.value for x in await service.raw("wing", "z", T0, T0 + 1)] == [3.0]
        # The service's own next write reuses the importer's ids.
        assert await service.write_readings([Reading("wing", "z", T0, 9.0)]) == 0
    finally:
        await service.close()
        await importer.close()
