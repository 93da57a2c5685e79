"""PostgreSQL (optionally TimescaleDB) implementation of :class:`~ingest.store.base.Store`.

Writes: names become integer ids (:mod:`~ingest.store.postgres.sensor_ids`,
migration 0007), then binary COPY into a per-connection temp table and one
``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` that also advances
``sensor_latest``; the whole batch commits or nothing does.

Connection state lives in a :class:`Reconnector`: a failed call marks the
store down and raises :class:`StoreUnavailable`; a background task then
probes the server with jittered, capped backoff and swaps in a fresh pool once
it answers (the next call also probes at once, so the store answers as soon
as the server is back). ``open(background=True)`` starts in that state when
the server is down at start-up; migrations and TimescaleDB detection run on
the first successful connection, under the migrations' advisory lock.

psycopg_pool can fill a pool in the background by itself, but its
reconnection delay doubles without a cap until ``reconnect_timeout`` and then
gives up, and it logs every failed attempt: hence our own probe loop, with the
pool opened (``open(wait=True)``) only once the server has answered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import psycopg
import psycopg_pool

from ingest.contract import DeadLetter, Reading
from ingest.store.base import (
    Bucket,
    InvalidReadings,
    StoreError,
    StoreMisconfigured,
    StoreUnavailable,
    ZoneAggregate,
)
from ingest.store.postgres import queries
from ingest.store.postgres.backoff import Backoff
from ingest.store.postgres.connect_errors import classify
from ingest.store.postgres.late_refresh import LateDataRefresher
from ingest.store.postgres.reconnect import Reconnector
from ingest.store.postgres.schema import prepare_schema
from ingest.store.postgres.sensor_ids import Key, SensorIds
from ingest.store.postgres.timescale import TimescaleSettings
from ingest.store.postgres.write_path import Columns, columns_of, write_columns_batch
from ingest.store.rows import from_ms, reading_from_row, to_ms, width_ms, zone_members

__all__ = ["PostgresStore", "server_address"]

log = logging.getLogger(__name__)

_UNAVAILABLE = (
    psycopg.OperationalError,
    psycopg.InterfaceError,
    psycopg_pool.PoolTimeout,
    psycopg_pool.PoolClosed,
    OSError,
)

Pool = psycopg_pool.AsyncConnectionPool[psycopg.AsyncConnection[Any]]


def server_address(url: str) -> str:
    """``host:port`` of a PostgreSQL URL, for messages (never the password)."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(malformed store URL)"
    host = str(info.get("host") or info.get("hostaddr") or "localhost")
    return f"{host}:{info.get('port') or 5432}"


class PostgresStore:
    """Store on PostgreSQL 14+; uses TimescaleDB 2.x when the extension is available."""

    def __init__(
        self,
        url: str,
        *,
        min_connections: int = 1,
        max_connections: int = 4,
        connect_timeout_s: float = 5.0,
        compress_after: timedelta = timedelta(days=7),
        retain_for: timedelta = timedelta(days=365),
        use_timescale: bool = True,
        aggregate_work_mem: str = "32MB",
        reconnect_initial_s: float = 0.2,
        reconnect_max_s: float = 5.0,
        late_refresh_interval_s: float = 30.0,
    ) -> None:
        self._url = url
        self._agg_work_mem = aggregate_work_mem
        self._timeout = connect_timeout_s
        self._timescale_settings = TimescaleSettings(compress_after, retain_for)
        self._allow_timescale = use_timescale
        self.timescale_version: tuple[int, ...] | None = None
        self._min_conn, self._max_conn = min_connections, max_connections
        self._pool: Pool | None = None
        self._migrated = False  # schema and TimescaleDB set-up done on this server
        self._open = False  # between open() and close(): only then may calls reconnect
        # TimescaleDB only: continuous aggregates over data older than their policies' windows.
        self.late_refresh: LateDataRefresher | None = None
        self._late_interval = late_refresh_interval_s
        self._late_task: asyncio.Task[None] | None = None
        self.where = server_address(url)
        self._ids = SensorIds()
        self._link = Reconnector(
            self._connect_once,
            where=self.where,
            backoff=Backoff(reconnect_initial_s, reconnect_max_s),
        )

    def _new_pool(self) -> Pool:
        return psycopg_pool.AsyncConnectionPool(
            self._url,
            min_size=self._min_conn,
            max_size=self._max_conn,
            open=False,
            timeout=self._timeout,
            kwargs={"connect_timeout": max(1, int(self._timeout))},
            configure=self._configure,
            check=psycopg_pool.AsyncConnectionPool.check_connection,
            name="venue-twin-store",
        )

    @property
    def timescale(self) -> bool:
        return self.timescale_version is not None

    @property
    def connected(self) -> bool:
        return self._link.connected

    async def wait_connected(self, timeout: float | None = None) -> bool:
        return await self._link.wait_connected(timeout)

    # --- lifecycle ---------------------------------------------------------
    @staticmethod
    async def _configure(conn: psycopg.AsyncConnection[Any]) -> None:
        await conn.set_autocommit(True)
        await conn.execute(queries.CREATE_STAGING)
        await conn.set_autocommit(False)

    async def open(self, *, background: bool = False) -> None:
        """Connect, apply migrations and pick the TimescaleDB or native path.

        See :meth:`ingest.store.base.Store.open` for ``background``.
        """
        await self._link.stop()  # also after close(): start from a clean state
        try:
            await self._link.start()
        except StoreUnavailable:
            if not background:
                await self._link.stop()
                raise
        self._open = True

    async def _connect_once(self) -> None:
        """Probe the server, migrate once, then swap in a freshly opened pool."""
        try:
            async with await psycopg.AsyncConnection.connect(
                self._url, autocommit=True, connect_timeout=max(1, int(self._timeout))
            ) as conn:
                if not self._migrated:
                    self.timescale_version = await prepare_schema(
                        conn, self._timescale_settings if self._allow_timescale else None
                    )
            pool = self._new_pool()
            try:
                await pool.open(wait=True, timeout=self._timeout)
            except BaseException:
                await pool.close()
                raise
        except (psycopg.Error, psycopg_pool.PoolTimeout, OSError) as exc:
            raise classify(exc, self.where) from exc
        old, self._pool = self._pool, pool
        self._ids.clear()  # another server (a restore, a fail-over) may number sensors otherwise
        if old is not None:
            await old.close(timeout=1.0)
        if self.timescale and self._late_task is None:
            self.late_refresh = self.late_refresh or LateDataRefresher(self._autocommit_connection)
            self._late_task = asyncio.create_task(
                self.late_refresh.run(self._late_interval), name="cagg-late-refresh"
            )
        if not self._migrated:
            self._migrated = True
            log.info(
                "PostgreSQL store open at %s (%s)",
                self.where,
                f"TimescaleDB {self.timescale_version}" if self.timescale else "native PostgreSQL",
            )

    async def _autocommit_connection(self) -> psycopg.AsyncConnection[Any]:
        return await psycopg.AsyncConnection.connect(
            self._url, autocommit=True, connect_timeout=max(1, int(self._timeout))
        )

    async def close(self) -> None:
        self._open = False
        task, self._late_task = self._late_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.late_refresh is not None:
            # What late data is still pending; bounded so a dead server cannot hold close().
            with contextlib.suppress(TimeoutError, OSError):
                await asyncio.wait_for(self.late_refresh.flush(), timeout=self._timeout)
        await self._link.stop()
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        if not self._open:
            raise StoreUnavailable("PostgreSQL store is not open")
        try:
            # During an outage this probes the server at once (cheap when it refuses).
            await self._link.ensure()
        except StoreMisconfigured as exc:
            # To a call the database is as unusable as when it is down; the writer spools.
            raise StoreUnavailable(str(exc)) from exc
        pool = self._pool
        if pool is None:
            raise StoreUnavailable(self._link.describe())
        try:
            async with pool.connection() as conn:
                yield conn
        except _UNAVAILABLE as exc:
            error = StoreUnavailable(f"PostgreSQL at {self.where} unavailable: {exc}")
            self._link.mark_down(error)
            raise error from exc
        except psycopg.errors.DataError as exc:  # SQLSTATE class 22: the values themselves
            raise InvalidReadings(f"PostgreSQL rejected the data: {exc}") from exc
        except psycopg.Error as exc:
            raise StoreError(f"PostgreSQL error: {exc}") from exc

    # --- writes ------------------------------------------------------------
    async def write_readings(self, readings: Sequence[Reading]) -> int:
        if not readings:
            return 0
        fresh: dict[Key, tuple[int, int]] = {}
        async with self._connection() as conn, conn.transaction():
            ids = self._ids.lookup(readings)
            if ids is None:  # names this process has not seen yet: registered in this transaction
                ids, fresh = await self._ids.resolve(conn, [(r.venue, r.sensor) for r in readings])
            new, first_ms, last_ms = await write_columns_batch(conn, columns_of(readings, ids))
        self._ids.remember(fresh)  # committed
        if self.late_refresh is not None and first_ms is not None and last_ms is not None:
            self.late_refresh.note(first_ms, last_ms)
        return new

    async def write_columns(
        self,
        venue: str,
        sensor: str,
        ts_ms: npt.NDArray[np.int64],
        values: npt.NDArray[np.float64],
    ) -> int:
        """Bulk path for one sensor's history (archive import): one packed COPY."""
        if len(ts_ms) == 0:
            return 0
        n = len(ts_ms)
        async with self._connection() as conn, conn.transaction():
            ((vid, sid),), fresh = await self._ids.resolve(conn, [(venue, sensor)])
            cols = Columns(
                np.full(n, vid, np.int32),
                np.full(n, sid, np.int32),
                np.asarray(ts_ms, np.int64),
                np.asarray(values, np.float64),
                np.zeros(n, np.int16),
            )
            new, first_ms, last_ms = await write_columns_batch(conn, cols)
        self._ids.remember(fresh)
        if self.late_refresh is not None and first_ms is not None and last_ms is not None:
            self.late_refresh.note(first_ms, last_ms)
        return new

    async def write_dead_letters(self, letters: Sequence[DeadLetter]) -> None:
        if not letters:
            return
        async with self._connection() as conn, conn.transaction(), conn.cursor() as cur:
            await cur.executemany(
                queries.INSERT_DEAD_LETTER,
                [(d.received_at, d.reason, d.detail, d.topic, d.payload) for d in letters],
            )

    # --- reads -------------------------------------------------------------
    async def _fetch(
        self, query: Any, params: Any, *, work_mem: str | None = None
    ) -> list[tuple[Any, ...]]:
        async with self._connection() as conn:
            if work_mem is not None:
                # Aggregations over a day of 1 Hz rows sort in memory instead of on disk.
                await conn.execute("SELECT set_config('work_mem', %s, true)", (work_mem,))
            cur = await conn.execute(query, params)
            rows = await cur.fetchall()
            await conn.rollback()  # end the read transaction (and the local setting)
            return rows

    async def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        rows = await self._fetch(queries.DEAD_LETTERS, (limit,))
        return [
            DeadLetter(reason=r[1], detail=r[2], topic=r[3], payload=bytes(r[4]), received_at=r[0])
            for r in rows
        ]

    async def latest(self, venue: str) -> list[Reading]:
        rows = await self._fetch(queries.LATEST, {"venue": venue})
        return [reading_from_row(venue, s, ts, v, q) for s, ts, v, q in rows]

    async def raw(
        self, venue: str, sensor: str, start: float, end: float, limit: int = 10_000
    ) -> list[Reading]:
        params = {
            "venue": venue,
            "sensor": sensor,
            "start_ms": to_ms(start),
            "end_ms": to_ms(end),
            "limit": limit,
        }
        rows = await self._fetch(queries.RAW, params)
        return [reading_from_row(venue, sensor, ts, v, q) for ts, v, q in rows]

    async def range_all(
        self,
        venue: str,
        start: float,
        end: float,
        limit: int = 10_000,
        *,
        after_sensor: str | None = None,
    ) -> list[Reading]:
        params = {
            "venue": venue,
            "start_ms": to_ms(start),
            "end_ms": to_ms(end),
            "limit": limit,
            "after": after_sensor,
        }
        sql = queries.RANGE_ALL if after_sensor is None else queries.RANGE_ALL_AFTER
        rows = await self._fetch(sql, params)
        return [reading_from_row(venue, s, ts, v, q) for s, ts, v, q in rows]

    async def latest_before(self, venue: str, t: float) -> list[Reading]:
        rows = await self._fetch(queries.LATEST_BEFORE, {"venue": venue, "t_ms": to_ms(t)})
        return [reading_from_row(venue, s, ts, v, q) for s, ts, v, q in rows]

    async def downsampled(
        self, venue: str, sensor: str, start: float, end: float, width_s: float
    ) -> list[Bucket]:
        start_ms, end_ms, w_ms = to_ms(start), to_ms(end), width_ms(width_s)
        params = {
            "venue": venue,
            "sensor": sensor,
            "start_ms": start_ms,
            "end_ms": end_ms,
            "w_ms": w_ms,
        }
        aggregate = None
        if self.timescale:
            picked = queries.pick_aggregate(start_ms, end_ms, w_ms)
            aggregate = picked[0] if picked else None
        sql = queries.downsample_sql(timescale=self.timescale, aggregate=aggregate)
        rows = await self._fetch(sql, params, work_mem=self._agg_work_mem)
        return [Bucket(from_ms(b), lo, hi, mean, int(n)) for b, lo, hi, mean, n in rows]

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
        params = {
            "venue": venue,
            "zones": [z for z, _ in pairs],
            "sensors": [s for _, s in pairs],
            "start_ms": to_ms(start),
            "end_ms": to_ms(end),
            "w_ms": width_ms(width_s),
        }
        rows = await self._fetch(
            queries.zone_sql(timescale=self.timescale), params, work_mem=self._agg_work_mem
        )
        return [
            ZoneAggregate(zone, from_ms(b), mean, lo, hi, int(n))
            for zone, b, mean, lo, hi, n in rows
        ]
