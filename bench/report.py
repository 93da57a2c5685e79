"""Report benchmark: a monthly report from a year of history at 100 sensors.

Run from the repository root::

    python bench/report.py              # a year at one reading per 5 min (10.5 M rows)
    python bench/report.py --quick      # 60 days at one per 15 min

Builds a SQLite store (once, cached in --data; delete it to rebuild) for
``large_venue(zones=20, sensors_per_zone=5)``: per room temperature, RH, CO2,
illuminance and a people count, plus the gate counters; daily and seasonal
cycles with noise. Then times the report of the last month (load from the
store, compute, render) as PDF and as HTML, twice each, and prints the figures
with the load average (the target is <= 30 s on the 2-core machine).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
import time
from pathlib import Path

import numpy as np

_HERE = Path(__file__).resolve().parent
sys.path[:] = [str(_HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _HERE]

from ingest.contract import Reading  # noqa: E402
from ingest.store import SqliteStore  # noqa: E402
from reports import load_report_data  # noqa: E402
from reports.build import build_report  # noqa: E402
from reports.html import write_html  # noqa: E402
from reports.render import write_pdf  # noqa: E402
from twin.samples.large_venue import large_venue  # noqa: E402
from twin.venue import SensorKind, Venue  # noqa: E402

DAY = 86_400.0
END = 1_798_761_600.0  # 2027-01-01 00:00 UTC


def _values(kind: SensorKind, ts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    day = 2 * np.pi * (ts % DAY) / DAY
    year = 2 * np.pi * (ts % (365 * DAY)) / (365 * DAY)
    noise = rng.normal(0.0, 1.0, ts.size)
    if kind is SensorKind.TEMPERATURE:
        return 20 + 2 * np.sin(year) + 0.8 * np.sin(day) + 0.1 * noise
    if kind is SensorKind.HUMIDITY:
        return 50 + 6 * np.sin(year + 1) + 2 * np.sin(day) + 0.5 * noise
    if kind is SensorKind.CO2:
        return 500 + 200 * np.clip(np.sin(day - 2), 0, None) + 10 * noise
    if kind is SensorKind.LUX:
        return np.where(np.sin(day - np.pi / 2) > 0, 150 + 5 * noise, 0.0)
    return np.clip(np.round(20 * np.clip(np.sin(day - 2), 0, None) + noise), 0, None)


async def build_store(path: Path, venue: Venue, days: int, step: float) -> int:
    store = SqliteStore(path)
    await store.open()
    rng = np.random.default_rng(1)
    ts = np.arange(END - days * DAY, END, step)
    rows = 0
    for s in venue.sensors:
        if s.kind is SensorKind.GATE_COUNTER:
            values = np.cumsum(rng.poisson(0.5, ts.size)).astype(float)
        else:
            values = _values(s.kind, ts, rng)
        batch = [
            Reading(venue.id, s.id, t, v) for t, v in zip(ts.tolist(), values.tolist(), strict=True)
        ]
        for i in range(0, len(batch), 100_000):
            rows += await store.write_readings(batch[i : i + 100_000])
    await store.close()
    return rows


async def time_report(path: Path, venue: Venue, fmt: str) -> tuple[float, float, float, int]:
    store = SqliteStore(path)
    await store.open()
    start = END - 31 * DAY
    t0 = time.perf_counter()
    data = await load_report_data(store, None, venue, start, END)
    t1 = time.perf_counter()
    report = build_report(data, "en")
    t2 = time.perf_counter()
    size = write_pdf(report, io.BytesIO()) if fmt == "pdf" else len(write_html(report))
    t3 = time.perf_counter()
    await store.close()
    return t1 - t0, t2 - t1, t3 - t2, size


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--data", type=Path, default=Path("/tmp/venue-twin-bench-report"))
    args = parser.parse_args()
    days, step = (60, 900.0) if args.quick else (365, 300.0)
    venue = large_venue(zones=20, sensors_per_zone=5)
    counted = [s for s in venue.sensors if s.kind is not SensorKind.GATE_COUNTER]
    args.data.mkdir(parents=True, exist_ok=True)
    path = args.data / f"history-{days}d-{int(step)}s.sqlite3"
    if not path.exists():
        t = time.perf_counter()
        rows = await build_store(path, venue, days, step)
        print(f"built {path}: {rows:,} rows in {time.perf_counter() - t:.0f} s")
    print(
        f"venue: {len(venue.zones)} zones, {len(counted)} sensors + "
        f"{len(venue.sensors) - len(counted)} gate counters; {days} days at one per {step:g} s"
    )
    print(f"{'format':<6} {'load s':>7} {'compute s':>10} {'render s':>9} {'total s':>8}  size")
    for fmt in ("pdf", "html", "pdf", "html"):
        load, compute, render, size = await time_report(path, venue, fmt)
        unit = "pages" if fmt == "pdf" else "bytes"
        total = load + compute + render
        print(f"{fmt:<6} {load:7.2f} {compute:10.2f} {render:9.2f} {total:8.2f}  {size:,} {unit}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    asyncio.run(main())
