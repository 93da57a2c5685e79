"""Replay speed from the store: readings/s and real-time factor, as fast as possible.

Generates ``--hours`` of data for ``--sensors`` sensors reporting every
``--interval`` seconds into a SQLite store (kept with ``--db`` for reuse),
then replays the whole span through a :class:`twin.replay.ReplaySession`
at ``speed=inf`` with a listener attached (as the viewer would be), and
prints the rate. The real-time factor is replayed span / wall time; the
target is 100x for 1,000 sensors at 1 Hz. Also prints the cost of a seek
(state rebuilt at the middle of the span), and a paced run at ``--paced``
times real time: does the replay keep up with its clock?

First, file-format figures: size and write/read speed of a recording of
simulated museum-wing traffic, per codec (zstd, zlib), for one reading per
message and for batch messages.

    python bench/replay.py [--sensors 1000] [--hours 1] [--interval 1] [--db replay.sqlite3]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, this folder comes first on sys.path and bench/ingest.py
# would shadow the `ingest` package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from ingest.contract import Reading, Topics
from ingest.encode import encode_batch, encode_reading
from ingest.store.sqlite import SqliteStore
from simulators.recording import RecordedMessage, RecordingHeader
from simulators.recording_reader import RecordingReader
from simulators.recording_writer import RecordingWriter
from simulators.simulator import VenueSimulator
from twin.loader import load_sample
from twin.replay import ReplaySession
from twin.samples.large_venue import large_venue
from twin.state import StateChanges
from twin.venue import Venue

T0 = 1_700_000_000.0  # fixed, so a kept database is reused only for the same span


def bench_venue(sensors: int) -> Venue:
    per_zone = 10
    return large_venue(zones=max(1, math.ceil(sensors / per_zone)), sensors_per_zone=per_zone)


async def generate(
    store: SqliteStore, venue: str, ids: list[str], hours: float, interval: float
) -> int:
    rng = random.Random(1)
    steps = int(hours * 3600 / interval)
    batch: list[Reading] = []
    written = 0
    for k in range(steps):
        ts = T0 + k * interval
        batch.extend(Reading(venue, s, ts, 20.0 + rng.random()) for s in ids)
        if len(batch) >= 100_000:
            written += await store.write_readings(batch)
            batch = []
    if batch:
        written += await store.write_readings(batch)
    return written


async def run(args: argparse.Namespace) -> None:
    venue = bench_venue(args.sensors)
    ids = [s.id for s in venue.sensors if s.gate is None][: args.sensors]
    span = args.hours * 3600
    tmp = None if args.db else tempfile.TemporaryDirectory(prefix="bench-replay-")
    db = Path(tmp.name) / "replay.sqlite3" if tmp is not None else args.db
    store = SqliteStore(db)
    await store.open()
    try:
        last = T0 + (int(span / args.interval) - 1) * args.interval
        existing = await store.raw(venue.id, ids[-1], last, last + args.interval, limit=1)
        if not existing:
            t = time.perf_counter()
            rows = await generate(store, venue.id, ids, args.hours, args.interval)
            print(f"generated {rows:,} readings in {time.perf_counter() - t:.1f} s -> {db}")
        expected = len(ids) * int(span / args.interval)
        for step in args.step:
            await fast(store, venue, span, step, expected, len(ids))
        await paced(store, venue, min(span, args.paced_span), args.paced)
    finally:
        await store.close()
        if tmp is not None:
            tmp.cleanup()


async def fast(
    store: SqliteStore, venue: Venue, span: float, step: float, expected: int, sensors: int
) -> None:
    received = [0]

    def listener(_v: str, ch: StateChanges) -> None:
        received[0] += len(ch.sensors)

    session = ReplaySession(store, venue, T0, T0 + span, speed=math.inf, step_s=step)
    session.add_listener(listener)
    t = time.perf_counter()
    session.play()
    await session.run(until_end=True)
    wall = time.perf_counter() - t
    rate = session.applied / wall
    print(f"as fast as possible, {step:g} s steps: {session.applied:,} readings in {wall:.2f} s")
    print(f"  rate                {rate:,.0f} readings/s")
    print(f"  real-time factor    {span / wall:,.0f}x for this data")
    print(f"  at 1 Hz per sensor  {rate / sensors:,.0f}x (target >= 100x)")
    print(f"  sensor updates to listeners: {received[0]:,}")
    if session.applied != expected:
        print(f"  WARNING: expected {expected:,} readings")
    t = time.perf_counter()
    await session.seek(T0 + span / 2)
    print(f"  seek (state rebuilt at mid-span) {1000 * (time.perf_counter() - t):.0f} ms")
    await session.close()


async def paced(store: SqliteStore, venue: Venue, span: float, speed: float) -> None:
    """Does a clock-driven replay at ``speed`` keep up with its clock?"""
    session = ReplaySession(store, venue, T0, T0 + span, speed=speed)
    lags: list[float] = []

    def listener(_v: str, _ch: StateChanges) -> None:
        lags.append(min(session.clock.position, session.end) - session.position)

    session.add_listener(listener)
    await session.preload()
    t = time.perf_counter()
    session.play()
    await session.run(until_end=True)
    wall = time.perf_counter() - t
    lags.sort()
    p99 = lags[int(0.99 * (len(lags) - 1))] if lags else 0.0
    print(
        f"paced at {speed:g}x over {span:g} s: {wall:.2f} s wall (ideal {span / speed:.2f} s), "
        f"replay-clock lag p99 {p99:.2f} s, max {lags[-1] if lags else 0.0:.2f} s"
    )
    await session.close()


def simulated_messages(hours: float, batch: bool) -> list[RecordedMessage]:
    """An hour of museum-wing traffic as the recorder would see it."""
    venue = load_sample("museum-wing")
    sim = VenueSimulator(venue, seed=1, start=T0)
    topics = Topics()
    out: list[RecordedMessage] = []
    for k in range(int(hours * 3600)):
        readings = sim.step(1.0)
        ts = T0 + k
        if batch and readings:
            out.append(RecordedMessage(ts, topics.batch(venue.id), encode_batch(readings), 1))
        elif readings:
            out.extend(
                RecordedMessage(ts, topics.sensor(venue.id, r.sensor), encode_reading(r), 1)
                for r in readings
            )
    return out


def format_bench(hours: float) -> None:
    """Recording file size and write/read speed per codec."""
    now = [T0]
    with tempfile.TemporaryDirectory(prefix="bench-recording-") as tmp:
        for batch in (False, True):
            msgs = simulated_messages(hours, batch)
            raw = sum(len(m.payload) + len(m.topic) for m in msgs)
            kind = "batch messages" if batch else "one reading per message"
            print(f"recording {len(msgs):,} {kind} ({raw / 2**20:.1f} MiB of topics+payloads):")
            for codec in ("zstd", "zlib"):
                path = Path(tmp) / f"{codec}.vtrec"
                # Chunks close on the recording's own clock, as a live recorder's would.
                now[0] = T0
                header = RecordingHeader(start=T0, codec=codec)
                t = time.perf_counter()
                with RecordingWriter(path, header, clock=lambda: now[0]) as w:
                    for m in msgs:
                        now[0] = m.ts
                        w.write(m)
                wt = time.perf_counter() - t
                t = time.perf_counter()
                with RecordingReader(path) as r:
                    n = sum(1 for _ in r.messages())
                rt = time.perf_counter() - t
                size = path.stat().st_size
                print(
                    f"  {codec}: {size / 2**20:6.2f} MiB ({raw / size:4.1f}x smaller), "
                    f"write {len(msgs) / wt:,.0f} msg/s, read {n / rt:,.0f} msg/s"
                )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sensors", type=int, default=1000)
    p.add_argument("--hours", type=float, default=1.0, help="span of generated data (24: a day)")
    p.add_argument("--interval", type=float, default=1.0, help="seconds between readings")
    p.add_argument(
        "--step",
        type=float,
        nargs="+",
        default=[1.0, 10.0],
        help="replay seconds per applied step in as-fast-as-possible mode",
    )
    p.add_argument("--paced", type=float, default=100.0, help="speed of the paced run")
    p.add_argument("--paced-span", type=float, default=600.0, help="replay seconds paced")
    p.add_argument("--db", type=Path, help="SQLite file to create or reuse")
    p.add_argument(
        "--format-hours",
        type=float,
        default=1.0,
        help="hours of simulated museum-wing traffic for the file-format figures (0: skip)",
    )
    args = p.parse_args()
    if args.format_hours > 0:
        format_bench(args.format_hours)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
