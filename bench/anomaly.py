"""Per-sensor detector throughput and memory, for 10,000 sensors.

Usage: python bench/anomaly.py [--sensors 10000] [--rounds 30]

Builds one SensorDetector per sensor, feeds round-robin readings (noise plus
the odd spike, so the detection path runs too) and prints readings/s on one
core and the bytes each sensor's state holds (tracemalloc, after warm-up, so
the state is at its steady size; it does not grow with readings).
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from twin.analytics.anomaly import (  # noqa: E402
    ConsensusConfig,
    DetectorConfig,
    SensorDetector,
    ZoneConsensus,
)

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sensors", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--zone-size", type=int, default=8)
    args = parser.parse_args(argv)
    n, rounds = args.sensors, args.rounds
    rng = np.random.default_rng(1)
    values = 21.0 + rng.normal(0.0, 0.2, (rounds * 2, n))
    values[rng.random(values.shape) < 0.001] += 5.0

    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    detectors = [SensorDetector(DetectorConfig(sensor=f"s{i}", unit=" C")) for i in range(n)]
    for r in range(rounds):  # warm-up: past every detector's warm-up period
        row = values[r].tolist()
        for i, det in enumerate(detectors):
            det.update(r * 60.0, row[i])
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename"))
    print(f"memory: {grown / n:,.0f} bytes per sensor ({grown / 2**20:.1f} MiB for {n} sensors)")

    detections = 0
    started = time.perf_counter()
    for r in range(rounds, 2 * rounds):
        row = values[r].tolist()
        ts = r * 60.0
        for i, det in enumerate(detectors):
            detections += len(det.update(ts, row[i]))
    elapsed = time.perf_counter() - started
    total = n * rounds
    print(
        f"SensorDetector: {total:,} readings in {elapsed:.2f} s = {total / elapsed:,.0f} "
        f"readings/s on one core ({elapsed / total * 1e6:.1f} us each, {detections} detections)"
    )

    size = args.zone_size
    zones = [
        ZoneConsensus([f"s{i}" for i in range(z, z + size)], ConsensusConfig(zone=f"z{z}"))
        for z in range(0, n - n % size, size)
    ]
    started = time.perf_counter()
    count = 0
    for r in range(rounds):
        row = values[r].tolist()
        ts = r * 60.0
        for zone in zones:
            for k, sensor in enumerate(zone.sensors):
                zone.update(sensor, ts + k, row[int(sensor[1:])])
                count += 1
    elapsed = time.perf_counter() - started
    print(
        f"ZoneConsensus ({size} sensors per zone): {count / elapsed:,.0f} readings/s on one "
        f"core ({elapsed / count * 1e6:.1f} us each)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
