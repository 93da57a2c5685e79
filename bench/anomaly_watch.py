"""Per-reading cost and state of the live detector of a whole venue (AnomalyWatch).

Usage: python bench/anomaly_watch.py [--days 3] [--rounds 2] [--covariate on|off]
                                     [--excursion-gaps on|off] [--early-distrust on|off]
                                     [--excursion-scale on|off]

Feeds the museum-wing sample venue's climate sensors (15: a thermometer, a
hygrometer and a CO2 sensor in each of 5 zones) synthetic 10 s readings for
``--days`` days (a shared daily cycle, a per-room offset, sensor noise), so
the hourly neighbour-drift judgement runs as often as in service. Prints
microseconds per ``AnomalyWatch.update`` (best of ``--rounds``) and the
bytes of state per sensor (tracemalloc, after the run: it does not grow with
readings).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from bench.drift_options import add_switch_options, with_switches  # noqa: E402
from twin.analytics.anomaly.drift_trend import DriftTrendConfig  # noqa: E402
from twin.analytics.anomaly.neighbour_drift import DriftConfig  # noqa: E402
from twin.live_analytics.anomalies import AnomalyWatch  # noqa: E402
from twin.loader import load_sample  # noqa: E402

__all__ = ["main"]

T0 = 1_732_438_800.0
_BASE = {"temperature": (20.0, 0.5, 0.05, 0.01), "humidity": (50.0, 3.0, 0.4, 0.1)}
_CO2 = (600.0, 200.0, 11.0, 1.0)


def _readings(days: float, seed: int = 0) -> list[tuple[str, float, float]]:
    venue = load_sample("museum-wing")
    sensors = [s for s in venue.sensors if s.kind.value in ("temperature", "humidity", "co2")]
    rng = np.random.default_rng(seed)
    out: list[tuple[str, float, float]] = []
    offsets = rng.normal(0.0, 1.0, len(sensors))
    for k in range(int(days * 86400 / 10)):
        ts = T0 + 10.0 * k
        phase = math.sin(2 * math.pi * (ts % 86400) / 86400)
        for s, off in zip(sensors, offsets, strict=True):
            level, amp, noise, res = _BASE.get(s.kind.value, _CO2)
            v = level + off * noise * 4 + amp * phase + float(rng.normal(0.0, noise))
            out.append((s.id, ts, round(v / res) * res))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--covariate",
        choices=("on", "off"),
        default="off",
        help="the drift slow path's CO2 covariate (DriftTrendConfig.covariate; default off)",
    )
    add_switch_options(parser)
    args = parser.parse_args(argv)
    drift = DriftConfig(trend=DriftTrendConfig(covariate=args.covariate == "on"))
    drift = with_switches(args, drift)
    readings = _readings(args.days)
    venue = load_sample("museum-wing")
    best = math.inf
    for _ in range(args.rounds):
        watch = AnomalyWatch(venue, active_s=900.0, drift_config=drift)
        started = time.perf_counter()
        for sensor, ts, value in readings:
            watch.update(sensor, ts, value)
        best = min(best, time.perf_counter() - started)
    print(f"{len(readings)} readings of 15 sensors over {args.days:g} days")
    print(f"AnomalyWatch.update: {1e6 * best / len(readings):.1f} us per reading (best of runs)")
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    watch = AnomalyWatch(venue, active_s=900.0, drift_config=drift)
    for sensor, ts, value in readings:
        watch.update(sensor, ts, value)
    after = tracemalloc.take_snapshot()
    size = sum(st.size_diff for st in after.compare_to(before, "filename"))
    n = len(venue.sensors)
    print(f"state: {size} bytes for {n} sensors of the venue, {size / n:.0f} bytes per sensor")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
