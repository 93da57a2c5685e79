"""Soak: ten times the target input against one ``venue-twin ingest`` worker, then catch-up.

    python -m bench.soak                      # 500,000 readings/s offered for 60 s
    python -m bench.soak --rate 100000 --seconds 20 --catchup-timeout 300

The target is 50,000 readings/s batched (docs/scaling.md); this offers ten
times that from a separate publisher process (QoS 1, 100 readings per
message) to real Mosquitto and PostgreSQL, for ``--seconds``. A 2-core machine
cannot take it, which is the point: the worker must stay within its memory
bound while the broker holds the backlog, then catch up without losing a
reading the broker acknowledged.

Every second it samples: the worker's RSS, its writer queue and spool depth
and stored count (Prometheus endpoint), the broker's RSS and stored messages
($SYS), and the publisher's acknowledged count. It prints the curve as a
table and sparklines, the peak RSS and the catch-up time. The verdict comes
from the database, read after the worker has drained its queue and stopped
on SIGTERM (exit code 0, no traceback in its log): every acknowledged reading
stored, none twice. ``stored`` is the worker's count of new rows; ``committed``
counts every committed reading, so ``committed - stored`` is what was
delivered again (a reconnect under overload would show here).
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

# Run by path, this folder would come first on sys.path and bench/ingest.py
# would shadow the `ingest` package: put the repository root there instead.
_here = Path(__file__).resolve().parent
sys.path[:] = [str(_here.parent)] + [p for p in sys.path if Path(p or ".").resolve() != _here]

import msgspec  # noqa: E402
import paho.mqtt.client as mqtt  # noqa: E402
import psycopg  # noqa: E402
from paho.mqtt.enums import CallbackAPIVersion  # noqa: E402

from bench.bench_pg import bench_postgres, durability  # noqa: E402
from ingest.contract import CONTRACT_VERSION, Topics  # noqa: E402
from tests.fixtures.mosquitto import MosquittoServer, find_mosquitto  # noqa: E402
from twin.loader import load_sample  # noqa: E402
from venue_twin.embedded_broker import free_port  # noqa: E402

__all__ = ["main"]

VENUE = "museum-wing"
TARGET_READINGS_PER_S = 50_000
PER_MSG = 100
RECEIVE_MAXIMUM = 1000  # IngestService's default MQTT 5 Receive Maximum
_SPARK = " ▁▂▃▄▅▆▇█"
# Plausible values per sensor kind, so the twin's analytics see a quiet venue.
_VALUE = {"temperature": 21.0, "humidity": 50.0, "co2": 600.0, "lux": 50.0}


def _sensors() -> list[str]:
    """The venue's environmental sensors (gate counters would need monotonic counts)."""
    return [s.id for s in load_sample(VENUE).sensors if s.kind.value in _VALUE]


def _kinds() -> dict[str, float]:
    venue = load_sample(VENUE)
    return {s.id: _VALUE[s.kind.value] for s in venue.sensors if s.kind.value in _VALUE}


# -- publisher process ---------------------------------------------------------
#
# Reading number ``i`` (message i // PER_MSG) is sensor ``i % n`` at
# ``t0_ms + i // n``: every key is distinct, and the database can tell from a
# row which message it came from.


def publish(
    port: int,
    rate: float,
    seconds: float,
    t0_ms: int,
    lane: tuple[int, int],
    acked: Synchronized[int],
    published: Synchronized[int],
    result: Any,
) -> None:
    """Offer ``rate`` readings/s for ``seconds``; report acknowledged message numbers.

    ``lane`` is (this publisher, publishers): publisher p sends messages p, p + n, ...
    """
    me, lanes = lane
    sensors = _sensors()
    values = _kinds()
    n = len(sensors)
    encoder = msgspec.json.Encoder()
    topic = Topics().batch(VENUE)
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"soak-pub-{os.getpid()}", protocol=mqtt.MQTTv5
    )
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(10_000)  # a device's buffer is finite too
    mid_to_seq: dict[int, int] = {}
    early: set[int] = set()  # PUBACKs that beat ``publish`` returning the mid
    acked_seqs: list[int] = []
    # Never held while calling into paho: paho runs on_publish under its own lock.
    lock = threading.Lock()

    def note_ack(seq: int) -> None:
        acked_seqs.append(seq)
        acked.value = len(acked_seqs)

    def on_publish(_c: Any, _u: Any, mid: int, _rc: Any, _p: Any) -> None:
        with lock:
            seq = mid_to_seq.pop(mid, None)
            if seq is None:
                early.add(mid)
            else:
                note_ack(seq)

    client.on_publish = on_publish
    client.connect("127.0.0.1", port)
    client.loop_start()
    msg_rate = rate / PER_MSG
    start = time.perf_counter()
    count = 0  # messages this publisher sent
    while (now := time.perf_counter()) - start < seconds:
        due = int((now - start) * msg_rate)
        if count >= due:
            time.sleep(max(0.0, min(0.001, (count + 1) / msg_rate - (now - start))))
            continue
        seq = count * lanes + me
        first = seq * PER_MSG
        items = [
            {"sensor": sensors[i % n], "ts": t0_ms + i // n, "value": values[sensors[i % n]]}
            for i in range(first, first + PER_MSG)
        ]
        payload = encoder.encode({"v": CONTRACT_VERSION, "readings": items})
        info = client.publish(topic, payload, qos=1)
        if info.rc == mqtt.MQTT_ERR_QUEUE_SIZE:
            time.sleep(0.001)  # our own buffer is full: the broker is slower than the offer
            continue
        with lock:
            if info.mid in early:
                early.discard(info.mid)
                note_ack(seq)
            else:
                mid_to_seq[info.mid] = seq
        count += 1
        published.value = count
    deadline = time.monotonic() + 120
    while acked.value < count and time.monotonic() < deadline:
        time.sleep(0.05)
    client.loop_stop()
    client.disconnect()
    result.put((count, acked_seqs))


# -- sampling --------------------------------------------------------------------


@dataclass(slots=True)
class Sample:
    t: float
    phase: str
    offered: int  # readings the publisher handed to paho
    acked: int  # readings the broker acknowledged to the publisher
    stored: float  # worker's venue_twin_readings_stored_total (new rows)
    committed: float  # worker's venue_twin_readings_committed_total (duplicates too)
    queue: float
    spool: float
    broker_msgs: float  # $SYS/broker/store/messages/count
    worker_rss_mib: float
    broker_rss_mib: float


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def scrape(port: int) -> dict[str, float]:
    wanted = (
        "venue_twin_queue_depth",
        "venue_twin_spool_depth",
        "venue_twin_readings_stored_total",
        "venue_twin_readings_committed_total",
        "venue_twin_readings_received_total",
    )
    out = dict.fromkeys(wanted, float("nan"))
    try:
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read()
    except OSError:
        return out
    for line in body.decode().splitlines():
        name, _, value = line.partition(" ")
        if name in out:
            out[name] = float(value)
    return out


class SysWatcher:
    """The broker's $SYS counters (published every ``sys_interval`` seconds)."""

    def __init__(self, port: int) -> None:
        self.values: dict[str, float] = {}
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="soak-sys")
        self._client.on_message = self._on_message
        self._client.connect("127.0.0.1", port)
        self._client.subscribe("$SYS/broker/store/messages/#")
        self._client.loop_start()

    def _on_message(self, _c: Any, _u: Any, msg: mqtt.MQTTMessage) -> None:
        with contextlib.suppress(ValueError):
            self.values[msg.topic.rsplit("/", 1)[-1]] = float(msg.payload)

    def close(self) -> None:
        self._client.loop_stop()
        self._client.disconnect()


# -- reporting ---------------------------------------------------------------------


def sparkline(values: Sequence[float], width: int = 60) -> str:
    clean = [0.0 if v != v else v for v in values]  # NaN (no sample) as 0
    if not clean:
        return ""
    step = max(1, -(-len(clean) // width))
    cols = [max(clean[i : i + step]) for i in range(0, len(clean), step)]
    top = max(cols) or 1.0
    return "".join(_SPARK[min(8, round(v / top * 8))] for v in cols)


def print_report(samples: list[Sample], every: int) -> None:
    print(
        f"\n{'t s':>5} {'phase':7} {'offered':>10} {'acked':>10} {'stored':>10} {'queue':>8}"
        f" {'spool':>6} {'broker q':>9} {'worker MiB':>10} {'broker MiB':>10}"
    )
    for i, s in enumerate(samples):
        if i % every and i != len(samples) - 1:
            continue
        print(
            f"{s.t:>5.0f} {s.phase:7} {s.offered:>10,} {s.acked:>10,} {s.stored:>10,.0f}"
            f" {s.queue:>8,.0f} {s.spool:>6,.0f} {s.broker_msgs:>9,.0f}"
            f" {s.worker_rss_mib:>10.0f} {s.broker_rss_mib:>10.0f}"
        )
    # Over 5 samples: one commit can carry a whole flooded drain, a 1 s rate would spike.
    rates = [0.0] * 5 + [
        (b.stored - a.stored) / max(1e-9, b.t - a.t)
        for a, b in zip(samples, samples[5:], strict=False)
    ]
    print()
    for label, series in (
        ("stored readings/s (5 s)", rates),
        ("backlog (acked - stored)", [s.acked - s.stored for s in samples]),
        ("broker queued msgs", [s.broker_msgs for s in samples]),
        ("writer queue", [s.queue for s in samples]),
        ("worker RSS", [s.worker_rss_mib for s in samples]),
        ("broker RSS", [s.broker_rss_mib for s in samples]),
    ):
        finite = [v for v in series if v == v]
        peak = max(finite) if finite else float("nan")
        print(f"{label:26} {sparkline(series)}  peak {peak:,.0f}")


# -- verification ------------------------------------------------------------------


def verify(url: str, t0_ms: int, n_sensors: int, acked: list[int]) -> tuple[int, int, int]:
    """(rows, acknowledged messages missing a reading, messages stored twice or more)."""
    sensors = _sensors()
    values = ", ".join(f"('{s}', {k})" for k, s in enumerate(sensors))
    sql = f"""
        WITH s(sensor, k) AS (VALUES {values})
        SELECT ((round(extract(epoch FROM r.ts) * 1000)::bigint - %s) * %s + s.k) / %s AS m,
               count(*)
        FROM readings r JOIN s USING (sensor) WHERE r.venue = %s GROUP BY m
    """
    with psycopg.connect(url) as conn:
        found = conn.execute(sql, (t0_ms, n_sensors, PER_MSG, VENUE)).fetchall()
    counts: dict[int, int] = {int(m): int(c) for m, c in found}
    rows = sum(counts.values())
    missing = sum(1 for m in acked if counts.get(m, 0) < PER_MSG)
    doubled = sum(1 for c in counts.values() if c > PER_MSG)
    return rows, missing, doubled


# -- the run ----------------------------------------------------------------------


def start_worker(
    broker: MosquittoServer, url: str, metrics_port: int, spool: Path, log: Path
) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        VENUE_TWIN_STORE_URL=url,
        VENUE_TWIN_MQTT__HOST=broker.host,
        VENUE_TWIN_MQTT__PORT=str(broker.port),
        VENUE_TWIN_MQTT__CLIENT_ID="soak-ingest",
        VENUE_TWIN_METRICS_PORT=str(metrics_port),
        VENUE_TWIN_SPOOL_DIR=str(spool),
        VENUE_TWIN_VENUES=f'["sample:{VENUE}"]',
    )
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "venue_twin.cli", "ingest"], env=env, stdout=out, stderr=out
        )
    deadline = time.monotonic() + 60
    while "ingest running" not in log.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the worker did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)
    return proc


def run(args: argparse.Namespace) -> int:
    sensors = _sensors()
    t0_ms = int((time.time() - 3600) * 1000)
    samples: list[Sample] = []
    ctx = mp.get_context("spawn")
    lanes = args.publishers
    acked = [ctx.Value("q", 0) for _ in range(lanes)]
    published = [ctx.Value("q", 0) for _ in range(lanes)]
    result = ctx.Queue()
    with (
        bench_postgres(durable=not args.fast_pg) as pg,
        tempfile.TemporaryDirectory(prefix="soak-") as tmp,
    ):
        url = pg.create_database()
        print(f"PostgreSQL: {durability(url)}", file=sys.stderr)
        broker = MosquittoServer(find_mosquitto(), Path(tmp), extra_config="sys_interval 1\n")
        broker.start()
        assert broker._proc is not None
        broker_pid = broker._proc.pid
        metrics_port = free_port()
        worker = start_worker(
            broker, url, metrics_port, Path(tmp) / "spool", Path(tmp) / "worker.log"
        )
        watcher = SysWatcher(broker.port)
        pubs = [
            ctx.Process(
                target=publish,
                args=(
                    broker.port,
                    args.rate / lanes,
                    args.seconds,
                    t0_ms,
                    (p, lanes),
                    acked[p],
                    published[p],
                    result,
                ),
            )
            for p in range(lanes)
        ]
        started = time.monotonic()
        for pub in pubs:
            pub.start()
        load_end: float | None = None
        caught_up: float | None = None
        reports: list[tuple[int, list[int]]] = []
        try:
            while True:
                time.sleep(1.0)
                t = time.monotonic() - started
                m = scrape(metrics_port)
                phase = "load" if t <= args.seconds else "catchup"
                if phase == "catchup" and load_end is None:
                    load_end = t
                samples.append(
                    Sample(
                        t,
                        phase,
                        sum(v.value for v in published) * PER_MSG,
                        sum(v.value for v in acked) * PER_MSG,
                        m["venue_twin_readings_stored_total"],
                        m["venue_twin_readings_committed_total"],
                        m["venue_twin_queue_depth"],
                        m["venue_twin_spool_depth"],
                        watcher.values.get("count", float("nan")),
                        rss_mib(worker.pid),
                        rss_mib(broker_pid),
                    )
                )
                s = samples[-1]
                print(
                    f"  {t:5.0f} s {phase:7} acked {s.acked:>10,} stored {s.stored:>10,.0f}"
                    f" queue {s.queue:>7,.0f} worker {s.worker_rss_mib:4.0f} MiB",
                    file=sys.stderr,
                )
                # Read the publishers' reports as they come: a child cannot exit
                # before its queue is drained.
                with contextlib.suppress(queue.Empty):
                    reports.append(result.get_nowait())
                # Progress only; the verdict is read from the database below.
                done = len(reports) == lanes and s.stored >= s.acked and s.queue == 0
                if phase == "catchup" and done:
                    caught_up = t
                    break
                if t > args.seconds + args.catchup_timeout:
                    break
                if worker.poll() is not None:
                    print("the worker died", file=sys.stderr)
                    break
            while len(reports) < lanes:
                reports.append(result.get(timeout=180))
            total_msgs = sum(n for n, _ in reports)
            acked_seqs = [seq for _, seqs in reports for seq in seqs]
            for pub in pubs:
                pub.join(30)
            final = scrape(metrics_port)
            # Stop the worker cleanly first: it flushes what it holds, then the
            # store is read for the verdict.
            worker.send_signal(signal.SIGTERM)
            try:
                worker_rc: int | None = worker.wait(120)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker_rc = None
            log_text = (Path(tmp) / "worker.log").read_text(errors="replace")
            tracebacks = log_text.count("Traceback")
            reconnects = max(0, log_text.count("ingest connected to") - 1)
            rows, missing, doubled = verify(url, t0_ms, len(sensors), acked_seqs)
        finally:
            watcher.close()
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(60)
                except subprocess.TimeoutExpired:
                    worker.kill()
            broker.stop()
            for pub in pubs:
                if pub.is_alive():
                    pub.terminate()

    print_report(samples, every=args.every)
    load = [s for s in samples if s.phase == "load"]
    offered = total_msgs * PER_MSG
    peak_worker = max(s.worker_rss_mib for s in samples)
    peak_broker = max(s.broker_rss_mib for s in samples)
    peak_queue = max(s.queue for s in samples)
    print(
        f"\ntarget {TARGET_READINGS_PER_S:,} readings/s; offered {args.rate:,.0f}/s for "
        f"{args.seconds:.0f} s; the publisher managed {offered / args.seconds:,.0f}/s "
        f"({offered:,} readings in {total_msgs:,} messages of {PER_MSG})"
    )
    if load:
        last = load[-1]
        print(
            f"during the load: the broker acknowledged {last.acked / last.t:,.0f} readings/s, "
            f"the worker stored {last.stored / last.t:,.0f} readings/s"
        )
    if caught_up is not None and load_end is not None:
        print(f"catch-up after the load stopped: {caught_up - load_end:,.0f} s")
    else:
        print(f"NOT caught up within {args.catchup_timeout:.0f} s after the load")
    print(
        f"peak worker RSS {peak_worker:.0f} MiB; peak broker RSS {peak_broker:.0f} MiB; "
        f"peak writer queue {peak_queue:,.0f} readings"
    )
    print(
        f"bound on readings held by the worker: Receive Maximum {RECEIVE_MAXIMUM} x "
        f"{PER_MSG} readings = {RECEIVE_MAXIMUM * PER_MSG:,} (writer max_pending 200,000)"
    )
    print(
        f"database: {rows:,} rows; acknowledged messages {len(acked_seqs):,}; "
        f"not (yet) complete in the store: {missing}; stored twice: {doubled}"
    )
    redelivered = (
        final["venue_twin_readings_committed_total"] - final["venue_twin_readings_stored_total"]
    )
    print(
        f"worker: exit code {worker_rc}, {tracebacks} tracebacks in its log, "
        f"{reconnects} reconnects; readings committed again (redelivered): {redelivered:,.0f}"
    )
    if caught_up is None:
        # Not lost: ingest never acknowledged them, so the broker's persistent
        # session still holds them for the next worker.
        print("FAILED: no catch-up; the rest is still queued for the worker's session")
        return 1
    clean = worker_rc == 0 and tracebacks == 0
    ok = missing == 0 and doubled == 0 and clean
    if ok:
        print("OK: every acknowledged reading is in the store, once; the worker stopped cleanly")
    elif not clean:
        print("FAILED: the worker did not stop cleanly")
    else:
        print("FAILED: acknowledged readings lost")
    return 0 if ok else 1


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--rate",
        type=float,
        default=10 * TARGET_READINGS_PER_S,
        help="readings/s offered (default 10x the target: 500,000)",
    )
    ap.add_argument("--seconds", type=float, default=60.0, help="load duration (default 60)")
    ap.add_argument(
        "--catchup-timeout",
        type=float,
        default=900.0,
        help="give up waiting for the catch-up after this long (default 900 s)",
    )
    ap.add_argument(
        "--publishers",
        type=int,
        default=2,
        help="publisher processes sharing the offered rate (default 2)",
    )
    ap.add_argument("--every", type=int, default=5, help="print every Nth sample (default 5)")
    ap.add_argument(
        "--fast-pg", action="store_true", help="fsync etc. off (the test fixture's settings)"
    )
    sys.exit(run(ap.parse_args()))


if __name__ == "__main__":
    main()
