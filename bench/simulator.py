"""Throughput of the venue simulator, printed as tables.

1. Readings generated per second of wall time for venues of about 100, 1,000
   and 10,000 sensors (``twin.samples.large_venue``, every sensor at 1 Hz),
   stepping 1 s at a time as a live run at 1 Hz would: as arrays
   (``step_batch``), as ``Reading`` objects (``step``) and as encoded MQTT batch
   payloads of 500 readings (``step`` + ``encode_batch``). "x real time" is how
   many times faster than 1 Hz the slowest form runs, i.e. the headroom.
2. One simulated day of the museum-wing sample (23 sensors at 10 s) and of the
   1,000-sensor venue at 10 s, stepped 10 s at a time, as fast as possible.

    python -m bench.simulator [--seconds 20] [--seed 0]
"""

from __future__ import annotations

import argparse
import time

from ingest.encode import encode_batch
from simulators.simulator import VenueSimulator
from twin.loader import load_sample
from twin.samples.large_venue import large_venue
from twin.venue import Venue

START = 1_732_525_200.0 + 3 * 3600  # a Monday at 12:00 London: the museum is busy


def at_interval(venue: Venue, interval_s: float) -> Venue:
    sensors = [s.model_copy(update={"interval_s": interval_s}) for s in venue.sensors]
    return venue.model_copy(update={"sensors": sensors})


def venue_of(n_sensors: int) -> Venue:
    per_zone = 10
    return at_interval(
        large_venue(zones=max(1, n_sensors // (per_zone + 1)), sensors_per_zone=per_zone), 1.0
    )


def rate(venue: Venue, seconds: int, seed: int, form: str) -> tuple[float, float]:
    """(readings per wall second, wall seconds per simulated second)."""
    sim = VenueSimulator(venue, seed=seed, start=START)
    sim.step_batch(0.001)
    n = 0
    t0 = time.perf_counter()
    for _ in range(seconds):
        if form == "arrays":
            n += len(sim.step_batch(1.0))
        else:
            readings = sim.step(1.0)
            n += len(readings)
            if form == "encoded":
                for k in range(0, len(readings), 500):
                    encode_batch(readings[k : k + 500])
    wall = time.perf_counter() - t0
    return n / wall, wall / seconds


def day(venue: Venue, seed: int) -> tuple[float, int]:
    sim = VenueSimulator(venue, seed=seed, start=START - 12 * 3600)
    n = 0
    t0 = time.perf_counter()
    for _ in range(8640):
        n += len(sim.step(10.0))
    return time.perf_counter() - t0, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=20, help="simulated seconds per measurement")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    print("Readings generated, sensors at 1 Hz, 1 s steps")
    print(
        f"{'sensors':>8} {'zones':>6} {'arrays/s':>11} {'Readings/s':>11} {'encoded/s':>11} "
        f"{'x real time':>12}"
    )
    for target in (100, 1_000, 10_000):
        venue = venue_of(target)
        figures = [
            rate(venue, args.seconds, args.seed, f)[0] for f in ("arrays", "readings", "encoded")
        ]
        headroom = min(figures) / len(venue.sensors)
        print(
            f"{len(venue.sensors):>8} {len(venue.zones):>6} {figures[0]:>11,.0f} "
            f"{figures[1]:>11,.0f} {figures[2]:>11,.0f} {headroom:>11.1f}x"
        )

    print("\nOne simulated day, 10 s steps, as fast as possible")
    print(f"{'venue':>28} {'sensors':>8} {'wall s':>8} {'readings':>10} {'x real time':>12}")
    for venue in (load_sample("museum-wing"), at_interval(venue_of(1_000), 10.0)):
        wall, n = day(venue, args.seed)
        print(
            f"{venue.id:>28} {len(venue.sensors):>8} {wall:>8.1f} {n:>10,} {86400 / wall:>11,.0f}x"
        )


if __name__ == "__main__":
    main()
