"""SQLite insert cost per reading: text keys against integer sensor ids, one
row per statement against 100.

The measurement behind migration 0007 (docs/import.md, docs/storage.md): two
sensors of 1,000,000 readings each into a fresh database file (WAL,
synchronous=NORMAL, 64 MiB page cache, 200,000-row transactions), the way the
archive import's bulk path writes them, with each schema's covering time
index. Prints readings per CPU-second (this process, SQLite included) and
per wall second, and the file size.

    python bench/sqlite_schema.py            # all four variants
    python bench/sqlite_schema.py --rows 200000
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import time
from itertools import repeat
from pathlib import Path

import numpy as np

TEXT_KEYS = """
CREATE TABLE readings (venue TEXT NOT NULL, sensor TEXT NOT NULL, ts INTEGER NOT NULL,
    value REAL NOT NULL, quality INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (venue, sensor, ts)) WITHOUT ROWID;
CREATE INDEX readings_venue_ts ON readings (venue, ts, sensor, value, quality);
"""
INTEGER_IDS = """
CREATE TABLE sensor_readings (sid INTEGER NOT NULL, ts INTEGER NOT NULL, vid INTEGER NOT NULL,
    value REAL NOT NULL, quality INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sid, ts)) WITHOUT ROWID;
CREATE INDEX sensor_readings_vid_ts ON sensor_readings (vid, ts, sid, value, quality);
"""
BATCH = 200_000


def _insert(kind: str, rows: int) -> str:
    table, cols = (
        ("readings", "venue, sensor") if kind == "text" else ("sensor_readings", "sid, vid")
    )
    if rows == 1:
        return f"INSERT OR IGNORE INTO {table} ({cols}, ts, value, quality) VALUES (?, ?, ?, ?, 0)"
    values = ",".join(f"(?{3 + 2 * j},?{4 + 2 * j})" for j in range(rows))
    return (
        f"INSERT OR IGNORE INTO {table} ({cols}, ts, value, quality) "
        f"SELECT ?1, ?2, column1, column2, 0 FROM (VALUES {values})"
    )


def run(kind: str, per_statement: int, n: int, folder: Path) -> None:
    path = folder / f"{kind}-{per_statement}.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(TEXT_KEYS if kind == "text" else INTEGER_IDS)
    conn.execute("PRAGMA cache_size=-65536")
    sql = _insert(kind, per_statement)
    t0, c0 = time.perf_counter(), time.process_time()
    for k in range(2):
        ids: tuple[object, object] = ("bench", f"g3-channel-{k}") if kind == "text" else (k + 1, 1)
        ts = 1_577_836_800_000 + np.arange(n, dtype=np.int64) * 600_000
        vals = 19 + (np.arange(n) % 97) * 0.01 + k
        for i in range(0, n - n % per_statement, BATCH):
            t, v = ts[i : i + BATCH], vals[i : i + BATCH]
            conn.execute("BEGIN IMMEDIATE")
            if per_statement == 1:
                conn.executemany(sql, zip(repeat(ids[0]), repeat(ids[1]), t.tolist(), v.tolist()))
            else:
                grid = np.empty((len(t) // per_statement, 2 + 2 * per_statement), dtype=object)
                grid[:, 0], grid[:, 1] = ids
                grid[:, 2::2] = t[: grid.shape[0] * per_statement].reshape(grid.shape[0], -1)
                grid[:, 3::2] = v[: grid.shape[0] * per_statement].reshape(grid.shape[0], -1)
                conn.executemany(sql, grid.tolist())
            conn.execute("COMMIT")
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    table = "readings" if kind == "text" else "sensor_readings"
    (stored,) = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    name = "text keys" if kind == "text" else "integer ids"
    print(
        f"{name:<12} {per_statement:>3} row(s)/statement: "
        f"{stored / cpu:>10,.0f} readings/CPU-s {stored / wall:>10,.0f} readings/s wall  "
        f"({stored:,} stored, file {os.path.getsize(path) / 1e6:.0f} MB)"
    )


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--rows", type=int, default=1_000_000, help="readings per sensor (2 sensors)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("text", "integer"):
            for per_statement in (1, 100):
                run(kind, per_statement, args.rows, Path(tmp))
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
