"""Alarm and command store on PostgreSQL (psycopg 3, connection pool).

Same schema as SQLite (migration ``0003_alarms_commands``, applied with the
others at open); the pool checks connections, so the store reconnects by
itself after an outage. Errors become :class:`AlarmStoreError`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, Literal

import psycopg
import psycopg_pool
from psycopg.types.json import Jsonb

from ingest.store import migrate
from twin.alarm_stores.rows import (
    ALARM_COLUMNS,
    ALARM_HISTORY_INSERT,
    ALARM_ORDER,
    ALARM_UPSERT,
    COMMAND_COLUMNS,
    COMMAND_HISTORY_INSERT,
    COMMAND_UPSERT,
    alarm_from_row,
    alarm_history_row,
    alarm_row,
    alarm_transition_from_row,
    command_from_row,
    command_history_row,
    command_row,
    command_transition_from_row,
    sql,
)
from twin.alarms.errors import AlarmStoreError, AlarmStoreUnavailable
from twin.alarms.model import Alarm, AlarmTransition
from twin.commands.model import CommandRecord, CommandTransition

__all__ = ["PostgresAlarmStore"]

_PARAMS_COLUMN = 4  # position of params in COMMAND_COLUMNS


class PostgresAlarmStore:
    """Implements ``AlarmStore`` and ``CommandStore`` on PostgreSQL 14+."""

    def __init__(self, url: str, *, max_connections: int = 2, timeout_s: float = 5.0) -> None:
        self._url = url
        self._timeout = timeout_s
        self._max = max_connections
        self._pool: psycopg_pool.AsyncConnectionPool[psycopg.AsyncConnection[Any]] | None = None

    async def open(self) -> None:
        pool = psycopg_pool.AsyncConnectionPool(
            self._url,
            min_size=1,
            max_size=self._max,
            open=False,
            timeout=self._timeout,
            kwargs={"connect_timeout": max(1, int(self._timeout))},
            check=psycopg_pool.AsyncConnectionPool.check_connection,
            name="venue-twin-alarms",
        )
        try:
            await pool.open(wait=True, timeout=self._timeout)
            async with await psycopg.AsyncConnection.connect(
                self._url, autocommit=True, connect_timeout=max(1, int(self._timeout))
            ) as conn:
                await migrate.apply_postgres(conn)
        except (psycopg.Error, psycopg_pool.PoolTimeout, migrate.MigrationError, OSError) as exc:
            await pool.close()
            raise AlarmStoreError(f"cannot open PostgreSQL alarm store: {exc}") from exc
        self._pool = pool

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    @asynccontextmanager
    async def _conn(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        if self._pool is None:
            raise AlarmStoreError("PostgreSQL alarm store is not open")
        try:
            async with self._pool.connection() as conn:
                yield conn
        except (psycopg.OperationalError, psycopg_pool.PoolTimeout) as exc:
            # Connection lost or refused: the pool reconnects, the write can wait.
            raise AlarmStoreUnavailable(f"PostgreSQL alarm store: {exc}") from exc
        except psycopg.Error as exc:
            raise AlarmStoreError(f"PostgreSQL alarm store: {exc}") from exc

    async def _fetch(self, query: str, args: Sequence[Any]) -> list[tuple[Any, ...]]:
        async with self._conn() as conn:
            cur = await conn.execute(query.encode(), args)
            return await cur.fetchall()

    # -- alarms ------------------------------------------------------------

    async def save_alarm(self, alarm: Alarm, transition: AlarmTransition | None) -> None:
        async with self._conn() as conn, conn.transaction():
            await conn.execute(sql(ALARM_UPSERT, "%s").encode(), alarm_row(alarm))
            if transition is not None:
                await conn.execute(
                    sql(ALARM_HISTORY_INSERT, "%s").encode(), alarm_history_row(transition)
                )

    async def get_alarm(self, alarm_id: str) -> Alarm | None:
        rows = await self._fetch(
            f"SELECT {ALARM_COLUMNS} FROM alarms WHERE alarm_id = %s", (alarm_id,)
        )
        return alarm_from_row(rows[0]) if rows else None

    async def open_alarms(self, venue: str | None = None) -> list[Alarm]:
        rows = await self._fetch(
            f"SELECT {ALARM_COLUMNS} FROM alarms WHERE state <> 'cleared' "
            "AND (%s::text IS NULL OR venue = %s) ORDER BY raised_at DESC, alarm_id",
            (venue, venue),
        )
        return [alarm_from_row(r) for r in rows]

    async def alarms(
        self,
        venue: str | None = None,
        *,
        since: float | None = None,
        limit: int = 100,
        by: Literal["raised", "updated"] = "raised",
    ) -> list[Alarm]:
        rows = await self._fetch(
            f"SELECT {ALARM_COLUMNS} FROM alarms WHERE (%s::text IS NULL OR venue = %s) "
            "AND (%s::float8 IS NULL OR updated_at >= %s) "
            f"ORDER BY {ALARM_ORDER[by]} DESC, alarm_id LIMIT %s",
            (venue, venue, since, since, limit),
        )
        return [alarm_from_row(r) for r in rows]

    async def alarm_history(self, alarm_id: str) -> list[AlarmTransition]:
        rows = await self._fetch(
            "SELECT alarm_id, ts, action, from_state, to_state, user_name, note "
            "FROM alarm_history WHERE alarm_id = %s ORDER BY id",
            (alarm_id,),
        )
        return [alarm_transition_from_row(r) for r in rows]

    # -- commands ----------------------------------------------------------

    async def save_command(self, record: CommandRecord, transition: CommandTransition) -> None:
        row = list(command_row(record))
        row[_PARAMS_COLUMN] = Jsonb(dict(record.params))
        async with self._conn() as conn, conn.transaction():
            await conn.execute(sql(COMMAND_UPSERT, "%s").encode(), row)
            await conn.execute(
                sql(COMMAND_HISTORY_INSERT, "%s").encode(), command_history_row(transition)
            )

    async def get_command(self, command_id: str) -> CommandRecord | None:
        rows = await self._fetch(
            f"SELECT {COMMAND_COLUMNS} FROM commands WHERE command_id = %s", (command_id,)
        )
        return command_from_row(rows[0]) if rows else None

    async def commands(self, venue: str | None = None, *, limit: int = 100) -> list[CommandRecord]:
        rows = await self._fetch(
            f"SELECT {COMMAND_COLUMNS} FROM commands WHERE (%s::text IS NULL OR venue = %s) "
            "ORDER BY created_at DESC, command_id LIMIT %s",
            (venue, venue, limit),
        )
        return [command_from_row(r) for r in rows]

    async def open_commands(self) -> list[CommandRecord]:
        rows = await self._fetch(
            f"SELECT {COMMAND_COLUMNS} FROM commands "
            "WHERE state IN ('pending_confirmation', 'sent') ORDER BY created_at DESC, command_id",
            (),
        )
        return [command_from_row(r) for r in rows]

    async def command_history(self, command_id: str) -> list[CommandTransition]:
        rows = await self._fetch(
            "SELECT command_id, ts, from_state, to_state, user_name, detail "
            "FROM command_history WHERE command_id = %s ORDER BY id",
            (command_id,),
        )
        return [command_transition_from_row(r) for r in rows]
