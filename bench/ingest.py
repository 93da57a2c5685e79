"""Ingest throughput and latency against real Mosquitto and PostgreSQL on loopback.

    python bench/ingest.py                 # all scenarios, prints a table
    python bench/ingest.py --quick         # smaller runs
    python bench/ingest.py --profile x.txt # py-spy (raw) of the ingest side meanwhile

PostgreSQL runs durable (fsync, synchronous_commit and full_page_writes on, as
read back with SHOW and printed); one row repeats the batched run on the test
fixture's fast settings (all three off) for comparison. Acknowledgement is
at-least-once: the ingest service PUBACKs a message only after its readings
are committed.

Publishers are separate processes (``bench/ingest_pub.py``); for throughput
they pre-build every MQTT PUBLISH packet before the clock starts and write
them to a raw socket at QoS 1, counting PUBACKs (``--paho-publishers`` uses
paho instead, which is Python-bound at ~6-7k msg/s here); several share the
messages, and the table shows the rate they offered (broker-acknowledged)
beside what was committed. Scenarios:
- batched: 100 readings per message on venues/{v}/batch, as fast as possible;
- single: one reading per message on venues/{v}/sensors/{s}, as fast as possible;
- single @ 5,000 msg/s: paced, each reading stamped with its publish time;
  publish-to-commit p50/p99 over every reading;
- naive baseline: one INSERT per reading and a commit per message;
- with ``--workers N``: the durable rows again with N ingest processes on one
  MQTT 5 shared subscription (``mqtt.shared_group``), as a site scales out.
CPU ms / 1k readings is the ingest process's CPU (user + system) per 1,000
committed readings: robust to other load on the machine, unlike rates.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

import numpy as np
import paho.mqtt.client as mqtt
import psycopg
from paho.mqtt.enums import CallbackAPIVersion

# Run as a script, this folder comes first on sys.path and this file would
# shadow the `ingest` package it measures: put the repository root there.
_here = Path(__file__).resolve().parent
sys.path[:] = [str(_here.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _here]

from bench.bench_pg import bench_postgres, durability
from bench.ingest_pub import SENSORS, blast, paced, raw_blast
from ingest.contract import Reading, Topics
from ingest.decode import Decoder
from ingest.metrics import IngestMetrics
from ingest.mqtt_settings import MqttSettings
from ingest.service import IngestService
from ingest.store import BatchWriter, PostgresStore
from tests.fixtures.mosquitto import MosquittoServer, find_mosquitto

T = Topics()


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


# Throughput publishers: raw-socket QoS 1 (default) or paho (--paho-publishers).
_BLAST: list[Callable[..., None]] = [raw_blast]


def _publishers(
    port: int, messages: int, per_msg: int, rate: float | None, lanes: int
) -> tuple[list[Any], Any, Any]:
    ctx = mp.get_context("spawn")
    go, out = ctx.Event(), ctx.Queue()
    t0_ms = int((time.time() - 3600) * 1000)
    procs = [
        ctx.Process(
            target=_BLAST[0] if rate is None else paced,
            args=(port, lane, lanes, messages, per_msg, t0_ms, go, out)
            if rate is None
            else (port, lane, lanes, messages, rate, go, out),
        )
        for lane in range(lanes)
    ]
    for p in procs:
        p.start()
    return procs, go, out


# -- consumers -------------------------------------------------------------


class _Timed:
    """Wraps the writer to time each reading from publish to commit."""

    def __init__(self, writer: BatchWriter, timed: bool) -> None:
        self.writer = writer
        self.timed = timed
        self.latencies: list[float] = []
        self.committed = 0
        self.first: float | None = None
        self.last = 0.0
        self.first_wall: float | None = None  # comparable across worker processes
        self.last_wall = 0.0

    async def put(
        self, readings: Sequence[Reading], done: Callable[[], None] | None = None
    ) -> None:
        stamps = [r.ts for r in readings] if self.timed else []
        n = len(readings)
        if self.first is None:
            self.first = time.perf_counter()
            self.first_wall = time.time()

        def committed() -> None:
            now = time.time()
            self.latencies.extend(now - ts for ts in stamps)
            self.committed += n
            self.last = time.perf_counter()
            self.last_wall = now
            if done is not None:
                done()

        await self.writer.put(readings, committed)


@asynccontextmanager
async def _ingest(
    mq_port: int, url: str, timed: bool, name: str, shared_group: str | None = None
) -> AsyncIterator[tuple[IngestService, _Timed]]:
    """The ingest path as ``venue-twin ingest`` wires it, connected; closed in order on exit."""
    store = PostgresStore(url)
    await store.open()
    metrics = IngestMetrics()
    writer = BatchWriter(store, metrics, max_batch=20_000, max_delay_s=0.05, max_pending=200_000)
    wtask = asyncio.create_task(writer.run())
    sink = _Timed(writer, timed=timed)
    service = IngestService(
        MqttSettings(port=mq_port, client_id=f"{name}-{time.time_ns()}", protocol=_PROTOCOL[0]),
        T,
        Decoder(T),
        sink,
        store,
        metrics,  # type: ignore[arg-type]
        shared_group=shared_group,
    )
    try:
        async with service:
            await service.wait_connected()
            yield service, sink
    finally:
        await writer.close()
        wtask.cancel()
        await store.close()


def _offered(pubs: list[tuple[int, float, float]], per_msg: int) -> float:
    """The publishers' broker-acknowledged readings per second, over all of them."""
    sent = sum(n for n, _s, _e in pubs)
    span = max(e for _n, _s, e in pubs) - min(s for _n, s, _e in pubs)
    return sent * per_msg / span if span > 0 else float("nan")


async def run_ours(
    mq_port: int, url: str, messages: int, per_msg: int, rate: float | None, lanes: int
) -> dict[str, Any]:
    total = messages * per_msg
    async with _ingest(mq_port, url, rate is not None, "bench-ingest") as (_service, timed):
        procs, go, out = _publishers(mq_port, messages, per_msg, rate, lanes)
        await asyncio.sleep(3.0 if rate is None else 1.0)  # publishers encode and connect
        cpu0 = _cpu()
        go.set()
        deadline = time.monotonic() + 600
        while timed.committed < total and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        cpu = _cpu() - cpu0
        pubs = [await asyncio.to_thread(out.get, True, 120) for _ in procs]
        for p in procs:
            p.join(30)
    elapsed = (timed.last - timed.first) if timed.first else float("nan")
    r = _summary(timed.committed, total, messages, elapsed, timed.latencies)
    r["offered_per_s"] = _offered(pubs, per_msg)
    r["cpu_ms_per_1k"] = 1e6 * cpu / max(1, timed.committed)
    return r


def _worker_main(
    mq_port: int,
    url: str,
    group: str,
    index: int,
    timed: bool,
    ctl: dict[str, Any],
    protocol: Literal[5, 311],
) -> None:
    """One ``venue-twin ingest``-like worker process on a shared subscription."""
    _PROTOCOL[0] = protocol
    asyncio.run(_worker(mq_port, url, group, index, timed, ctl))


async def _worker(
    mq_port: int, url: str, group: str, index: int, timed: bool, ctl: dict[str, Any]
) -> None:
    async with _ingest(mq_port, url, timed, f"bench-ingest-{index}", group) as (_service, sink):
        ctl["ready"].put(index)
        await asyncio.to_thread(ctl["go"].wait)
        cpu0 = _cpu()
        while not ctl["stop"].is_set():
            ctl["committed"][index] = sink.committed
            await asyncio.sleep(0.02)
        cpu = _cpu() - cpu0
    ctl["out"].put(
        (
            index,
            sink.committed,
            sink.first_wall,
            sink.last_wall,
            sink.latencies,
            cpu,
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        )
    )


async def run_workers(
    mq_port: int,
    url: str,
    messages: int,
    per_msg: int,
    rate: float | None,
    lanes: int,
    workers: int,
) -> dict[str, Any]:
    """``workers`` ingest processes on one MQTT 5 shared subscription, as a site scales out."""
    ctx = mp.get_context("spawn")
    ctl: dict[str, Any] = {
        "ready": ctx.Queue(),
        "out": ctx.Queue(),
        "go": ctx.Event(),
        "stop": ctx.Event(),
        "committed": ctx.Array("q", workers, lock=False),
    }
    group = f"bench{time.time_ns()}"
    procs = [
        ctx.Process(
            target=_worker_main,
            args=(mq_port, url, group, i, rate is not None, ctl, _PROTOCOL[0]),
            daemon=True,
        )
        for i in range(workers)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        await asyncio.to_thread(ctl["ready"].get, True, 60)
    total = messages * per_msg
    pubs_procs, go, out = _publishers(mq_port, messages, per_msg, rate, lanes)
    await asyncio.sleep(3.0 if rate is None else 1.0)
    ctl["go"].set()
    go.set()
    deadline = time.monotonic() + 600
    while sum(ctl["committed"]) < total and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    ctl["stop"].set()
    results = [await asyncio.to_thread(ctl["out"].get, True, 120) for _ in procs]
    pubs = [await asyncio.to_thread(out.get, True, 120) for _ in pubs_procs]
    for p in [*procs, *pubs_procs]:
        p.join(30)
    committed = sum(r[1] for r in results)
    firsts = [r[2] for r in results if r[2] is not None]
    elapsed = max(r[3] for r in results) - min(firsts) if firsts else float("nan")
    lat = [x for r in results for x in r[4]]
    summary = _summary(committed, total, messages, elapsed, lat)
    summary["offered_per_s"] = _offered(pubs, per_msg)
    summary["cpu_ms_per_1k"] = 1e6 * sum(r[5] for r in results) / max(1, committed)
    summary["share"] = [r[1] for r in results]
    _WORKER_RSS.append(max(r[6] for r in results))
    return summary


_WORKER_RSS: list[float] = []
# The ingest side's MQTT version (--mqtt); spawned workers get it as an argument.
_PROTOCOL: list[Literal[5, 311]] = [5]


def run_naive(mq_port: int, url: str, messages: int, per_msg: int) -> dict[str, Any]:
    """The baseline: one INSERT per reading, one commit per message, in paho's thread."""
    conn = psycopg.connect(url)
    # Its own text-keyed table: `readings` is a view over integer ids since
    # migration 0007; the baseline keeps the naive schema as well as the naive writes.
    conn.execute(
        'CREATE TABLE naive_readings (venue text COLLATE "C", sensor text COLLATE "C", '
        "ts timestamptz, value float8, quality int2, PRIMARY KEY (venue, sensor, ts))"
    )
    conn.commit()
    decoder = Decoder(T)
    state = {"n": 0, "first": 0.0, "last": 0.0}
    lat: list[float] = []

    def on_message(_c: Any, _u: Any, msg: mqtt.MQTTMessage) -> None:
        out = decoder.decode(msg.topic, msg.payload, time.time())
        if state["first"] == 0.0:
            state["first"] = time.perf_counter()
        with conn.cursor() as cur:
            for r in out.readings:
                cur.execute(
                    "INSERT INTO naive_readings (venue, sensor, ts, value, quality) "
                    "VALUES (%s, %s, to_timestamp(%s), %s, 0) ON CONFLICT DO NOTHING",
                    (r.venue, r.sensor, r.ts, r.value),
                )
        conn.commit()
        state["n"] += len(out.readings)
        state["last"] = time.perf_counter()

    sub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"naive-{time.time_ns()}")
    sub.on_message = on_message
    sub.connect("127.0.0.1", mq_port)
    sub.subscribe([(T.batch("+"), 1), (T.sensor("+", "+"), 1)])
    sub.loop_start()
    time.sleep(0.5)
    procs, go, out = _publishers(mq_port, messages, per_msg, None, 1)
    time.sleep(2.0)
    cpu0 = _cpu()
    go.set()
    total = messages * per_msg
    deadline = time.monotonic() + 600
    while state["n"] < total and time.monotonic() < deadline:
        time.sleep(0.05)
    cpu = _cpu() - cpu0
    n, s0, e0 = out.get(timeout=120)
    for p in procs:
        p.join(30)
    sub.loop_stop()
    conn.close()
    r = _summary(int(state["n"]), total, messages, state["last"] - state["first"], lat)
    r["offered_per_s"] = n * per_msg / (e0 - s0)
    r["cpu_ms_per_1k"] = 1e6 * cpu / max(1, int(state["n"]))
    return r


def _summary(
    done: int, total: int, messages: int, elapsed: float, lat: list[float]
) -> dict[str, Any]:
    arr = np.asarray(lat) * 1000 if lat else np.asarray([np.nan])
    # (throughput rows carry pre-encoded timestamps: no latency there)
    return {
        "readings": done,
        "expected": total,
        "readings_per_s": done / elapsed if elapsed > 0 else float("nan"),
        "messages_per_s": (messages * done / total) / elapsed if elapsed > 0 else float("nan"),
        "p50_ms": float(np.percentile(arr, 50)),
        "p99_ms": float(np.percentile(arr, 99)),
    }


def _fresh_db(pg: Any) -> str:
    url: str = pg.create_database()
    return url


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="smaller runs (about a minute)")
    ap.add_argument("--publishers", type=int, default=2, help="publisher processes (default 2)")
    ap.add_argument(
        "--paho-publishers",
        action="store_true",
        help="publish with paho (Python, ~100 us a message) instead of pre-built raw packets",
    )
    ap.add_argument("--only", help="run only scenarios whose name contains this")
    ap.add_argument("--no-naive", action="store_true", help="skip the naive baselines")
    ap.add_argument(
        "--workers",
        type=int,
        default=1,
        help="also run the durable rows with N ingest worker processes on one MQTT 5 "
        "shared subscription (how a site scales ingest out; default 1: no extra rows)",
    )
    ap.add_argument(
        "--mqtt",
        type=int,
        choices=(5, 311),
        default=5,
        help="MQTT version of the ingest side (default 5, as shipped; 311 for comparison: "
        "no per-packet properties, shared subscriptions need MQTT 5)",
    )
    ap.add_argument("--profile", help="py-spy record (raw format) the ingest process to this file")
    args = ap.parse_args()
    k = 0.25 if args.quick else 1.0
    if args.mqtt == 311 and args.workers > 1:
        ap.error("--workers needs MQTT 5 shared subscriptions; drop --mqtt 311")
    _PROTOCOL[0] = 311 if args.mqtt == 311 else 5
    lanes = args.publishers
    if args.paho_publishers:
        _BLAST[0] = blast
    rows: list[tuple[str, str, dict[str, Any]]] = []
    spy = None
    if args.profile:
        spy = subprocess.Popen(
            [
                "py-spy",
                "record",
                "-p",
                str(os.getpid()),
                "-o",
                args.profile,
                "-r",
                "100",
                "--format",
                "raw",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    plan: list[tuple[str, bool, Callable[[Any, str], dict[str, Any]]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        broker = MosquittoServer(find_mosquitto(), Path(tmp))
        broker.start()
        port = broker.port

        def ours(messages: int, per_msg: int, rate: float | None) -> Callable[..., Any]:
            return lambda _pg, url: asyncio.run(
                run_ours(port, url, messages, per_msg, rate, lanes if rate is None else 1)
            )

        def scaled(messages: int, per_msg: int, rate: float | None) -> Callable[..., Any]:
            return lambda _pg, url: asyncio.run(
                run_workers(
                    port, url, messages, per_msg, rate, lanes if rate is None else 1, args.workers
                )
            )

        plan = [
            ("venue-twin, batched x100", True, ours(int(12_000 * k), 100, None)),
            ("venue-twin, single", True, ours(int(80_000 * k), 1, None)),
            ("venue-twin, single @ 5,000 msg/s", True, ours(int(60_000 * k), 1, 5000.0)),
            ("venue-twin, batched x100", False, ours(int(12_000 * k), 100, None)),
            ("venue-twin, single", False, ours(int(80_000 * k), 1, None)),
        ]
        if args.workers > 1:
            w = f"{args.workers} workers"
            plan += [
                (f"{w}, batched x100", True, scaled(int(12_000 * k), 100, None)),
                (f"{w}, single", True, scaled(int(80_000 * k), 1, None)),
                (f"{w}, single @ 5,000 msg/s", True, scaled(int(60_000 * k), 1, 5000.0)),
            ]
        if not args.no_naive:
            plan += [
                (
                    "naive INSERT, batched x100",
                    True,
                    lambda _pg, url: run_naive(port, url, int(300 * k), 100),
                ),
                (
                    "naive INSERT, single",
                    True,
                    lambda _pg, url: run_naive(port, url, int(6000 * k), 1),
                ),
            ]
        try:
            for durable in (True, False):
                todo = [p for p in plan if p[1] is durable and (not args.only or args.only in p[0])]
                if not todo:
                    continue
                with bench_postgres(durable=durable) as pg:
                    for name, _d, fn in todo:
                        url = _fresh_db(pg)
                        asyncio.run(_prepare(url))
                        settings = durability(url)
                        rows.append((name, settings, fn(pg, url)))
                        print(f"  {name} ({settings}): done", file=sys.stderr)
        finally:
            broker.stop()
            if spy is not None:
                spy.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
                spy.wait(60)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    head = (
        f"{'readings':>9} {'offered/s':>10} {'committed/s':>11} {'msgs/s':>8} {'p50 ms':>7}"
        f" {'p99 ms':>7} {'CPU ms/1k':>9}"
    )
    print(f"\n{'scenario':34} {'PostgreSQL':10} {head}")
    for name, settings, r in rows:
        kind = "durable" if "fsync=on" in settings else "fast"
        lost = "" if r["readings"] == r["expected"] else f"  (expected {r['expected']})"
        print(
            f"{name:34} {kind:10} {r['readings']:>9} {r['offered_per_s']:>10,.0f}"
            f" {r['readings_per_s']:>11,.0f} {r['messages_per_s']:>8,.0f} {r['p50_ms']:>7.1f}"
            f" {r['p99_ms']:>7.1f} {r['cpu_ms_per_1k']:>9.0f}{lost}"
        )
    print("\ndurable = " + next((s for _n, s, _r in rows if "fsync=on" in s), "-"))
    print("fast    = " + next((s for _n, s, _r in rows if "fsync=off" in s), "-"))
    kind = "paho" if args.paho_publishers else "raw-socket QoS 1 (bench/ingest_pub.py)"
    print(f"ingest side: MQTT {'3.1.1' if args.mqtt == 311 else '5'}")
    print(f"publishers: {lanes} processes, {kind}, pre-encoded; {SENSORS:,} sensors")
    print(f"peak RSS of the ingest process (all scenarios): {peak_mb:.0f} MiB")
    if _WORKER_RSS:
        print(f"peak RSS of one ingest worker process: {max(_WORKER_RSS):.0f} MiB")
        print("N workers: separate processes, one writer and one PostgreSQL connection each;")
        print("CPU ms/1k is all workers' CPU together")
    print("p50/p99: publish to commit of every reading (paced row only); offered = the")
    print("publishers' broker-acknowledged rate; committed/s = first hand-off to last commit")
    print(f"load average at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


async def _prepare(url: str) -> None:
    """Run migrations once, so set-up is outside every timed run."""
    store = PostgresStore(url)
    await store.open()
    await store.close()


if __name__ == "__main__":
    main()
