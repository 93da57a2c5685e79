"""SQLite implementation of :class:`~ingest.store.base.Store`: the embedded default.

stdlib ``sqlite3`` in WAL mode. Every call runs on one dedicated worker thread
that owns the connection, so the event loop never blocks on disk and SQLite
never sees two threads. A batch is one transaction of ``INSERT OR IGNORE``.

Readings are keyed on integer venue and sensor ids (migration 0007,
:mod:`ingest.store.sqlite_ids`); names are stored once and mapped here, so
callers still speak names. The archive import's bulk path writes 100 rows per
statement (:mod:`ingest.store.sqlite_bulk`); ``range_all`` keeps the contract's
(ts, sensor name) order (:mod:`ingest.store.sqlite_range`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from ingest.contract import DeadLetter, Reading
from ingest.store.base import (
    Bucket,
    InvalidReadings,
    StoreError,
    StoreUnavailable,
    ZoneAggregate,
)
from ingest.store.rows import QUALITY_CODE, from_ms, reading_from_row, to_ms, width_ms, zone_members
from ingest.store.sqlite_bulk import bulk_params
from ingest.store.sqlite_ids import SensorIds
from ingest.store.sqlite_range import by_name, range_readings
from ingest.store.sqlite_thread import SqliteThread

__all__ = ["SqliteStore"]

T = TypeVar("T")

_INSERT = (
    "INSERT OR IGNORE INTO sensor_readings (sid, vid, ts, value, quality) VALUES (?, ?, ?, ?, ?)"
)
_BULK_CACHE_KIB = -65536  # negative: KiB, per SQLite's cache_size convention
_UPSERT_LATEST = """
INSERT INTO sensor_latest (vid, sid, ts, value, quality) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (vid, sid) DO UPDATE
SET ts = excluded.ts, value = excluded.value, quality = excluded.quality
WHERE excluded.ts > sensor_latest.ts
"""
# One probe of the primary key per sensor (the max() of a key prefix is a
# single seek), driven by the venue's sensor list, instead of grouping every
# row of history before t.
_LATEST_BEFORE = """
SELECT s.sensor, r.ts, r.value, r.quality
FROM sensors AS s
JOIN sensor_readings AS r ON r.sid = s.id AND r.ts = (
    SELECT max(m.ts) FROM sensor_readings AS m WHERE m.sid = s.id AND m.ts < :t
)
WHERE s.vid = :vid
ORDER BY s.sensor
"""
# Floor division that is also right for times before 1970.
_BUCKET = "(ts - (((ts % :w) + :w) % :w))"


def _translate(_conn: sqlite3.Connection, exc: sqlite3.Error) -> Exception:
    if isinstance(exc, sqlite3.OperationalError):
        # Locked/busy databases, full or vanished disks: worth retrying later.
        return StoreUnavailable(f"SQLite unavailable: {exc}")
    if isinstance(exc, sqlite3.DataError):
        return InvalidReadings(f"SQLite rejected the data: {exc}")
    return StoreError(f"SQLite error: {exc}")


class SqliteStore:
    """Store in one SQLite file (or ``":memory:"``)."""

    def __init__(self, path: str | Path) -> None:
        self._path = str(path)
        self._db = SqliteThread(self._path, "sqlite-store")
        self._ids = SensorIds()  # name <-> id cache; touched only on the worker thread

    # --- plumbing ----------------------------------------------------------
    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if not self._db.is_open:
            raise StoreUnavailable("SQLite store is not open")
        return await self._db.run(fn, _translate)

    async def open(self, *, background: bool = False) -> None:
        # An embedded file has no server to wait for: ``background`` changes nothing.
        try:
            await self._db.open()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open SQLite database {self._path}: {exc}") from exc

    @property
    def connected(self) -> bool:
        return self._db.conn is not None

    async def wait_connected(self, timeout: float | None = None) -> bool:
        return self.connected

    async def close(self) -> None:
        await self._db.close()

    # --- writes ------------------------------------------------------------
    async def write_readings(self, readings: Sequence[Reading]) -> int:
        if not readings:
            return 0
        ids = self._ids
        names: dict[str, set[str]] = {}
        for r in readings:
            names.setdefault(r.venue, set()).add(r.sensor)

        def write(conn: sqlite3.Connection) -> int:
            conn.execute("BEGIN IMMEDIATE")
            try:
                keys = {venue: ids.ensure(conn, venue, sensors) for venue, sensors in names.items()}
                rows = []
                for r in readings:
                    vid, sids = keys[r.venue]
                    rows.append(
                        (sids[r.sensor], vid, to_ms(r.ts), r.value, QUALITY_CODE[r.quality])
                    )
                before = conn.total_changes
                conn.executemany(_INSERT, rows)
                new = conn.total_changes - before
                newest: dict[int, tuple[int, int, int, float, int]] = {}
                for sid, vid, ts, value, quality in rows:
                    seen = newest.get(sid)
                    if seen is None or ts > seen[2]:
                        newest[sid] = (vid, sid, ts, value, quality)
                conn.executemany(_UPSERT_LATEST, list(newest.values()))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                ids.forget()
                raise
            return new

        return await self._run(write)

    async def write_columns(
        self,
        venue: str,
        sensor: str,
        ts_ms: npt.NDArray[np.int64],
        values: npt.NDArray[np.float64],
    ) -> int:
        """Bulk path for one sensor's history (archive import): no per-row objects.

        Same semantics as :meth:`write_readings` (duplicates on (venue, sensor,
        ts) ignored, latest value advanced), quality good. Returns new rows.
        """
        if len(ts_ms) == 0:
            return 0
        ids = self._ids
        i_last = int(np.argmax(ts_ms))
        newest_ts, newest_value = int(ts_ms[i_last]), float(values[i_last])

        def write(conn: sqlite3.Connection) -> int:
            # A bulk load touches both B-trees (the key and the (vid, ts)
            # index) all over: a 64 MiB page cache instead of the default
            # 2 MiB keeps their pages in memory between batches. Memory only;
            # durability (WAL, synchronous=NORMAL) is unchanged. The live
            # writer shares this connection, so its own size comes back after.
            (cache_before,) = conn.execute("PRAGMA cache_size").fetchone()
            conn.execute(f"PRAGMA cache_size={_BULK_CACHE_KIB}")
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    vid, sids = ids.ensure(conn, venue, (sensor,))
                    sid = sids[sensor]
                    before = conn.total_changes
                    for sql, params in bulk_params(sid, vid, ts_ms, values):
                        conn.executemany(sql, params)
                    new = conn.total_changes - before
                    conn.execute(_UPSERT_LATEST, (vid, sid, newest_ts, newest_value, 0))
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    ids.forget()
                    raise
            finally:
                conn.execute(f"PRAGMA cache_size={int(cache_before)}")
            return new

        return await self._run(write)

    async def write_dead_letters(self, letters: Sequence[DeadLetter]) -> None:
        if not letters:
            return
        rows = [(d.received_at, d.reason, d.detail, d.topic, d.payload) for d in letters]

        def write(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(
                    "INSERT INTO dead_letters (received_at, reason, detail, topic, payload) "
                    "VALUES (?, ?, ?, ?, ?)",
                    rows,
                )

        await self._run(write)

    # --- reads -------------------------------------------------------------
    async def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        def read(conn: sqlite3.Connection) -> list[DeadLetter]:
            cur = conn.execute(
                "SELECT received_at, reason, detail, topic, payload FROM dead_letters "
                "ORDER BY received_at DESC, id DESC LIMIT ?",
                (limit,),
            )
            return [
                DeadLetter(
                    reason=r[1], detail=r[2], topic=r[3], payload=bytes(r[4]), received_at=r[0]
                )
                for r in cur
            ]

        return await self._run(read)

    async def latest(self, venue: str) -> list[Reading]:
        def read(conn: sqlite3.Connection) -> list[Reading]:
            vid = self._ids.venue(conn, venue)
            if vid is None:
                return []
            rows = conn.execute(
                "SELECT sid, ts, value, quality FROM sensor_latest WHERE vid = ? ORDER BY sid",
                (vid,),
            ).fetchall()
            return by_name(conn, self._ids, venue, vid, rows)

        return await self._run(read)

    async def raw(
        self, venue: str, sensor: str, start: float, end: float, limit: int = 10_000
    ) -> list[Reading]:
        def read(conn: sqlite3.Connection) -> list[Reading]:
            sid = self._ids.sensor(conn, venue, sensor)
            if sid is None:
                return []
            cur = conn.execute(
                "SELECT ts, value, quality FROM sensor_readings "
                "WHERE sid = ? AND ts >= ? AND ts < ? ORDER BY ts LIMIT ?",
                (sid, to_ms(start), to_ms(end), limit),
            )
            return [reading_from_row(venue, sensor, ts, v, q) for ts, v, q in cur]

        return await self._run(read)

    async def range_all(
        self,
        venue: str,
        start: float,
        end: float,
        limit: int = 10_000,
        *,
        after_sensor: str | None = None,
    ) -> list[Reading]:
        start_ms, end_ms = to_ms(start), to_ms(end)

        def read(conn: sqlite3.Connection) -> list[Reading]:
            vid = self._ids.venue(conn, venue)
            if vid is None:
                return []
            return range_readings(
                conn, self._ids, venue, vid, start_ms, end_ms, limit, after_sensor
            )

        return await self._run(read)

    async def latest_before(self, venue: str, t: float) -> list[Reading]:
        t_ms = to_ms(t)

        def read(conn: sqlite3.Connection) -> list[Reading]:
            vid = self._ids.venue(conn, venue)
            if vid is None:
                return []
            cur = conn.execute(_LATEST_BEFORE, {"vid": vid, "t": t_ms})
            return [reading_from_row(venue, s, ts, v, q) for s, ts, v, q in cur]

        return await self._run(read)

    async def downsampled(
        self, venue: str, sensor: str, start: float, end: float, width_s: float
    ) -> list[Bucket]:
        params: dict[str, object] = {
            "start": to_ms(start),
            "end": to_ms(end),
            "w": width_ms(width_s),
        }

        def read(conn: sqlite3.Connection) -> list[Bucket]:
            sid = self._ids.sensor(conn, venue, sensor)
            if sid is None:
                return []
            cur = conn.execute(
                f"SELECT {_BUCKET} AS b, min(value), max(value), avg(value), count(*) "
                "FROM sensor_readings WHERE sid = :sid "
                "AND ts >= :start AND ts < :end GROUP BY b ORDER BY b",
                {**params, "sid": sid},
            )
            return [Bucket(from_ms(b), lo, hi, mean, n) for b, lo, hi, mean, n in cur]

        return await self._run(read)

    async def zone_aggregates(
        self,
        venue: str,
        sensors_by_zone: Mapping[str, Sequence[str]],
        start: float,
        end: float,
        width_s: float,
    ) -> list[ZoneAggregate]:
        pairs = zone_members(sensors_by_zone)
        if not pairs:
            return []
        params: dict[str, object] = {
            "start": to_ms(start),
            "end": to_ms(end),
            "w": width_ms(width_s),
        }

        def read(conn: sqlite3.Connection) -> list[ZoneAggregate]:
            vid = self._ids.venue(conn, venue)
            if vid is None:
                return []
            # A temp table of zone membership keeps this one indexed join,
            # however many sensors the twin passes.
            with conn:
                conn.execute("BEGIN")
                conn.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS zone_members (zone TEXT, sensor TEXT)"
                )
                conn.execute("DELETE FROM zone_members")
                conn.executemany("INSERT INTO zone_members VALUES (?, ?)", pairs)
                cur = conn.execute(
                    f"SELECT z.zone, {_BUCKET} AS b, avg(r.value), min(r.value), max(r.value), "
                    "count(*) FROM zone_members z "
                    "JOIN sensors s ON s.vid = :vid AND s.sensor = z.sensor "
                    "JOIN sensor_readings r ON r.sid = s.id "
                    "AND r.ts >= :start AND r.ts < :end "
                    "GROUP BY z.zone, b ORDER BY z.zone, b",
                    {**params, "vid": vid},
                )
                rows = cur.fetchall()
                conn.execute("DELETE FROM zone_members")
            return [ZoneAggregate(z, from_ms(b), mean, lo, hi, n) for z, b, mean, lo, hi, n in rows]

        return await self._run(read)
