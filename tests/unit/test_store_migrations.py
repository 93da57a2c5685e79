"""Migrations: packaged files, applied once, recorded; store URLs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ingest.store import (
    MemoryStore,
    PostgresStore,
    SqliteStore,
    UnsupportedStoreURL,
    open_store,
)
from ingest.store.migrate import apply_sqlite, load_migrations


@pytest.mark.parametrize("dialect", ["postgres", "sqlite"])
def test_packaged_migrations_are_numbered_and_create_the_tables(dialect: str) -> None:
    migrations = load_migrations(dialect)  # type: ignore[arg-type]
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
    text = "\n".join(m.sql for m in migrations)
    for table in ("readings", "dead_letters"):
        assert f"CREATE TABLE IF NOT EXISTS {table} " in text


def test_sqlite_migrations_apply_once_and_are_recorded(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    first = apply_sqlite(conn)
    assert first == [m.version for m in load_migrations("sqlite")]
    assert apply_sqlite(conn) == []
    versions = [row[0] for row in conn.execute("SELECT version FROM schema_version")]
    assert versions == first
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"sensor_readings", "sensor_latest", "dead_letters", "schema_version"} <= tables
    # Migration 0007 keeps the old names readable, as views, for ad-hoc SQL.
    views = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='view'")}
    assert {"readings", "readings_latest"} <= views


def test_open_store_picks_the_adapter_from_the_url() -> None:
    assert isinstance(open_store("sqlite://:memory:"), SqliteStore)
    assert isinstance(open_store("sqlite:///tmp/readings.db"), SqliteStore)
    assert isinstance(open_store("postgresql://u@127.0.0.1:5432/db"), PostgresStore)
    assert isinstance(open_store("postgres://u@127.0.0.1/db"), PostgresStore)
    assert isinstance(open_store("memory://"), MemoryStore)
    with pytest.raises(UnsupportedStoreURL):
        open_store("mysql://x")
    with pytest.raises(UnsupportedStoreURL):
        open_store("readings.db")


async def test_sqlite_url_paths(tmp_path: Path) -> None:
    store = open_store(f"sqlite://{tmp_path}/sub/readings.db")
    await store.open()
    await store.close()
    assert (tmp_path / "sub" / "readings.db").exists()
