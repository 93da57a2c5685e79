"""Storage benchmark: write and query speed of the SQLite and PostgreSQL adapters.

Run from the repository root::

    python bench/store.py            # full run (a few minutes on 2 cores)
    python bench/store.py --quick    # smaller sizes (python -m bench.store works too)

The ``... -0004`` columns repeat the write figures with migration 0004's
(venue, ts, sensor) index dropped: the write cost of whole-venue range reads.

PostgreSQL is a throwaway cluster started like the test fixture (Debian's
binaries, loopback port) on PostgreSQL's durable defaults (fsync,
synchronous_commit and full_page_writes on), printed before the table.
Prints one table; medians of the repeats.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import psycopg

# Run by path (python bench/store.py), this folder would come first on sys.path
# and bench/ingest.py would shadow the `ingest` package; the repository root
# is needed for the shared PostgreSQL fixture in tests/.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from ingest.contract import Reading  # noqa: E402
from ingest.metrics import IngestMetrics  # noqa: E402
from ingest.store import BatchWriter, PostgresStore, SqliteStore, Store  # noqa: E402
from tests.fixtures.postgres import running_postgres  # noqa: E402

__all__ = ["main"]

T0 = 1_700_000_000.0
DAY_S = 86_400


class _Clock:
    """Hands out fresh, never-repeating timestamps so every write is new rows."""

    def __init__(self) -> None:
        self.next_ms = int(T0 * 1000)

    def batch(self, n: int, sensors: int = 1_000) -> list[Reading]:
        base = self.next_ms
        self.next_ms += n // sensors + 1
        return [
            Reading("bench", f"s{i % sensors:05d}", (base + i // sensors) / 1000, float(i))
            for i in range(n)
        ]


async def _median_s(fn: Callable[[], Awaitable[object]], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def _bench_writes(store: Store, sizes: list[int], repeats: int) -> dict[str, float]:
    clock = _Clock()
    out = {}
    for size in sizes:
        await store.write_readings(clock.batch(size))  # warm-up (plans, pages)
        times = []
        for _ in range(repeats):
            batch = clock.batch(size)
            started = time.perf_counter()
            await store.write_readings(batch)
            times.append(time.perf_counter() - started)
        out[f"write_readings {size:,}/batch (rows/s)"] = size / statistics.median(times)
    return out


async def _bench_queries(store: Store, sensors: int, repeats: int) -> dict[str, float]:
    # 10,000 sensors with some history each, then one sensor with a day at 1 Hz.
    for rep in range(3):
        await store.write_readings(
            [
                Reading("venue", f"s{i:05d}", T0 + rep * 60 + i / 1000, float(i))
                for i in range(sensors)
            ]
        )
    day = [Reading("venue", "day", T0 + s, float(s % 600)) for s in range(DAY_S)]
    for k in range(0, DAY_S, 20_000):
        await store.write_readings(day[k : k + 20_000])
    latest = await store.latest("venue")
    assert len(latest) == sensors + 1
    return {
        f"latest() {sensors:,} sensors (ms)": 1000
        * await _median_s(lambda: store.latest("venue"), repeats),
        "downsampled 1 day @1 Hz -> 60 s buckets (ms)": 1000
        * await _median_s(lambda: store.downsampled("venue", "day", T0, T0 + DAY_S, 60), repeats),
        "downsampled 1 day @1 Hz -> 1 h buckets (ms)": 1000
        * await _median_s(lambda: store.downsampled("venue", "day", T0, T0 + DAY_S, 3600), repeats),
        "raw 1 h of one sensor (ms)": 1000
        * await _median_s(lambda: store.raw("venue", "day", T0, T0 + 3600), repeats),
        **await _bench_venue_reads(store, max(3, repeats // 4)),
    }


async def _bench_venue_reads(store: Store, repeats: int) -> dict[str, float]:
    """Replay's reads: 1,000 sensors at 1 Hz for 10 min, read 5 min at a time."""
    sensors, span = 1_000, 600
    for k in range(0, span, 100):
        await store.write_readings(
            [
                Reading("replay", f"s{i:04d}", T0 + k + j, float(j))
                for j in range(100)
                for i in range(sensors)
            ]
        )

    async def window() -> int:
        n, lo, after = 0, T0 + 150, None
        while True:
            page = await store.range_all("replay", lo, T0 + 450, 50_000, after_sensor=after)
            n += len(page)
            if len(page) < 50_000:
                return n
            lo, after = page[-1].ts, page[-1].sensor

    assert await window() == 300 * sensors
    assert len(await store.latest_before("replay", T0 + 300)) == sensors
    return {
        "range_all 5 min x 1,000 sensors @1 Hz, 50k/page (ms)": 1000
        * await _median_s(window, repeats),
        "latest_before, 1,000 sensors, 5 min of history (ms)": 1000
        * await _median_s(lambda: store.latest_before("replay", T0 + 300), repeats),
    }


async def _bench_writer(store: Store, total: int, per_put: int) -> dict[str, float]:
    """Readings/s through BatchWriter (put -> batch -> commit -> ack), default settings."""
    clock = _Clock()
    writer = BatchWriter(store, IngestMetrics())
    puts = [clock.batch(per_put, sensors=per_put) for _ in range(total // per_put)]
    started = time.perf_counter()
    async with writer:
        for chunk in puts:
            await writer.put(chunk)
    elapsed = time.perf_counter() - started
    return {f"BatchWriter, {per_put} readings/put (readings/s)": total / elapsed}


_PARTS = ("writes", "writes -0004", "queries", "writer")


async def _run_store(
    name: str,
    make: Callable[[], tuple[Store, Callable[[], None]]],
    args: argparse.Namespace,
    table: dict[str, dict[str, float]],
) -> None:
    """``make`` returns a new store and a function that drops its 0004 index."""
    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]
    repeats = args.repeats
    for part in args.parts:
        store, drop_index = make()
        await store.open()
        try:
            if part == "writes -0004":
                drop_index()
                results = await _bench_writes(store, sizes, repeats)
            elif part == "writes":
                results = await _bench_writes(store, sizes, repeats)
            elif part == "queries":
                results = await _bench_queries(store, 10_000, 10 if args.quick else 20)
            else:
                results = await _bench_writer(store, 50_000 if args.quick else 200_000, 100)
        finally:
            await store.close()
        column = f"{name} -0004" if part == "writes -0004" else name
        for key, value in results.items():
            table.setdefault(key, {})[column] = value
        print(f"  {name}: {part} done", flush=True)


def _sqlite(folder: str, counter: Iterator[int]) -> tuple[Store, Callable[[], None]]:
    path = Path(folder) / f"bench{next(counter)}.db"

    def drop() -> None:
        with sqlite3.connect(path) as conn:
            # Migration 0007's successor of 0004's index on SQLite.
            conn.execute("DROP INDEX sensor_readings_vid_ts")

    return SqliteStore(path), drop


def _postgres(url: str) -> tuple[Store, Callable[[], None]]:
    def drop() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP INDEX readings_venue_ts")

    return PostgresStore(url), drop


def _print_table(table: dict[str, dict[str, float]], columns: list[str]) -> None:
    width = max(len(k) for k in table)
    print()
    print(f"{'measure':<{width}}  " + "  ".join(f"{c:>12}" for c in columns))
    print("-" * (width + 14 * len(columns)))
    for key, row in table.items():
        cells = []
        for c in columns:
            v = row.get(c)
            cells.append(
                f"{'-':>12}" if v is None else f"{v:>12,.1f}" if v < 1000 else f"{v:>12,.0f}"
            )
        print(f"{key:<{width}}  " + "  ".join(cells))


async def _main(args: argparse.Namespace) -> None:
    table: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="venue-twin-bench-") as tmp:
        counter = iter(range(1_000))
        await _run_store("sqlite", lambda: _sqlite(tmp, counter), args, table)
    if args.no_postgres:
        _print_table(table, ["sqlite", "sqlite -0004"])
        return
    with running_postgres(durable=not args.fast_postgres) as server:
        print(server.describe())
        urls = iter(server.create_database() for _ in range(4))
        await _run_store("postgresql", lambda: _postgres(next(urls)), args, table)
    _print_table(table, ["sqlite", "sqlite -0004", "postgresql", "postgresql -0004"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument(
        "--fast-postgres",
        action="store_true",
        help="PostgreSQL with fsync, synchronous_commit and full_page_writes off "
        "(the tests' fast mode, not crash-safe), for comparison only",
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--repeats", type=int, default=3, help="timed writes per batch size")
    parser.add_argument(
        "--parts",
        nargs="+",
        default=list(_PARTS),
        choices=_PARTS,
        help="what to measure (e.g. --parts writes 'writes -0004' for the index's write cost)",
    )
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
