"""Readings/s through the analytics service and memory per sensor, 440-sensor venue.

    python bench/analytics.py [--minutes 30] [--batch-s 10]
    python bench/analytics.py --venue grid --warm-days 4 --minutes 5 --soft-mode state

Simulates ``twin.samples.large_venue.large_venue()`` (40 zones x 10 sensors plus
gate counters), pre-generates the readings, then times only
``AnalyticsService.process`` (anomaly detection, zone consensus, occupancy,
conservation, rules) in 10 s batches (``--batch-s``: a replay at speed or a
backlog comes in longer ones), with alarm actions drained in between.
Memory per sensor is the traced allocation of building the venue's analytics
state divided by its sensors.

``--venue grid``: ``bench.crowd``'s 420-zone cost venue (800 doors, 1,600 gate
counters, 42 cameras, all at 1 Hz), fed Poisson crossings (a crossing every
20 s per counter) instead of the simulator. ``--warm-days``: days of the
same time window fed first (a reading every 10 s), so that the gate-counter
silence detector has learnt its shares and a silent counter carries
evidence (``silence_suspicion.py``). ``--soft-mode``: the config's
``suspect_silent_counters``. Per crowd step it also prints the time spent
asking for the silent and stopped counters and handing them to the tracker.
``--silence-latent on|off`` forces ``AnalyticsConfig.silence_latent``.

``--paired`` (grid venue): the latent's cost alone. Two services, latent on
and off, in one process get the same batches, each first in turn, with one
BLAS thread as the services run (``venue_twin/blas_threads.py``); it prints
each one's main-thread CPU time of ``process`` and of the crowd steps, so
others' load on a shared machine slows both alike and no BLAS thread's
busy-waiting is counted (docs/measurements/crowd-log.md, "The latent's
cost: only the seen ones as states").
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.crowd_cost import grid_venue
from bench.switches import add_switch, switch
from ingest.contract import Reading
from simulators.simulator import VenueSimulator
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.alarms import AlarmManager
from twin.live_analytics import AnalyticsConfig, AnalyticsService, VenueAnalytics
from twin.live_analytics.config import SilenceMode
from twin.samples.large_venue import large_venue
from twin.venue import SensorKind, Venue
from venue_twin.blas_threads import limit_blas_threads

T0 = 1_732_525_200.0  # 09:00 UTC, the start of a half-hour
_RATE = 0.05  # crossings per second per counter on the grid venue


def _grid_batches(
    venue: Venue, day: int, seconds: int, every: int, batch_s: float
) -> list[list[Reading]]:
    """Poisson crossings on every counter, a camera count every 10 s (staggered).

    Day ``day`` of the same window from ``T0``; counters go on from the day before.
    """
    rng = np.random.default_rng(day)
    start = T0 + day * 86400.0
    counters = [s.id for s in venue.sensors if s.kind is SensorKind.GATE_COUNTER]
    cams = [s.id for s in venue.sensors if s.kind is SensorKind.PEOPLE_COUNT]
    cum = np.full(len(counters), 1e5 * day)
    batches: list[list[Reading]] = [[]]
    for k in range(0, seconds, every):
        ts = start + k
        if batches[-1] and ts - batches[-1][0].ts >= batch_s:
            batches.append([])
        cum += rng.poisson(_RATE * every, len(cum))
        batches[-1] += [
            Reading(venue.id, s, ts, v) for s, v in zip(counters, cum.tolist(), strict=True)
        ]
        batches[-1] += [
            Reading(venue.id, s, ts, float(rng.poisson(10)))
            for j, s in enumerate(cams)
            if (k + j) % 10 == 0
        ]
    return batches


def _timed(
    fn: Callable[..., Any], spent: list[float], clock: Callable[[], float] = time.perf_counter
) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t = clock()
        try:
            return fn(*args, **kwargs)
        finally:
            spent.append(clock() - t)

    return wrapper


def _cpu_s() -> float:
    """This process's CPU time, user + system: on a shared machine wall time is others' too."""
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


async def paired(minutes: float, batch_s: float, soft: SilenceMode, warm_days: int) -> None:
    """Latent on and off side by side, batch by batch (see the module doc)."""
    limit_blas_threads()
    fast = grid_venue()
    fast = fast.model_copy(
        update={"sensors": [s.model_copy(update={"interval_s": 1.0}) for s in fast.sensors]}
    )
    seconds = int(minutes * 60)
    base = dataclasses.replace(AnalyticsConfig(), suspect_silent_counters=soft)
    services: dict[bool, AnalyticsService] = {}
    steps: dict[bool, list[float]] = {}
    for latent in (True, False):
        store = MemoryAlarmStore()
        await store.open()
        config = dataclasses.replace(base, silence_latent=latent)
        service = AnalyticsService([fast], AlarmManager(store, clock=lambda: T0), config=config)
        va = service.venues[fast.id]
        for day in range(warm_days):
            for batch in _grid_batches(fast, day, seconds, 10, 600.0):
                for r in batch:
                    va.anomalies.update(r.sensor, r.ts, r.value)
        steps[latent] = []
        va.crowd.advance = _timed(va.crowd.advance, steps[latent], time.thread_time)  # type: ignore[method-assign]
        services[latent] = service
    cpu = {True: 0.0, False: 0.0}
    for k, batch in enumerate(_grid_batches(fast, warm_days, seconds, 1, batch_s)):
        for latent in (k % 2 == 0, k % 2 == 1):
            c = time.thread_time()
            services[latent].process(batch)
            cpu[latent] += time.thread_time() - c
            await services[latent].drain()
    on, off = cpu[True], cpu[False]
    s_on, s_off = sum(steps[True]), sum(steps[False])
    print(
        f"paired, 1 BLAS thread, main-thread CPU: process on {on:.2f} / off {off:.2f} s "
        f"({on - off:+.2f} s, {100 * (on - off) / off:+.1f} %); crowd steps on {s_on:.3f} / "
        f"off {s_off:.3f} s ({s_on - s_off:+.3f} s), {len(steps[False])} calls each"
    )


async def main(
    minutes: float,
    batch_s: float,
    which: str,
    soft: SilenceMode,
    warm_days: int,
    latent: bool | None = None,
) -> None:
    venue = grid_venue() if which == "grid" else large_venue()
    n_sensors = len(venue.sensors)
    fast = venue.model_copy(
        update={"sensors": [s.model_copy(update={"interval_s": 1.0}) for s in venue.sensors]}
    )
    config = dataclasses.replace(AnalyticsConfig(), suspect_silent_counters=soft)
    if latent is not None:
        config = dataclasses.replace(config, silence_latent=latent)
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    state = VenueAnalytics(fast, config)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    size = sum(s.size_diff for s in after.compare_to(before, "filename"))
    del state

    seconds = int(minutes * 60)
    if which == "grid":
        batches = _grid_batches(fast, warm_days, seconds, 1, batch_s)
    else:
        sim = VenueSimulator(fast, seed=1, start=T0)
        batches = [sim.step(batch_s) for _ in range(int(seconds / batch_s))]
    total = sum(len(b) for b in batches)

    store = MemoryAlarmStore()
    await store.open()
    service = AnalyticsService([fast], AlarmManager(store, clock=lambda: T0), config=config)
    va = service.venues[fast.id]
    for day in range(warm_days):  # the detector's shares: same window, earlier days
        for batch in _grid_batches(fast, day, seconds, 10, 600.0):
            for r in batch:
                va.anomalies.update(r.sensor, r.ts, r.value)
    asked: list[float] = []
    handed: list[float] = []
    va.anomalies.silent_counters = _timed(va.anomalies.silent_counters, asked)  # type: ignore[method-assign]
    va.crowd.distrust = _timed(va.crowd.distrust, handed)  # type: ignore[method-assign]
    busy = cpu = 0.0
    for batch in batches:
        t, c = time.perf_counter(), _cpu_s()
        service.process(batch)
        busy += time.perf_counter() - t
        cpu += _cpu_s() - c
        await service.drain()
    zones = len(venue.zones)
    print(
        f"venue: {n_sensors} sensors at 1 Hz, {zones} zones, {minutes:g} simulated min, "
        f"soft mode {soft}, {warm_days} warm days, silence_latent {config.silence_latent}"
    )
    print(f"readings processed: {total:,} in {busy:.2f} s -> {total / busy:,.0f} readings/s")
    print(f"processing CPU time (user + sys): {cpu:.2f} s; process total {_cpu_s():.2f} s")
    print(f"headroom at 1 Hz: {total / busy / n_sensors:,.0f}x")
    print(f"analytics state: {size / 1024:,.0f} KiB -> {size / n_sensors:,.0f} bytes per sensor")
    print(f"alarms raised: {len(await store.alarms(limit=100_000))}")
    if handed:
        steps, ask, hand = len(handed), sum(asked), sum(handed)
        silent = len(va.anomalies.silent_counters()) if soft != "off" else 0
        print(
            f"crowd steps: {steps}; per step: silent_counters {1e3 * ask / steps:.2f} ms, "
            f"distrust {1e3 * hand / steps:.2f}"
            f" ms (silent counters with evidence at the end: {silent})"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--batch-s", type=float, default=10.0)
    parser.add_argument("--venue", choices=("large", "grid"), default="large")
    parser.add_argument("--soft-mode", choices=("off", "state", "band"), default="state")
    parser.add_argument("--warm-days", type=int, default=0, help="grid venue only")
    add_switch(parser, "--silence-latent", "AnalyticsConfig.silence_latent")
    parser.add_argument("--paired", action="store_true", help="the latent's cost alone (grid)")
    args = parser.parse_args()
    if args.paired:
        asyncio.run(paired(args.minutes, args.batch_s, args.soft_mode, args.warm_days))
        sys.exit()
    latent = switch(args.silence_latent)
    asyncio.run(
        main(args.minutes, args.batch_s, args.venue, args.soft_mode, args.warm_days, latent)
    )
