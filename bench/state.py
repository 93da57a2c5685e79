"""Cost of a live-state update: readings/s through LiveState and the TwinService.

    python bench/state.py

Uses the large sample venue (440 sensors, 40 zones) and a 4,400-sensor
variant; each reading changes one sensor (and so its zone's aggregate).
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np

from ingest.contract import Reading
from twin.samples.large_venue import large_venue
from twin.service import TwinService
from twin.state import LiveState


def run(
    zones: int, per_zone: int, batch: int, rounds: int
) -> tuple[int, float, float, float, float]:
    venue = large_venue(zones=zones, sensors_per_zone=per_zone)
    ids = [s.id for s in venue.sensors]
    rng = np.random.default_rng(0)
    tracemalloc.start()
    state = LiveState(venue)
    state_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    batches = []
    t0 = 1_750_000_000.0
    for r in range(rounds):
        pick = rng.integers(0, len(ids), batch)
        vals = rng.normal(21.0, 1.0, batch)
        pairs = enumerate(zip(pick, vals, strict=True))
        batches.append(
            [Reading(venue.id, ids[i], t0 + r + k * 1e-4, float(v)) for k, (i, v) in pairs]
        )
    start = time.perf_counter()
    for b in batches:
        state.apply(b)
    direct = batch * rounds / (time.perf_counter() - start)

    twin = TwinService([venue])
    seen = [0]
    twin.add_listener(lambda _v, ch: seen.__setitem__(0, seen[0] + len(ch.sensors)))
    start = time.perf_counter()
    for b in batches:
        twin.apply_readings(b)
    service = batch * rounds / (time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(100):
        state.sweep(t0 + rounds)
    sweep_ms = (time.perf_counter() - start) / 100 * 1000
    return len(ids), direct, service, state_bytes / len(ids), sweep_ms


def main() -> None:
    head = f"{'LiveState r/s':>14} {'TwinService r/s':>16} {'bytes/sensor':>13} {'sweep ms':>9}"
    print(f"{'sensors':>8} {'batch':>6} {head}")
    for zones, per_zone in ((40, 11), (400, 11)):
        for batch in (1, 100):
            rounds = 2000 if batch == 100 else 50_000
            n, direct, service, per_sensor, sweep = run(zones, per_zone, batch, rounds)
            print(
                f"{n:>8} {batch:>6} {direct:>14,.0f} {service:>16,.0f} {per_sensor:>13,.0f}"
                f" {sweep:>9.2f}"
            )


if __name__ == "__main__":
    main()
