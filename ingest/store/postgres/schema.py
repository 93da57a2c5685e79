"""Schema set-up on a fresh or existing database: migrations, then TimescaleDB.

Everything runs under one session-level advisory lock (the key the migrations
use), so processes that open one database together (compose starts ``app``
and ``viewer`` at once) take turns: ``CREATE EXTENSION``, ``create_hypertable``,
``CREATE MATERIALIZED VIEW ... IF NOT EXISTS`` and the ``add_*_policy(...,
if_not_exists => TRUE)`` calls are idempotent only when nobody runs them at the
same time (two concurrent creators both pass the "not exists" check). A
session lock rather than a transaction lock because TimescaleDB's set-up is
not one transaction; it is re-entrant, so the migrations' own transaction
locks on the same key are granted at once.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import psycopg

from ingest.store import migrate
from ingest.store.postgres import queries
from ingest.store.postgres.timescale import TimescaleSettings, parse_version, setup_statements

__all__ = ["prepare_schema", "schema_lock"]

log = logging.getLogger(__name__)


@asynccontextmanager
async def schema_lock(conn: psycopg.AsyncConnection[Any]) -> AsyncIterator[None]:
    """Hold the database's schema advisory lock (``conn`` in autocommit)."""
    if not conn.autocommit:
        raise ValueError("schema set-up needs an autocommit connection")
    await conn.execute("SELECT pg_advisory_lock(%s)", (migrate.PG_LOCK_KEY,))
    try:
        yield
    finally:
        # If the connection broke, the server dropped the lock with the session.
        with suppress(psycopg.Error):
            await conn.execute("SELECT pg_advisory_unlock(%s)", (migrate.PG_LOCK_KEY,))


async def prepare_schema(
    conn: psycopg.AsyncConnection[Any], timescale: TimescaleSettings | None
) -> tuple[int, ...] | None:
    """Apply migrations and, when ``timescale`` is given and the extension is
    installed or installable, the TimescaleDB set-up; returns its version or None."""
    async with schema_lock(conn):
        await migrate.apply_postgres(conn)
        if timescale is None:
            return None
        return await _setup_timescale(conn, timescale)


async def _setup_timescale(
    conn: psycopg.AsyncConnection[Any], settings: TimescaleSettings
) -> tuple[int, ...] | None:
    row = await (await conn.execute(queries.DETECT_TIMESCALE_INSTALLED)).fetchone()
    if row is None:
        available = await (await conn.execute(queries.DETECT_TIMESCALE_AVAILABLE)).fetchone()
        if available is None:
            return None
        try:
            await conn.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
        except psycopg.errors.DatabaseError as exc:
            # Typically not in shared_preload_libraries: run natively, say why.
            log.warning("timescaledb is available but could not be created: %s", exc)
            return None
        row = await (await conn.execute(queries.DETECT_TIMESCALE_INSTALLED)).fetchone()
        if row is None:
            return None
    version = parse_version(str(row[0]))
    enabled = await (
        await conn.execute(
            "SELECT compression_enabled FROM timescaledb_information.hypertables "
            "WHERE hypertable_name = 'sensor_readings'"
        )
    ).fetchone()
    statements = setup_statements(
        version, settings, compression_enabled=bool(enabled and enabled[0])
    )
    for statement in statements:
        await conn.execute(statement.encode())
    return version
