"""Adapters of the alarm and command store ports (``twin.alarms.AlarmStore``,
``twin.commands.CommandStore``): SQLite, PostgreSQL and an in-memory fake.

They keep alarms and commands in the same database as the readings, with the
same URLs (see ``ingest.store``) and the same migrations.
"""

from __future__ import annotations

from ingest.store import parse_store_url
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarm_stores.postgres import PostgresAlarmStore
from twin.alarm_stores.sqlite import SqliteAlarmStore

__all__ = [
    "AlarmAndCommandStore",
    "MemoryAlarmStore",
    "PostgresAlarmStore",
    "SqliteAlarmStore",
    "open_alarm_store",
]

AlarmAndCommandStore = SqliteAlarmStore | PostgresAlarmStore | MemoryAlarmStore


def open_alarm_store(url: str) -> AlarmAndCommandStore:
    """The alarm and command store in the same database as the readings (not connected)."""
    kind, target = parse_store_url(url)
    if kind == "sqlite":
        return SqliteAlarmStore(target)
    if kind == "postgresql":
        return PostgresAlarmStore(target)
    return MemoryAlarmStore()
