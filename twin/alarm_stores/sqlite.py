"""Alarm and command store in SQLite (the embedded default).

Uses the same database file and migrations as :class:`~ingest.store.SqliteStore`
(``0003_alarms_commands``); one connection on one worker thread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

from ingest.store import migrate
from ingest.store.sqlite_thread import SqliteThread
from twin.alarm_stores.rows import (
    ALARM_COLUMNS,
    ALARM_HISTORY_INSERT,
    ALARM_ORDER,
    ALARM_UPSERT,
    COMMAND_COLUMNS,
    COMMAND_HISTORY_INSERT,
    COMMAND_UPSERT,
    OPEN_COMMAND_STATES,
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

__all__ = ["SqliteAlarmStore"]

T = TypeVar("T")


def _translate(conn: sqlite3.Connection, exc: sqlite3.Error) -> Exception:
    if conn.in_transaction:
        conn.rollback()
    if isinstance(exc, sqlite3.OperationalError):  # locked, disk I/O, full disk
        return AlarmStoreUnavailable(f"SQLite alarm store: {exc}")
    return AlarmStoreError(f"SQLite alarm store: {exc}")


class SqliteAlarmStore:
    """Implements ``AlarmStore`` and ``CommandStore`` on one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self._path = str(path)
        self._db = SqliteThread(self._path, "sqlite-alarms")

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if not self._db.is_open:
            raise AlarmStoreError("SQLite alarm store is not open")
        return await self._db.run(fn, _translate)

    async def _select(self, q: str, args: Sequence[Any]) -> list[Any]:
        return await self._run(lambda c: c.execute(q, args).fetchall())

    async def open(self) -> None:
        try:
            await self._db.open()
        except (sqlite3.Error, migrate.MigrationError) as exc:
            raise AlarmStoreError(f"cannot open SQLite database {self._path}: {exc}") from exc

    async def close(self) -> None:
        await self._db.close()

    # -- alarms ------------------------------------------------------------

    async def save_alarm(self, alarm: Alarm, transition: AlarmTransition | None) -> None:
        def write(conn: sqlite3.Connection) -> None:
            conn.execute("BEGIN")
            conn.execute(sql(ALARM_UPSERT, "?"), alarm_row(alarm))
            if transition is not None:
                conn.execute(sql(ALARM_HISTORY_INSERT, "?"), alarm_history_row(transition))
            conn.execute("COMMIT")

        await self._run(write)

    async def get_alarm(self, alarm_id: str) -> Alarm | None:
        q = f"SELECT {ALARM_COLUMNS} FROM alarms WHERE alarm_id = ?"
        rows = await self._select(q, (alarm_id,))
        return alarm_from_row(rows[0]) if rows else None

    async def open_alarms(self, venue: str | None = None) -> list[Alarm]:
        q = (
            f"SELECT {ALARM_COLUMNS} FROM alarms WHERE state <> 'cleared' "
            "AND (? IS NULL OR venue = ?) ORDER BY raised_at DESC, alarm_id"
        )
        rows = await self._select(q, (venue, venue))
        return [alarm_from_row(r) for r in rows]

    async def alarms(
        self,
        venue: str | None = None,
        *,
        since: float | None = None,
        limit: int = 100,
        by: Literal["raised", "updated"] = "raised",
    ) -> list[Alarm]:
        q = (
            f"SELECT {ALARM_COLUMNS} FROM alarms WHERE (? IS NULL OR venue = ?) "
            f"AND (? IS NULL OR updated_at >= ?) ORDER BY {ALARM_ORDER[by]} DESC, alarm_id LIMIT ?"
        )
        args = (venue, venue, since, since, limit)
        rows = await self._select(q, args)
        return [alarm_from_row(r) for r in rows]

    async def alarm_history(self, alarm_id: str) -> list[AlarmTransition]:
        q = (
            "SELECT alarm_id, ts, action, from_state, to_state, user_name, note "
            "FROM alarm_history WHERE alarm_id = ? ORDER BY id"
        )
        rows = await self._select(q, (alarm_id,))
        return [alarm_transition_from_row(r) for r in rows]

    # -- commands ----------------------------------------------------------

    async def save_command(self, record: CommandRecord, transition: CommandTransition) -> None:
        def write(conn: sqlite3.Connection) -> None:
            conn.execute("BEGIN")
            conn.execute(sql(COMMAND_UPSERT, "?"), command_row(record))
            conn.execute(sql(COMMAND_HISTORY_INSERT, "?"), command_history_row(transition))
            conn.execute("COMMIT")

        await self._run(write)

    async def get_command(self, command_id: str) -> CommandRecord | None:
        q = f"SELECT {COMMAND_COLUMNS} FROM commands WHERE command_id = ?"
        rows = await self._select(q, (command_id,))
        return command_from_row(rows[0]) if rows else None

    async def commands(self, venue: str | None = None, *, limit: int = 100) -> list[CommandRecord]:
        q = (
            f"SELECT {COMMAND_COLUMNS} FROM commands WHERE (? IS NULL OR venue = ?) "
            "ORDER BY created_at DESC, command_id LIMIT ?"
        )
        rows = await self._select(q, (venue, venue, limit))
        return [command_from_row(r) for r in rows]

    async def open_commands(self) -> list[CommandRecord]:
        q = (
            f"SELECT {COMMAND_COLUMNS} FROM commands WHERE state IN (?, ?) "
            "ORDER BY created_at DESC, command_id"
        )
        rows = await self._select(q, OPEN_COMMAND_STATES)
        return [command_from_row(r) for r in rows]

    async def command_history(self, command_id: str) -> list[CommandTransition]:
        q = (
            "SELECT command_id, ts, from_state, to_state, user_name, detail "
            "FROM command_history WHERE command_id = ? ORDER BY id"
        )
        rows = await self._select(q, (command_id,))
        return [command_transition_from_row(r) for r in rows]
