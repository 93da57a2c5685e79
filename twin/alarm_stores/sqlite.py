"""Alarm and command store in SQLite (the embedded default), plus the row mapping.

Uses the same database file and migrations as :class:`~ingest.store.SqliteStore`
(``0003_alarms_commands``); one connection on one worker thread.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

from ingest.store import migrate
from ingest.store.sqlite_thread import SqliteThread
from twin.alarms.errors import AlarmStoreError, AlarmStoreUnavailable
from twin.alarms.model import Action, Alarm, AlarmState, AlarmTransition, Severity
from twin.alarms.texts import text_from_json, text_to_json
from twin.commands.model import CommandRecord, CommandState, CommandTransition

__all__ = [
    "ALARM_COLUMNS",
    "ALARM_HISTORY_INSERT",
    "ALARM_ORDER",
    "ALARM_UPSERT",
    "COMMAND_COLUMNS",
    "COMMAND_HISTORY_INSERT",
    "COMMAND_UPSERT",
    "SqliteAlarmStore",
    "alarm_from_row",
    "alarm_history_row",
    "alarm_row",
    "alarm_transition_from_row",
    "command_from_row",
    "command_history_row",
    "command_row",
    "command_transition_from_row",
    "sql",
]

T = TypeVar("T")

# ``alarms(by=...)``: the column the list is ordered by (each has an index with venue).
ALARM_ORDER = {"raised": "raised_at", "updated": "updated_at"}

ALARM_COLUMNS = (
    "alarm_id, venue, source, kind, severity, state, message, value, count, active, "
    "raised_at, updated_at, acknowledged_at, acknowledged_by, note, cleared_at, shelved_until, "
    "message_params"
)
COMMAND_COLUMNS = (
    "command_id, venue, target, action, params, state, origin, created_at, updated_at, "
    "expires_at, sent_at, deadline, detail, confirmed_by"
)
_OPEN_COMMAND_STATES = ("pending_confirmation", "sent")


def alarm_row(a: Alarm) -> tuple[Any, ...]:
    return (
        a.alarm_id,
        a.venue,
        a.source,
        a.kind,
        a.severity.value,
        a.state.value,
        a.message,
        a.value,
        a.count,
        a.active,
        a.raised_at,
        a.updated_at,
        a.acknowledged_at,
        a.acknowledged_by,
        a.note,
        a.cleared_at,
        a.shelved_until,
        text_to_json(a.text),
    )


def alarm_from_row(r: Sequence[Any]) -> Alarm:
    return Alarm(
        alarm_id=r[0],
        venue=r[1],
        source=r[2],
        kind=r[3],
        severity=Severity(r[4]),
        state=AlarmState(r[5]),
        message=r[6],
        value=r[7],
        count=int(r[8]),
        active=bool(r[9]),
        raised_at=r[10],
        updated_at=r[11],
        acknowledged_at=r[12],
        acknowledged_by=r[13],
        note=r[14],
        cleared_at=r[15],
        shelved_until=r[16],
        text=text_from_json(r[17]),
    )


def alarm_transition_from_row(r: Sequence[Any]) -> AlarmTransition:
    return AlarmTransition(
        r[0],
        r[1],
        Action(r[2]),
        None if r[3] is None else AlarmState(r[3]),
        AlarmState(r[4]),
        r[5],
        r[6],
    )


def command_row(c: CommandRecord) -> tuple[Any, ...]:
    return (
        c.command_id,
        c.venue,
        c.target,
        c.action,
        json.dumps(dict(c.params)),
        c.state.value,
        c.origin,
        c.created_at,
        c.updated_at,
        c.expires_at,
        c.sent_at,
        c.deadline,
        c.detail,
        c.confirmed_by,
    )


def command_from_row(r: Sequence[Any]) -> CommandRecord:
    params = r[4] if isinstance(r[4], dict) else json.loads(r[4])
    return CommandRecord(
        command_id=r[0],
        venue=r[1],
        target=r[2],
        action=r[3],
        params=params,
        state=CommandState(r[5]),
        origin=r[6],
        created_at=r[7],
        updated_at=r[8],
        expires_at=r[9],
        sent_at=r[10],
        deadline=r[11],
        detail=r[12],
        confirmed_by=r[13],
    )


def command_transition_from_row(r: Sequence[Any]) -> CommandTransition:
    return CommandTransition(
        r[0], r[1], None if r[2] is None else CommandState(r[2]), CommandState(r[3]), r[4], r[5]
    )


def _value(state: AlarmState | CommandState | None) -> str | None:
    return None if state is None else state.value


def alarm_history_row(t: AlarmTransition) -> tuple[Any, ...]:
    return (
        t.alarm_id,
        t.ts,
        t.action.value,
        _value(t.from_state),
        t.to_state.value,
        t.user,
        t.note,
    )


def command_history_row(t: CommandTransition) -> tuple[Any, ...]:
    return (t.command_id, t.ts, _value(t.from_state), t.to_state.value, t.user, t.detail)


def _placeholders(columns: str, mark: str) -> str:
    return ", ".join(mark for _ in columns.split(","))


def _updates(columns: str, key: str) -> str:
    names = [c.strip() for c in columns.split(",") if c.strip() != key]
    return ", ".join(f"{n} = excluded.{n}" for n in names)


ALARM_UPSERT = (
    f"INSERT INTO alarms ({ALARM_COLUMNS}) VALUES ({_placeholders(ALARM_COLUMNS, '{p}')}) "
    f"ON CONFLICT (alarm_id) DO UPDATE SET {_updates(ALARM_COLUMNS, 'alarm_id')}"
)
COMMAND_UPSERT = (
    f"INSERT INTO commands ({COMMAND_COLUMNS}) VALUES ({_placeholders(COMMAND_COLUMNS, '{p}')}) "
    f"ON CONFLICT (command_id) DO UPDATE SET {_updates(COMMAND_COLUMNS, 'command_id')}"
)
ALARM_HISTORY_INSERT = (
    "INSERT INTO alarm_history (alarm_id, ts, action, from_state, to_state, user_name, note) "
    "VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p})"
)
COMMAND_HISTORY_INSERT = (
    "INSERT INTO command_history (command_id, ts, from_state, to_state, user_name, detail) "
    "VALUES ({p}, {p}, {p}, {p}, {p}, {p})"
)


def sql(template: str, mark: str) -> str:
    """A statement above with the driver's parameter mark (``?`` or ``%s``)."""
    return template.replace("{p}", mark)


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
        rows = await self._select(q, _OPEN_COMMAND_STATES)
        return [command_from_row(r) for r in rows]

    async def command_history(self, command_id: str) -> list[CommandTransition]:
        q = (
            "SELECT command_id, ts, from_state, to_state, user_name, detail "
            "FROM command_history WHERE command_id = ? ORDER BY id"
        )
        rows = await self._select(q, (command_id,))
        return [command_transition_from_row(r) for r in rows]
