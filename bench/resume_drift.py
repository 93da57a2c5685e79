"""What resuming the drift check costs ``serve`` at start-up, per store.

Run from the repository root::

    python bench/resume_drift.py [--days 14] [--interval 60]

``serve`` feeds each venue's drift check the store's hourly means of its
thermometers and hygrometers over the last two weeks before it takes
readings (``venue_twin.store_startup.resume_drift``). This writes museum-wing's
ten of them, ``--days`` of readings every ``--interval`` seconds, into
SQLite and into a throwaway PostgreSQL (Debian's binaries, loopback port, on
its durable defaults; printed), and times ``resume_drift`` on each: plain
PostgreSQL and SQLite read the raw rows (TimescaleDB reads its hourly
continuous aggregate instead). Per sensor, so a venue's figure is that times
its thermometers and hygrometers.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from bench.bench_pg import bench_postgres, durability  # noqa: E402
from ingest.contract import Reading  # noqa: E402
from ingest.store import PostgresStore, SqliteStore, Store  # noqa: E402
from twin.alarm_stores.memory import MemoryAlarmStore  # noqa: E402
from twin.alarms import AlarmManager  # noqa: E402
from twin.live_analytics import AnalyticsService  # noqa: E402
from twin.loader import load_sample  # noqa: E402
from venue_twin.store_startup import resume_drift  # noqa: E402

__all__ = ["main"]

T0 = 1_732_438_800.0  # an hour's start
_BATCH = 20_000


async def _fill(store: Store, sensors: list[str], days: float, interval: float) -> int:
    """Every sensor every ``interval`` s for ``days``: a daily cycle; rows written."""
    batch: list[Reading] = []
    written = 0
    for k in range(int(days * 86400 / interval)):
        ts = T0 + k * interval
        cycle = math.sin(2 * math.pi * (ts % 86400) / 86400)
        for n, s in enumerate(sensors):
            batch.append(Reading("museum-wing", s, ts, round(20.0 + 0.1 * n + cycle, 2)))
        if len(batch) >= _BATCH:
            written += await store.write_readings(batch)
            batch = []
    if batch:
        written += await store.write_readings(batch)
    return written


async def _timed(store: Store, days: float, interval: float) -> tuple[int, int, float]:
    venue = load_sample("museum-wing")
    alarm_store = MemoryAlarmStore()
    await alarm_store.open()
    service = AnalyticsService([venue], AlarmManager(alarm_store))
    sensors = list(service.venues[venue.id].anomalies.drift_sensors)
    rows = await _fill(store, sensors, days, interval)
    started = time.perf_counter()
    hours = await resume_drift(service, [venue], store, T0 + days * 86400)
    return rows, hours, time.perf_counter() - started


def _line(name: str, sensors: int, rows: int, hours: int, seconds: float) -> str:
    return (
        f"{name:<12} {rows:>10} rows  {hours:>5} hours fed  {seconds:6.2f} s  "
        f"{1000 * seconds / sensors:7.1f} ms per sensor"
    )


async def _run(days: float, interval: float) -> None:
    sensors = 10
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = SqliteStore(str(Path(tmp) / "bench.db"))
        await sqlite.open()
        try:
            print(_line("sqlite", sensors, *await _timed(sqlite, days, interval)))
        finally:
            await sqlite.close()
    with bench_postgres(durable=True) as server:
        print(f"postgresql: {durability(server.url)}")
        pg = PostgresStore(server.url)
        await pg.open()
        try:
            print(_line("postgresql", sensors, *await _timed(pg, days, interval)))
        finally:
            await pg.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=14.0, help="days of stored readings")
    parser.add_argument("--interval", type=float, default=60.0, help="seconds between readings")
    args = parser.parse_args(argv)
    print(
        f"museum-wing's 10 thermometers and hygrometers, {args.days:g} days every "
        f"{args.interval:g} s; resume_drift's wall time"
    )
    asyncio.run(_run(args.days, args.interval))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
