"""Ingest throughput and latency against real Mosquitto and PostgreSQL on loopback.

    python bench/ingest.py                 # all scenarios, prints a table
    python bench/ingest.py --quick         # smaller runs

Scenarios (publishers run in a separate process, QoS 1, as devices would):
- batched: 100 readings per message, published as fast as the broker takes them;
- single: one reading per message, as fast as possible;
- latency: one reading per message at a fixed rate, publish-to-commit p50/p99;
- naive baseline: the same streams into one INSERT per reading and a commit per message.
Publish-to-commit latency uses the reading's own timestamp (set at publish).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import paho.mqtt.client as mqtt
import psycopg
from paho.mqtt.enums import CallbackAPIVersion

# Run as a script, this folder comes first on sys.path and this file would
# shadow the `ingest` package it measures: put the repository root there.
_here = Path(__file__).resolve().parent
sys.path[:] = [str(_here.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _here]

from ingest.contract import Reading, Topics
from ingest.decode import Decoder
from ingest.encode import encode_batch
from ingest.metrics import IngestMetrics
from ingest.mqtt_settings import MqttSettings
from ingest.service import IngestService
from ingest.store import BatchWriter, PostgresStore
from tests.fixtures.mosquitto import MosquittoServer, find_mosquitto
from tests.fixtures.postgres import running_postgres

VENUE = "bench"
T = Topics()


# -- publisher process -------------------------------------------------------


def publish(port: int, messages: int, per_msg: int, rate: float | None, sensors: int) -> None:
    """Publish ``messages`` QoS 1 messages of ``per_msg`` readings (rate: msg/s or max)."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{time.time_ns()}")
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(2000)
    client.connect("127.0.0.1", port)
    client.loop_start()
    start = time.perf_counter()
    seq = 0
    for m in range(messages):
        if rate is not None:
            delay = start + m / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        now = time.time()
        readings = []
        for _ in range(per_msg):
            # Distinct (sensor, ts) keys: sensors round-robin, ms steps per sensor.
            readings.append(
                Reading(VENUE, f"s{seq % sensors}", now - 60 + (seq // sensors) * 1e-3, 1.0)
            )
            seq += 1
        # The first reading's ts carries the publish time for the latency figure.
        readings[0] = Reading(VENUE, readings[0].sensor, round(now, 3), 1.0)
        while True:
            info = client.publish(T.batch(VENUE), encode_batch(readings), qos=1)
            if info.rc == mqtt.MQTT_ERR_SUCCESS:
                break
            time.sleep(0.001)  # paho's queue is full: back off like a device would
    while client.want_write() or len(client._out_messages) > 0:
        time.sleep(0.01)
    client.loop_stop()
    client.disconnect()


# -- consumers -------------------------------------------------------------


class _Timed:
    """Wraps the writer to time each message from publish to commit."""

    def __init__(self, writer: BatchWriter) -> None:
        self.writer = writer
        self.latencies: list[float] = []
        self.committed = 0
        self.first: float | None = None
        self.last = 0.0

    async def put(
        self, readings: Sequence[Reading], done: Callable[[], None] | None = None
    ) -> None:
        sent = max(r.ts for r in readings)
        n = len(readings)
        if self.first is None:
            self.first = time.perf_counter()

        def committed() -> None:
            now = time.time()
            self.latencies.append(now - sent)
            self.committed += n
            self.last = time.perf_counter()
            if done is not None:
                done()

        await self.writer.put(readings, committed)


async def run_ours(
    mq_port: int, url: str, messages: int, per_msg: int, rate: float | None
) -> dict[str, Any]:
    store = PostgresStore(url)
    await store.open()
    metrics = IngestMetrics()
    writer = BatchWriter(store, metrics, max_batch=20_000, max_delay_s=0.05, max_pending=200_000)
    wtask = asyncio.create_task(writer.run())
    timed = _Timed(writer)
    service = IngestService(
        MqttSettings(port=mq_port, client_id=f"bench-ingest-{time.time_ns()}"),
        T,
        Decoder(T),
        timed,
        store,
        metrics,  # type: ignore[arg-type]
    )
    total = messages * per_msg
    async with service:
        await service.wait_connected()
        proc = mp.get_context("spawn").Process(
            target=publish, args=(mq_port, messages, per_msg, rate, 10_000)
        )
        proc.start()
        deadline = time.monotonic() + 600
        while timed.committed < total and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        proc.join(30)
    await writer.close()
    wtask.cancel()
    await store.close()
    elapsed = (timed.last - timed.first) if timed.first else float("nan")
    return _summary(timed.committed, total, messages, elapsed, timed.latencies)


def run_naive(mq_port: int, url: str, messages: int, per_msg: int) -> dict[str, Any]:
    """The baseline: one INSERT per reading, one commit per message, in paho's thread."""
    conn = psycopg.connect(url)
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
                    "INSERT INTO readings (venue, sensor, ts, value, quality) "
                    "VALUES (%s, %s, to_timestamp(%s), %s, 0) ON CONFLICT DO NOTHING",
                    (r.venue, r.sensor, r.ts, r.value),
                )
        conn.commit()
        lat.append(time.time() - max(r.ts for r in out.readings))
        state["n"] += len(out.readings)
        state["last"] = time.perf_counter()

    sub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"naive-{time.time_ns()}")
    sub.on_message = on_message
    sub.connect("127.0.0.1", mq_port)
    sub.subscribe(T.batch("+"), qos=1)
    sub.loop_start()
    time.sleep(0.5)
    proc = mp.get_context("spawn").Process(
        target=publish, args=(mq_port, messages, per_msg, None, 10_000)
    )
    proc.start()
    total = messages * per_msg
    deadline = time.monotonic() + 600
    while state["n"] < total and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.join(30)
    sub.loop_stop()
    conn.close()
    return _summary(int(state["n"]), total, messages, state["last"] - state["first"], lat)


def _summary(
    done: int, total: int, messages: int, elapsed: float, lat: list[float]
) -> dict[str, Any]:
    arr = np.asarray(lat) * 1000 if lat else np.asarray([np.nan])
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
    args = ap.parse_args()
    k = 0.25 if args.quick else 1.0
    rows: list[tuple[str, dict[str, Any]]] = []
    with running_postgres() as pg, tempfile.TemporaryDirectory() as tmp:
        broker = MosquittoServer(find_mosquitto(), Path(tmp))
        broker.start()
        try:

            def ours(name: str, messages: int, per_msg: int, rate: float | None) -> None:
                url = _fresh_db(pg)
                asyncio.run(_prepare(url))
                rows.append(
                    (name, asyncio.run(run_ours(broker.port, url, messages, per_msg, rate)))
                )
                print(f"  {name}: done", file=sys.stderr)

            def naive(name: str, messages: int, per_msg: int) -> None:
                url = _fresh_db(pg)
                asyncio.run(_prepare(url))
                rows.append((name, run_naive(broker.port, url, messages, per_msg)))
                print(f"  {name}: done", file=sys.stderr)

            ours("venue-twin, batched x100", int(8000 * k), 100, None)
            ours("venue-twin, single", int(60_000 * k), 1, None)
            ours("venue-twin, single @ 5,000 msg/s", int(50_000 * k), 1, 5000.0)
            naive("naive INSERT, batched x100", int(300 * k), 100)
            naive("naive INSERT, single", int(6000 * k), 1)
        finally:
            broker.stop()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    head = f"{'readings':>9} {'readings/s':>11} {'msgs/s':>9} {'p50 ms':>8} {'p99 ms':>8}"
    print(f"\n{'scenario':36} {head}")
    for name, r in rows:
        lost = "" if r["readings"] == r["expected"] else f"  (expected {r['expected']})"
        print(
            f"{name:36} {r['readings']:>9} {r['readings_per_s']:>11,.0f}"
            f" {r['messages_per_s']:>9,.0f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f}{lost}"
        )
    print(f"\npeak RSS of the ingest process (all scenarios): {peak_mb:.0f} MiB")
    print(
        "p50/p99: publish to commit; throughput rows are saturated, so their latency is queueing."
    )


async def _prepare(url: str) -> None:
    """Run migrations once so the naive baseline has the same table."""
    store = PostgresStore(url)
    await store.open()
    await store.close()


if __name__ == "__main__":
    main()
