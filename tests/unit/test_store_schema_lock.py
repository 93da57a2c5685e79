"""The schema set-up (migrations and TimescaleDB) runs under one advisory lock.

No TimescaleDB here: a recording connection answers the detection queries as
a server with the extension available would, and the test checks that every
statement of the set-up is issued while the lock is held, and that the
set-up's DDL is the idempotent form (``IF NOT EXISTS`` / ``if_not_exists``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

import psycopg
import pytest

from ingest.store import migrate
from ingest.store.postgres import queries
from ingest.store.postgres.schema import prepare_schema
from ingest.store.postgres.timescale import TimescaleSettings


class _Cursor:
    def __init__(self, row: tuple[Any, ...] | None) -> None:
        self._row = row

    async def fetchone(self) -> tuple[Any, ...] | None:
        return self._row


class RecordingConnection:
    """Records SQL; answers as a server where timescaledb can be created."""

    def __init__(self, *, installed: bool = False) -> None:
        self.autocommit = True
        self.sql: list[str] = []
        self.installed = installed

    async def execute(self, query: Any, params: Any = None) -> _Cursor:
        text = query.decode() if isinstance(query, bytes) else str(query)
        if params:
            text = f"{text} {tuple(params)}"
        self.sql.append(text)
        if text == queries.DETECT_TIMESCALE_INSTALLED:
            return _Cursor(("2.28.3",) if self.installed else None)
        if text == queries.DETECT_TIMESCALE_AVAILABLE:
            return _Cursor(("2.28.3",))
        if text.startswith("CREATE EXTENSION"):
            self.installed = True
        return _Cursor(None)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        self.sql.append("BEGIN")
        yield
        self.sql.append("COMMIT")


def _lock_span(sql: list[str]) -> tuple[int, int]:
    key = migrate.PG_LOCK_KEY
    start = sql.index(f"SELECT pg_advisory_lock(%s) ({key},)")
    end = sql.index(f"SELECT pg_advisory_unlock(%s) ({key},)")
    return start, end


@pytest.mark.parametrize("installed", [False, True])
async def test_every_set_up_statement_runs_under_the_advisory_lock(installed: bool) -> None:
    conn = RecordingConnection(installed=installed)
    version = await prepare_schema(cast(psycopg.AsyncConnection[Any], conn), TimescaleSettings())
    assert version == (2, 28, 3)
    start, end = _lock_span(conn.sql)
    assert start == 0 and end == len(conn.sql) - 1, "nothing before the lock or after it"
    ddl = [s for s in conn.sql if not s.startswith(("SELECT pg_advisory", "BEGIN", "COMMIT"))]
    assert any("INSERT INTO schema_version" in s for s in ddl), "migrations inside the lock"
    assert ("CREATE EXTENSION IF NOT EXISTS timescaledb" in ddl) is (not installed)
    assert any("create_hypertable" in s for s in ddl)
    # Idempotent forms, so a second process after the first changes nothing.
    for s in ddl:
        if s.startswith("CREATE MATERIALIZED VIEW"):
            assert s.startswith("CREATE MATERIALIZED VIEW IF NOT EXISTS"), s
        if "add_" in s and "_policy(" in s:
            assert "if_not_exists => TRUE" in s, s
    policies = [s for s in ddl if "_policy(" in s]
    assert len(policies) == 4  # compression, retention, two aggregate refreshes


async def test_plain_postgresql_set_up_also_holds_the_lock_and_skips_timescale() -> None:
    conn = RecordingConnection()
    assert await prepare_schema(cast(psycopg.AsyncConnection[Any], conn), None) is None
    start, end = _lock_span(conn.sql)
    assert (start, end) == (0, len(conn.sql) - 1)
    assert not any("timescaledb" in s for s in conn.sql)


async def test_the_lock_is_released_when_the_set_up_fails() -> None:
    conn = RecordingConnection()

    async def broken(query: Any, params: Any = None) -> _Cursor:
        if isinstance(query, bytes) and b"create_hypertable" in query:
            raise psycopg.errors.InternalError("boom")
        return await RecordingConnection.execute(conn, query, params)

    conn.execute = broken  # type: ignore[method-assign]
    with pytest.raises(psycopg.errors.InternalError):
        await prepare_schema(cast(psycopg.AsyncConnection[Any], conn), TimescaleSettings())
    assert conn.sql[-1].startswith("SELECT pg_advisory_unlock")


async def test_a_connection_in_a_transaction_is_refused() -> None:
    conn = RecordingConnection()
    conn.autocommit = False
    with pytest.raises(ValueError, match="autocommit"):
        await prepare_schema(cast(psycopg.AsyncConnection[Any], conn), None)
