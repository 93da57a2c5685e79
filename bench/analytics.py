"""Readings/s through the analytics service and memory per sensor, 440-sensor venue.

    python bench/analytics.py [--minutes 30] [--batch-s 10]

Simulates ``twin.samples.large_venue.large_venue()`` (40 zones x 10 sensors plus
gate counters), pre-generates the readings, then times only
``AnalyticsService.process`` (anomaly detection, zone consensus, occupancy,
conservation, rules) in 10 s batches (``--batch-s``: a replay at speed or a
backlog comes in longer ones), with alarm actions drained in between.
Memory per sensor is the traced allocation of building the venue's analytics
state divided by its sensors.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.contract import Reading
from simulators.simulator import VenueSimulator
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarms import AlarmManager
from twin.live_analytics import AnalyticsService, VenueAnalytics
from twin.samples.large_venue import large_venue

T0 = 1_732_525_200.0


async def main(minutes: float, batch_s: float) -> None:
    venue = large_venue()
    n_sensors = len(venue.sensors)
    fast = venue.model_copy(
        update={"sensors": [s.model_copy(update={"interval_s": 1.0}) for s in venue.sensors]}
    )
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    state = VenueAnalytics(fast)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    size = sum(s.size_diff for s in after.compare_to(before, "filename"))
    del state

    sim = VenueSimulator(fast, seed=1, start=T0)
    n = int(minutes * 60 / batch_s)
    batches: list[list[Reading]] = [sim.step(batch_s) for _ in range(n)]
    total = sum(len(b) for b in batches)

    store = MemoryAlarmStore()
    await store.open()
    service = AnalyticsService([fast], AlarmManager(store, clock=lambda: T0))
    busy = 0.0
    for batch in batches:
        t = time.perf_counter()
        service.process(batch)
        busy += time.perf_counter() - t
        await service.drain()
    zones = len(venue.zones)
    print(f"venue: {n_sensors} sensors at 1 Hz, {zones} zones, {minutes:g} simulated min")
    print(f"readings processed: {total:,} in {busy:.2f} s -> {total / busy:,.0f} readings/s")
    print(f"headroom at 1 Hz: {total / busy / n_sensors:,.0f}x")
    print(f"analytics state: {size / 1024:,.0f} KiB -> {size / n_sensors:,.0f} bytes per sensor")
    print(f"alarms raised: {len(await store.alarms(limit=100_000))}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--batch-s", type=float, default=10.0)
    args = parser.parse_args()
    asyncio.run(main(args.minutes, args.batch_s))
