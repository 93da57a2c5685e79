"""Versioned, idempotent SQL migrations, applied at start-up.

Files live in the ``infra`` package data as ``migrations/<dialect>/NNNN_name.sql``.
Each applied file is recorded in ``schema_version``; a file runs in one
transaction together with its record, so a crash never leaves a migration
half-applied and marked done. The SQL itself is written with ``IF NOT EXISTS``
so re-running it against a hand-made schema is harmless too.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

from ingest.store.base import StoreError

# The SQLite stores import this module too; they should not pay for psycopg.
if TYPE_CHECKING:
    import psycopg

__all__ = [
    "PG_LOCK_KEY",
    "Dialect",
    "Migration",
    "MigrationError",
    "apply_postgres",
    "apply_sqlite",
    "load_migrations",
]

Dialect = Literal["postgres", "sqlite"]

_FILE_RE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# Any constant works; it keeps two processes from migrating one database at once.
# Advisory locks are per database, so other databases on the server never wait.
# ingest.store.postgres.schema holds it (session level) around the whole set-up.
PG_LOCK_KEY = 0x76656E7565  # "venue"


class MigrationError(StoreError):
    """A migration file is malformed or failed to apply."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations(dialect: Dialect) -> list[Migration]:
    """All migration files of a dialect, by version; gaps or duplicates are errors."""
    folder = resources.files("infra").joinpath("migrations", dialect)
    found: list[Migration] = []
    for entry in folder.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = _FILE_RE.match(entry.name)
        if match is None:
            raise MigrationError(f"bad migration file name {entry.name!r} (want NNNN_name.sql)")
        found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    expected = list(range(1, len(found) + 1))
    if [m.version for m in found] != expected:
        raise MigrationError(
            f"{dialect} migrations must be numbered 1..n without gaps: {[m.version for m in found]}"
        )
    return found


_PG_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    version    integer     PRIMARY KEY,
    name       text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""

_SQLITE_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)
"""


async def apply_postgres(conn: psycopg.AsyncConnection[Any]) -> list[int]:
    """Apply pending migrations; returns the versions applied now.

    ``conn`` must not be inside a transaction. Connection errors propagate as
    psycopg exceptions for the adapter to translate.
    """
    import psycopg

    applied_now: list[int] = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (PG_LOCK_KEY,))
        await conn.execute(_PG_VERSION_TABLE)
    for migration in load_migrations("postgres"):
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(%s)", (PG_LOCK_KEY,))
            cur = await conn.execute(
                "SELECT 1 FROM schema_version WHERE version = %s", (migration.version,)
            )
            if await cur.fetchone() is not None:
                continue
            try:
                # Migration files are trusted package data, not user input.
                await conn.execute(migration.sql.encode())
            except psycopg.errors.ProgrammingError as exc:
                raise MigrationError(
                    f"postgres migration {migration.version:04d}_{migration.name} failed: {exc}"
                ) from exc
            await conn.execute(
                "INSERT INTO schema_version (version, name) VALUES (%s, %s)",
                (migration.version, migration.name),
            )
            applied_now.append(migration.version)
    return applied_now


def apply_sqlite(conn: sqlite3.Connection) -> list[int]:
    """Apply pending migrations on a connection in autocommit mode."""
    conn.execute(_SQLITE_VERSION_TABLE)
    done = {row[0] for row in conn.execute("SELECT version FROM schema_version")}
    applied_now: list[int] = []
    for migration in load_migrations("sqlite"):
        if migration.version in done:
            continue
        script = (
            "BEGIN IMMEDIATE;\n"
            f"{migration.sql}\n;"
            f"INSERT OR IGNORE INTO schema_version (version, name) "
            f"VALUES ({migration.version}, '{migration.name}');\n"
            "COMMIT;"
        )
        try:
            conn.executescript(script)
        except sqlite3.DatabaseError as exc:
            if conn.in_transaction:
                conn.rollback()
            raise MigrationError(
                f"sqlite migration {migration.version:04d}_{migration.name} failed: {exc}"
            ) from exc
        applied_now.append(migration.version)
    return applied_now
