"""Adapters of the alarm and command store ports (``twin.alarms.AlarmStore``,
``twin.commands.CommandStore``): SQLite, PostgreSQL and an in-memory fake.

They keep alarms and commands in the same database as the readings, with the
same URLs (see ``ingest.store``) and the same migrations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

from ingest.store import parse_store_url
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarm_stores.sqlite import SqliteAlarmStore

# psycopg takes a few hundred ms to import: SQLite deployments (the demo) skip it.
if TYPE_CHECKING:
    from twin.alarm_stores.postgres import PostgresAlarmStore

__all__ = [
    "AlarmAndCommandStore",
    "MemoryAlarmStore",
    "PostgresAlarmStore",
    "SqliteAlarmStore",
    "open_alarm_store",
]

AlarmAndCommandStore: TypeAlias = "SqliteAlarmStore | PostgresAlarmStore | MemoryAlarmStore"


def __getattr__(name: str) -> Any:
    if name == "PostgresAlarmStore":
        from twin.alarm_stores.postgres import PostgresAlarmStore

        return PostgresAlarmStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_alarm_store(url: str) -> AlarmAndCommandStore:
    """The alarm and command store in the same database as the readings (not connected)."""
    kind, target = parse_store_url(url)
    if kind == "sqlite":
        return SqliteAlarmStore(target)
    if kind == "postgresql":
        from twin.alarm_stores.postgres import PostgresAlarmStore

        return PostgresAlarmStore(target)
    return MemoryAlarmStore()
