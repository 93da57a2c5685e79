"""The SQLite stores' errors: each store's own exception, never a raw ``sqlite3`` one.

The readings store and the alarm store run on one shared worker-thread
connection (``ingest.store.sqlite_thread``) and differ only in how they name
errors: a store used before it is open, a file that cannot be opened, and a
failing statement (a locked or full database is worth retrying; the alarm
store rolls back what the statement's transaction had written).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.store import SqliteStore
from ingest.store.base import InvalidReadings, StoreError, StoreUnavailable
from twin.alarm_stores import SqliteAlarmStore
from twin.alarms.errors import AlarmStoreError, AlarmStoreUnavailable


def _raises(exc: sqlite3.Error) -> Callable[[sqlite3.Connection], None]:
    def fn(_conn: sqlite3.Connection) -> None:
        raise exc

    return fn


async def test_a_store_used_before_open_or_after_close_says_it_is_not_open(
    tmp_path: Path,
) -> None:
    store, alarms = SqliteStore(tmp_path / "db.sqlite"), SqliteAlarmStore(tmp_path / "db.sqlite")
    with pytest.raises(StoreUnavailable, match="not open"):
        await store.latest("v")
    with pytest.raises(AlarmStoreError, match="not open"):
        await alarms.get_alarm("a")
    await store.open()
    await alarms.open()
    assert await store.latest("v") == [] and await alarms.get_alarm("a") is None
    await store.close()
    await alarms.close()
    await store.close()  # twice is harmless
    with pytest.raises(StoreUnavailable, match="not open"):
        await store.latest("v")
    with pytest.raises(AlarmStoreError, match="not open"):
        await alarms.get_alarm("a")


async def test_a_file_that_cannot_be_opened_is_the_stores_error(tmp_path: Path) -> None:
    # A directory is no database: sqlite3 cannot open it.
    store, alarms = SqliteStore(tmp_path), SqliteAlarmStore(tmp_path)
    with pytest.raises(StoreUnavailable, match="cannot open SQLite database"):
        await store.open()
    with pytest.raises(AlarmStoreError, match="cannot open SQLite database"):
        await alarms.open()
    assert not store.connected
    await store.close()
    await alarms.close()


async def test_readings_store_errors_say_whether_to_retry(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "db.sqlite")
    await store.open()
    try:
        with pytest.raises(StoreUnavailable, match="SQLite unavailable: locked"):
            await store._run(_raises(sqlite3.OperationalError("locked")))
        with pytest.raises(InvalidReadings, match="rejected the data: too big"):
            await store._run(_raises(sqlite3.DataError("too big")))
        with pytest.raises(StoreError, match="SQLite error: duplicate") as caught:
            await store._run(_raises(sqlite3.IntegrityError("duplicate")))
        assert not isinstance(caught.value, (StoreUnavailable, InvalidReadings))
        assert isinstance(caught.value.__cause__, sqlite3.IntegrityError)
        assert await store.latest("v") == []  # the connection still serves
    finally:
        await store.close()


async def test_alarm_store_errors_roll_back_the_statements_transaction(tmp_path: Path) -> None:
    alarms = SqliteAlarmStore(tmp_path / "db.sqlite")
    await alarms.open()

    def half_written(exc: sqlite3.Error) -> Callable[[sqlite3.Connection], None]:
        def fn(conn: sqlite3.Connection) -> None:
            conn.execute("BEGIN")
            conn.execute("DELETE FROM alarms")  # any write: the transaction is open
            raise exc

        return fn

    try:
        with pytest.raises(AlarmStoreUnavailable, match="SQLite alarm store: disk I/O"):
            await alarms._run(half_written(sqlite3.OperationalError("disk I/O")))
        assert not await alarms._run(lambda c: c.in_transaction)
        with pytest.raises(AlarmStoreError) as caught:
            await alarms._run(half_written(sqlite3.IntegrityError("constraint")))
        assert not isinstance(caught.value, AlarmStoreUnavailable)
        assert not await alarms._run(lambda c: c.in_transaction)
    finally:
        await alarms.close()
