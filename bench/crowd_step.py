"""CPU per crowd step against venue size, and what BLAS threads cost.

    python bench/crowd_step.py                      # 105, 210, 420, 840 zones
    python bench/crowd_step.py --zones 420 1680 --blas-threads 2

Builds ``large_venue(zones, 10)`` (10 sensors a zone: a camera among them,
plus two gate counters per door), feeds every counter and camera one reading
per step and times ``advance`` (one ``crowd_step_s`` step) in CPU seconds of
the whole process, so BLAS worker threads' busy-waiting is counted.
``--blas-threads 0`` leaves the library default (one thread per core).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from threadpoolctl import threadpool_limits

from twin.live_analytics.config import AnalyticsConfig
from twin.live_analytics.venue_analytics import VenueAnalytics
from twin.samples.large_venue import large_venue
from twin.venue import SensorKind

T0 = 1_732_525_200.0


def step_cost(zones: int, steps: int) -> tuple[int, float, float]:
    """(sensors, build CPU s, CPU ms per step) of the venue's crowd tracker."""
    venue = large_venue(zones, 10)
    cfg = AnalyticsConfig()
    t0 = time.process_time()
    crowd = VenueAnalytics(venue, cfg).crowd
    build = time.process_time() - t0
    counters = [s.id for s in venue.sensors if s.kind is SensorKind.GATE_COUNTER]
    cameras = [s.id for s in venue.sensors if s.kind is SensorKind.PEOPLE_COUNT]
    rng = np.random.default_rng(0)
    totals = dict.fromkeys(counters, 0.0)
    ts, cpu = T0, 0.0
    for k in range(steps + 1):
        for c in counters:
            totals[c] += float(rng.poisson(1.0))
            crowd.update(c, ts, totals[c])
        for c in cameras:
            crowd.update(c, ts, float(rng.poisson(5.0)))
        ts += cfg.crowd_step_s
        t0 = time.process_time()
        crowd.advance(ts)
        if k:  # the first step also pays for lazy set-up
            cpu += time.process_time() - t0
    return len(venue.sensors), build, 1000.0 * cpu / steps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--zones", type=int, nargs="+", default=[105, 210, 420, 840])
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--blas-threads", type=int, default=1, help="0: the library default")
    args = ap.parse_args()
    if args.blas_threads > 0:
        threadpool_limits(limits=args.blas_threads, user_api="blas")
    step_s = AnalyticsConfig().crowd_step_s
    print(f"BLAS threads: {args.blas_threads or 'default'}; crowd step {step_s:g} s")
    print(f"{'zones':>6} {'sensors':>8} {'build s':>8} {'CPU ms/step':>12} {'core share':>11}")
    for z in args.zones:
        n, build, ms = step_cost(z, args.steps)
        print(f"{z:>6} {n:>8,} {build:>8.2f} {ms:>12.0f} {ms / 1000 / step_s:>11.3f}", flush=True)
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
