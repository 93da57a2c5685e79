"""Archive import rate: logger CSV exports into a store through `venue-twin import`'s path.

Writes a synthetic archive (day-first dates, 2 channels, a preamble, 10-minute
logging, several exports that overlap) to a temporary folder, imports it and
prints the rate for parsing alone and for the whole import (parse + dedupe +
store, wall clock from the first byte read to the last transaction
committed). The import rate is in stored readings: one (sensor, time, value)
row of `readings`; a two-channel CSV line is two readings. CSV lines/s are
printed beside it.

    python bench/import_archive.py                       # SQLite in a temp file
    python bench/import_archive.py --rows 2000000 --files 4
    python bench/import_archive.py --store postgresql://user:pw@127.0.0.1:5432/db
    python bench/import_archive.py --postgres    # a throwaway durable PostgreSQL
    python bench/import_archive.py --writers 1   # one sensor at a time
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

# Run as a script, this folder comes first on sys.path and bench/ingest.py
# would shadow the `ingest` package.
_here = Path(__file__).resolve().parent
sys.path[:] = [str(_here.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _here]

from bench.bench_pg import bench_postgres, durability
from ingest.archive import ImportOptions, ReadOptions, import_archive
from ingest.archive.reader import read_file
from ingest.store import open_store
from venue_twin.commands_import import default_writers


def write_archive(folder: Path, rows: int, files: int) -> list[Path]:
    per = rows // files
    start = datetime(2020, 1, 1)
    step = timedelta(minutes=10)
    paths = []
    for f in range(files):
        p = folder / f"export-{f + 1}.csv"
        first = max(0, f * per - 50)  # each export repeats the previous one's last 50 rows
        with p.open("w", encoding="utf-8-sig", newline="") as out:
            out.write("Logger,Gallery 3 TH\nSerial,4471\nInterval,10 min\n\n")
            out.write("Date/Time,Temperature (°C),Humidity (%RH)\n")
            t = start + first * step
            for i in range(first, (f + 1) * per):
                out.write(f"{t:%d/%m/%Y %H:%M:%S},{19 + (i % 97) * 0.01:.2f},{45 + i % 11}\n")
                t += step
        paths.append(p)
    return paths


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = write_archive(folder, args.rows, args.files)
        size = sum(p.stat().st_size for p in paths)
        url = args.store or f"sqlite:///{folder / 'bench.sqlite3'}"
        args.writers = args.writers or default_writers(url)
        opts = ImportOptions(
            "bench", ReadOptions(tz="Europe/London"), sensor_prefix="g3-", writers=args.writers
        )
        t0, c0 = time.perf_counter(), time.process_time()
        parsed = sum(read_file(p, opts.read).rows for p in paths)
        t_parse, c_parse = time.perf_counter() - t0, time.process_time() - c0
        store = open_store(url)
        await store.open()
        try:
            t0, c0 = time.perf_counter(), time.process_time()
            # on_total comes once every file is read, joined and deduplicated:
            # from there on the time is the store's bulk path alone.
            mark: list[float] = []
            report = await import_archive(
                paths,
                store,
                opts,
                on_total=lambda _n: mark.extend((time.perf_counter(), time.process_time())),
            )
            t_all, c_all = time.perf_counter() - t0, time.process_time() - c0
            t_store, c_store = t0 + t_all - mark[0], c0 + c_all - mark[1]
        finally:
            await store.close()
    readings = report.rows_stored_new
    print(f"archive: {len(paths)} files, {parsed:,} CSV lines, {size / 1e6:.1f} MB, 2 channels")
    # CPU seconds of this process (all threads, SQLite's included; not the
    # server's) beside wall time: on a shared, overloaded machine the wall
    # figure mostly measures the others.
    print(
        f"parse only:   {parsed / t_parse:>10,.0f} lines/s wall  "
        f"{parsed / c_parse:>10,.0f} lines/CPU-s  ({t_parse:.2f} s wall, {c_parse:.2f} s CPU)"
    )
    print(
        f"whole import, {args.writers} writer(s): {readings / t_all:>10,.0f} readings/s wall  "
        f"({report.rows_read / t_all:,.0f} CSV lines/s; {t_all:.2f} s wall, "
        f"{c_all:.2f} s CPU in this process) into {url.split(':')[0]}"
    )
    print(
        f"  of which the store's bulk path: {readings / t_store:>10,.0f} readings/s wall  "
        f"{readings / c_store:>10,.0f} readings/CPU-s  ({t_store:.2f} s wall, {c_store:.2f} s CPU)"
    )
    print(f"stored {readings:,} readings, {report.duplicates:,} duplicates dropped")
    if url.startswith("postgres"):
        print(f"server: {durability(url)}")
    print(f"load average: {os.getloadavg()[0]:.2f}")


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--files", type=int, default=3)
    p.add_argument(
        "--writers",
        type=int,
        default=None,
        help="sensors written at once (default as the CLI: 2 on PostgreSQL, 1 on SQLite)",
    )
    p.add_argument("--store", help="store URL (default: a temporary SQLite file)")
    p.add_argument(
        "--postgres", action="store_true", help="start a throwaway durable PostgreSQL and use it"
    )
    args = p.parse_args()
    if args.postgres:
        with bench_postgres(durable=True) as pg:
            args.store = pg.create_database()
            asyncio.run(run(args))
    else:
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
