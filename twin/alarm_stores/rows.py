"""Row mapping and SQL of the alarm and command tables, shared by the SQLite and PostgreSQL stores.

Both stores use the same schema (migration ``0003_alarms_commands``); the
statements carry ``{p}`` where the driver's parameter mark goes (:func:`sql`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

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
    "OPEN_COMMAND_STATES",
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

# ``alarms(by=...)``: the column the list is ordered by (each has an index with venue).
ALARM_ORDER = {"raised": "raised_at", "updated": "updated_at"}

ALARM_COLUMNS = (
    "alarm_id, venue, source, kind, severity, state, message, value, count, active, "
    "raised_at, updated_at, acknowledged_at, acknowledged_by, note, cleared_at, shelved_until, "
    "message_params, revision"
)
COMMAND_COLUMNS = (
    "command_id, venue, target, action, params, state, origin, created_at, updated_at, "
    "expires_at, sent_at, deadline, detail, confirmed_by"
)
OPEN_COMMAND_STATES = ("pending_confirmation", "sent")


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
        a.revision,
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
        revision=int(r[18]),
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
