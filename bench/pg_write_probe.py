"""Where the PostgreSQL server's time goes on the batched write path.

    python -m bench.pg_write_probe                  # every variant, prints a table
    python -m bench.pg_write_probe --batches 100    # shorter

A steady stream of batches (``--batch`` readings each, over ``--sensors``
sensors, one new second per sensor as bench/ingest.py's publishers send
them) is written on a durable PostgreSQL (fsync, synchronous_commit and
full_page_writes on, read back with SHOW), one batch per transaction, one
connection. For each variant it prints the server backend's CPU per reading
(``/proc/<pg_backend_pid()>/stat``, user + system), the whole server's CPU per
reading (postmaster and every child: WAL writer, checkpointer, ...), WAL bytes
per reading (``pg_current_wal_lsn()`` before and after) and the wall time.

Variants: ``adapter`` is the shipped ``PostgresStore.write_readings`` on a
database its migrations made; the others are SQL written here on tables
created here, each with one part removed or changed, so its cost is the
difference from ``sql baseline`` (the adapter's statements on the same
tables as migration 0001 + 0004). A ``CHECKPOINT`` before each measured run
makes every variant pay its full-page images from the same starting point.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

_here = Path(__file__).resolve().parent
sys.path[:] = [str(_here.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _here]

from bench.bench_pg import bench_postgres, durability  # noqa: E402
from ingest.contract import Reading  # noqa: E402
from ingest.store import PostgresStore  # noqa: E402
from tests.fixtures.postgres import _children  # noqa: E402

VENUE = "bench"
_TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Variant:
    name: str
    adapter: bool = False  # the shipped PostgresStore on its own migrations
    keys: str = "text"  # "text": (venue, sensor) names; "int": int4 sensor id
    staging: str = "temp"  # "temp": COPY into a temp table + INSERT..SELECT; "unnest"; "direct"
    latest: str = "upsert"  # "upsert" per batch (DISTINCT ON) or "none"
    venue_ts: bool = True  # the (venue, ts, sensor) B-tree of migration 0004
    brin: bool = True
    latest_ff: int = 100  # readings_latest fillfactor
    on_conflict: bool = True  # INSERT ... ON CONFLICT DO NOTHING, or a plain INSERT


BASE = Variant("sql baseline")
VARIANTS = [
    Variant("adapter (shipped)", adapter=True),
    BASE,
    replace(BASE, name="no latest upsert", latest="none"),
    replace(BASE, name="no readings_venue_ts index", venue_ts=False),
    replace(BASE, name="no BRIN", brin=False),
    replace(BASE, name="latest fillfactor 50 (HOT)", latest_ff=50),
    replace(BASE, name="unnest arrays, no temp table", staging="unnest"),
    replace(BASE, name="direct COPY, no merge, no latest", staging="direct", latest="none"),
    replace(BASE, name="int4 sensor ids", keys="int"),
    replace(BASE, name="int ids, latest ff 50", keys="int", latest_ff=50),
    replace(BASE, name="int ids, unnest, latest ff 50", keys="int", staging="unnest", latest_ff=50),
    replace(BASE, name="int ids, no latest upsert", keys="int", latest="none"),
    replace(BASE, name="int ids, latest UPDATE ff 50", keys="int", latest="update", latest_ff=50),
    replace(BASE, name="int ids, latest UPDATE ff 100", keys="int", latest="update"),
    replace(BASE, name="int ids, ff 50, plain INSERT", keys="int", latest_ff=50, on_conflict=False),
    replace(
        BASE,
        name="int ids, direct COPY, client latest ff 50",
        keys="int",
        staging="direct",
        latest="client",
        latest_ff=50,
    ),
]


def _schema(v: Variant) -> list[str]:
    if v.keys == "text":
        key, key_ddl = (
            "venue, sensor",
            'venue text COLLATE "C" NOT NULL, sensor text COLLATE "C" NOT NULL',
        )
        lkey = "venue, sensor"
        vts = "(venue, ts, sensor)"
    else:
        key, key_ddl = "sid", "sid int4 NOT NULL, vid int4 NOT NULL"
        lkey = "sid"
        vts = "(vid, ts, sid)"
    out = [
        f"CREATE TABLE readings ({key_ddl}, ts timestamptz NOT NULL, value float8 NOT NULL, "
        f"quality int2 NOT NULL DEFAULT 0, PRIMARY KEY ({key}, ts))",
        f"CREATE TABLE readings_latest ({key_ddl}, ts timestamptz NOT NULL, "
        f"value float8 NOT NULL, quality int2 NOT NULL DEFAULT 0, PRIMARY KEY ({lkey})) "
        f"WITH (fillfactor = {v.latest_ff})",
    ]
    if v.brin:
        out.append("CREATE INDEX ON readings USING brin (ts)")
    if v.venue_ts:
        out.append(f"CREATE INDEX ON readings {vts}")
    cols = "venue text, sensor text" if v.keys == "text" else "sid int4, vid int4"
    out.append(
        f"CREATE TEMP TABLE staging ({cols}, ts_ms int8, value float8, quality int2) "
        "ON COMMIT DELETE ROWS"
    )
    return out


def _merge(v: Variant) -> str:
    cols = "venue, sensor" if v.keys == "text" else "sid, vid"
    src = (
        "staging"
        if v.staging == "temp"
        else (
            "unnest(%s::text[], %s::text[], %s::int8[], %s::float8[], %s::int2[]) "
            "AS u(venue, sensor, ts_ms, value, quality)"
            if v.keys == "text"
            else "unnest(%s::int4[], %s::int4[], %s::int8[], %s::float8[], %s::int2[]) "
            "AS u(sid, vid, ts_ms, value, quality)"
        )
    )
    insert = (
        f"INSERT INTO readings ({cols}, ts, value, quality) "
        f"SELECT {cols}, to_timestamp(ts_ms / 1000.0), value, quality FROM {src}"
        + (" ON CONFLICT DO NOTHING" if v.on_conflict else "")
    )
    if v.latest == "none":
        return insert
    if v.latest == "update":  # latest rows made when the sensor is registered: no upsert
        return (
            f"WITH ins AS ({insert} RETURNING sid, ts, value, quality), "
            "n AS (SELECT DISTINCT ON (sid) sid, ts, value, quality FROM ins "
            "ORDER BY sid, ts DESC), "
            "up AS (UPDATE readings_latest AS l SET ts = n.ts, value = n.value, "
            "quality = n.quality FROM n WHERE l.sid = n.sid AND n.ts > l.ts) "
            "SELECT count(*), min(ts), max(ts) FROM ins"
        )
    lkey = "venue, sensor" if v.keys == "text" else "sid"
    return (
        f"WITH ins AS ({insert} RETURNING {cols}, ts, value, quality), "
        f"newest AS (INSERT INTO readings_latest AS l ({cols}, ts, value, quality) "
        f"SELECT DISTINCT ON ({lkey}) {cols}, ts, value, quality FROM ins "
        f"ORDER BY {lkey}, ts DESC ON CONFLICT ({lkey}) DO UPDATE "
        "SET ts = EXCLUDED.ts, value = EXCLUDED.value, quality = EXCLUDED.quality "
        "WHERE EXCLUDED.ts > l.ts) "
        "SELECT count(*), min(ts), max(ts) FROM ins"
    )


def _batch(k0: int, n: int, sensors: int, t0_ms: int) -> list[tuple[int, int]]:
    """(sensor index, ts ms) of readings k0..k0+n: as bench/ingest_pub.py numbers them."""
    return [(k % sensors, t0_ms + 1000 * (k // sensors)) for k in range(k0, k0 + n)]


class _Writer:
    """One variant's writes on its own connection."""

    def __init__(self, conn: psycopg.AsyncConnection[Any], v: Variant) -> None:
        self.conn, self.v, self.sql = conn, v, _merge(v)

    async def write(self, batch: list[tuple[int, int]]) -> None:
        v = self.v
        async with self.conn.transaction():
            cur = self.conn.cursor()
            if v.staging == "direct":
                cols = "venue, sensor" if v.keys == "text" else "sid, vid"
                types = ["text", "text"] if v.keys == "text" else ["int4", "int4"]
                async with cur.copy(
                    f"COPY readings ({cols}, ts, value, quality) FROM STDIN (FORMAT BINARY)"
                ) as copy:
                    copy.set_types([*types, "timestamptz", "float8", "int2"])
                    for s, ms in batch:
                        key = (VENUE, f"s{s}") if v.keys == "text" else (s + 1, 1)
                        await copy.write_row((*key, datetime.fromtimestamp(ms / 1000, UTC), 1.0, 0))
                return
            if v.staging == "temp":
                cols = "venue, sensor" if v.keys == "text" else "sid, vid"
                types = ["text", "text"] if v.keys == "text" else ["int4", "int4"]
                async with cur.copy(
                    f"COPY staging ({cols}, ts_ms, value, quality) FROM STDIN (FORMAT BINARY)"
                ) as copy:
                    copy.set_types([*types, "int8", "float8", "int2"])
                    for s, ms in batch:
                        key = (VENUE, f"s{s}") if v.keys == "text" else (s + 1, 1)
                        await copy.write_row((*key, ms, 1.0, 0))
                await cur.execute(self.sql.encode())
                return
            if v.keys == "text":
                a: list[Any] = [VENUE] * len(batch)
                b: list[Any] = [f"s{s}" for s, _ in batch]
            else:
                a, b = [s + 1 for s, _ in batch], [1] * len(batch)
            params = (a, b, [ms for _, ms in batch], [1.0] * len(batch), [0] * len(batch))
            await cur.execute(self.sql.encode(), params, binary=True)


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime


def _server_cpu_s(postmaster: int) -> float:
    total = 0.0
    for pid in [postmaster, *_children(postmaster)]:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):  # it ended meanwhile
            total += _cpu_s(pid)
    return total


async def _lsn(mon: psycopg.AsyncConnection[Any]) -> str:
    row = await (await mon.execute("SELECT pg_current_wal_lsn()::text")).fetchone()
    assert row is not None
    return str(row[0])


async def run_variant(
    v: Variant, url: str, postmaster: int, sensors: int, batch: int, warm: int, batches: int
) -> dict[str, float]:
    t0_ms = 1_700_000_000_000
    mon = await psycopg.AsyncConnection.connect(url, autocommit=True)
    store: PostgresStore | None = None
    conn: psycopg.AsyncConnection[Any] | None = None
    try:
        if v.adapter:
            store = PostgresStore(url, min_connections=1, max_connections=1)
            await store.open()

            async def write(b: list[tuple[int, int]]) -> None:
                assert store is not None
                await store.write_readings([Reading(VENUE, f"s{s}", ms / 1000, 1.0) for s, ms in b])

            await write(_batch(0, 1, sensors, t0_ms))
            row = await (
                await mon.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
                )
            ).fetchall()
            (backend,) = (int(r[0]) for r in row)
            k = 1
        else:
            conn = await psycopg.AsyncConnection.connect(url, autocommit=True)
            for stmt in _schema(v):
                await conn.execute(stmt.encode())
            if v.keys == "int":
                # What a store does once per new sensor: not part of the per-batch cost.
                await conn.execute(
                    "CREATE TABLE sensors (sid int4 PRIMARY KEY, vid int4, sensor text)"
                )
                if v.latest == "update":
                    await conn.execute(
                        "INSERT INTO readings_latest (sid, vid, ts, value, quality) "
                        "SELECT g, 1, '-infinity', 0, 0 FROM generate_series(1, %s) AS g",
                        (sensors,),
                    )
            await conn.set_autocommit(False)
            w = _Writer(conn, v)
            write = w.write
            row1 = await (await conn.execute("SELECT pg_backend_pid()")).fetchone()
            await conn.commit()
            assert row1 is not None
            backend = int(row1[0])
            k = 0
        for _ in range(warm):
            await write(_batch(k, batch, sensors, t0_ms))
            k += batch
        await mon.execute("CHECKPOINT")
        lsn0, cpu0, all0 = await _lsn(mon), _cpu_s(backend), _server_cpu_s(postmaster)
        start = time.perf_counter()
        for _ in range(batches):
            await write(_batch(k, batch, sensors, t0_ms))
            k += batch
        wall = time.perf_counter() - start
        cpu, all_cpu = _cpu_s(backend) - cpu0, _server_cpu_s(postmaster) - all0
        row2 = await (
            await mon.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)", (lsn0,))
        ).fetchone()
        assert row2 is not None
        wal = float(row2[0])
        n = batches * batch
        return {
            "backend_us": 1e6 * cpu / n,
            "server_us": 1e6 * all_cpu / n,
            "wal_b": wal / n,
            "wall_us": 1e6 * wall / n,
        }
    finally:
        if store is not None:
            await store.close()
        if conn is not None:
            await conn.close()
        await mon.close()


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sensors", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=5_040, help="readings per transaction")
    ap.add_argument("--warm", type=int, default=40, help="batches before measuring")
    ap.add_argument("--batches", type=int, default=200, help="measured batches")
    ap.add_argument("--only", help="run only variants whose name contains this")
    ap.add_argument("--fast", action="store_true", help="the test fixture's non-durable settings")
    args = ap.parse_args()
    todo = [v for v in VARIANTS if not args.only or args.only in v.name]
    rows = []
    with bench_postgres(durable=not args.fast) as pg:
        settings = durability(pg.url)
        for v in todo:
            url = pg.create_database()
            r = asyncio.run(
                run_variant(
                    v,
                    url,
                    pg.postmaster_pid(),
                    args.sensors,
                    args.batch,
                    args.warm,
                    args.batches,
                )
            )
            rows.append((v.name, r))
            print(f"  {v.name}: done (load {os.getloadavg()[0]:.2f})", file=sys.stderr)
            pg.drop_database(url.rsplit("/", 1)[1])
    print(f"\n{'variant':38} {'backend µs':>10} {'server µs':>9} {'WAL B':>7} {'wall µs':>8}")
    print(f"{'':38} {'/reading':>10} {'/reading':>9} {'/reading':>7} {'/reading':>8}")
    for name, r in rows:
        print(
            f"{name:38} {r['backend_us']:>10.2f} {r['server_us']:>9.2f} {r['wal_b']:>7.0f}"
            f" {r['wall_us']:>8.2f}"
        )
    print(
        f"\n{settings}; {args.batches} batches of {args.batch:,} readings over "
        f"{args.sensors:,} sensors after {args.warm} warm-up batches, one connection"
    )
    print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
