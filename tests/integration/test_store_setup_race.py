"""Several processes open one fresh database at the same moment (compose starts
``app`` and ``viewer`` together): every one of them comes up, and the schema
is set up exactly once.

On plain PostgreSQL the migrations are what races; against a TimescaleDB
server (``VENUE_TWIN_TEST_PG_URL``) also the extension, the hypertable, the
continuous aggregates and their policies.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from ingest.store import PostgresStore
from ingest.store.migrate import load_migrations
from ingest.store.postgres.schema import schema_lock

REPO = Path(__file__).resolve().parents[2]
PROCESSES = 4

_OPENER = """
import asyncio, sys, time
from ingest.contract import Reading
from ingest.store import PostgresStore

async def main(url: str, start_at: float, n: int) -> None:
    store = PostgresStore(url, connect_timeout_s=30)
    await asyncio.sleep(max(0.0, start_at - time.time()))
    await store.open()
    try:
        await store.write_readings([Reading("wing", f"p{n}", 1_700_000_000.0, float(n))])
        print("timescale" if store.timescale else "native")
    finally:
        await store.close()

asyncio.run(main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3])))
"""


def _query(url: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql.encode()).fetchall()


def test_processes_opening_a_fresh_database_together_all_succeed(pg_url: str) -> None:
    start_at = time.time() + 3.0  # every interpreter is up and waiting by then
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _OPENER, pg_url, str(start_at), str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n in range(PROCESSES)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    for p, (_out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, f"a process failed to open the store:\n{err[-3000:]}"
    paths = {out.strip() for out, _ in results}
    assert len(paths) == 1, f"processes disagree about the backend: {paths}"

    versions = _query(pg_url, "SELECT version, name FROM schema_version ORDER BY version")
    assert versions == [(m.version, m.name) for m in load_migrations("postgres")]
    stored = _query(pg_url, "SELECT sensor FROM readings ORDER BY sensor")
    assert stored == [(f"p{n}",) for n in range(PROCESSES)]
    if paths == {"timescale"}:
        jobs = _query(
            pg_url,
            "SELECT proc_name, count(*) FROM timescaledb_information.jobs "
            "WHERE hypertable_name IN ('readings', 'readings_1m', 'readings_1h') "
            "OR proc_name = 'policy_refresh_continuous_aggregate' GROUP BY proc_name",
        )
        counts = dict(jobs)  # type: ignore[arg-type]
        # One job per policy: before the lock, racing set-ups once made two.
        assert counts.pop("policy_refresh_continuous_aggregate") == 2, jobs
        assert "policy_retention" in counts and set(counts.values()) == {1}, jobs
        views = _query(
            pg_url,
            "SELECT view_name FROM timescaledb_information.continuous_aggregates ORDER BY 1",
        )
        assert views == [("readings_1h",), ("readings_1m",)]


async def test_the_set_up_waits_for_another_process_holding_the_schema_lock(
    pg_url: str,
) -> None:
    """A real server: while one session holds the schema lock (another process
    mid set-up), a store's open() waits for it instead of running DDL alongside."""
    holder = await psycopg.AsyncConnection.connect(pg_url, autocommit=True)
    try:
        async with schema_lock(holder):
            store = PostgresStore(pg_url, connect_timeout_s=10)
            opening = asyncio.create_task(store.open())
            await asyncio.sleep(1.5)
            assert not opening.done(), "open() ran its set-up while the lock was held"
            assert _query(pg_url, "SELECT to_regclass('schema_version')") == [(None,)]
        await asyncio.wait_for(opening, 30)
        await store.close()
    finally:
        await holder.close()
    versions = _query(pg_url, "SELECT count(*) FROM schema_version")
    assert versions == [(len(load_migrations("postgres")),)]
