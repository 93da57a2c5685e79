"""At-least-once delivery: crashes, outages and several workers lose and double nothing.

Ingest runs as real ``venue-twin ingest`` processes against a real Mosquitto
and PostgreSQL; a device publishes at QoS 1 and counts what the broker
acknowledged to it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from ingest.contract import Reading, Topics
from ingest.encode import encode_batch
from tests.fixtures.mosquitto import MosquittoServer
from tests.fixtures.postgres import PostgresServer
from tests.integration.stored_checks import expect_exactly_once
from venue_twin.embedded_broker import free_port

pytestmark = pytest.mark.integration

V = "museum-wing"
SENSORS = ["gallery-a-temp", "gallery-a-rh", "gallery-b-temp", "gallery-c-co2"]
T = Topics()


def _env(mq: MosquittoServer, url: str, client_id: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        VENUE_TWIN_STORE_URL=url,
        VENUE_TWIN_MQTT__HOST=mq.host,
        VENUE_TWIN_MQTT__PORT=str(mq.port),
        VENUE_TWIN_MQTT__CLIENT_ID=client_id,
        VENUE_TWIN_MQTT__QOS="1",
        VENUE_TWIN_WRITER_MAX_DELAY_S="0.2",
        **extra,
    )
    return env


@contextmanager
def worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "venue_twin.cli", "ingest"], env=env, stdout=out, stderr=out
        )
    try:
        _wait_log(log, "ingest running", proc)
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_log(log: Path, text: str, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            raise AssertionError(f"worker exited: {log.read_text(errors='replace')}")
        time.sleep(0.1)
    raise AssertionError(f"worker did not print {text!r}: {log.read_text(errors='replace')}")


class Device:
    """A QoS 1 publisher that records which messages the broker acknowledged."""

    def __init__(self, mq: MosquittoServer) -> None:
        self.acked: set[int] = set()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"device-{time.time_ns()}", protocol=mqtt.MQTTv5
        )
        self.client.on_publish = lambda _c, _u, mid, _rc, _p: self.acked.add(mid)
        self.client.connect(mq.host, mq.port)
        self.client.loop_start()
        self.mids: dict[int, list[Reading]] = {}

    def publish(self, readings: list[Reading]) -> None:
        info = self.client.publish(T.batch(V), encode_batch(readings), qos=1)
        self.mids[info.mid] = readings

    def acknowledged(self) -> list[Reading]:
        return [r for mid, rs in self.mids.items() if mid in self.acked for r in rs]

    def close(self) -> None:
        deadline = time.monotonic() + 30
        while len(self.acked) < len(self.mids) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.client.loop_stop()
        self.client.disconnect()


def _stream(start: float, n: int) -> list[Reading]:
    return [
        Reading(
            V, SENSORS[i % len(SENSORS)], round(start + (i // len(SENSORS)) * 0.001, 3), float(i)
        )
        for i in range(n)
    ]


def _expect_exactly_once(url: str, acked: list[Reading]) -> None:
    # The checks that can fail (the primary key makes a duplicate row impossible).
    expect_exactly_once(url, acked)


def test_sigkill_mid_stream_loses_nothing_the_broker_acknowledged(
    mosquitto: MosquittoServer, pg_url: str, tmp_path: Path
) -> None:
    env = _env(mosquitto, pg_url, "it-kill-worker", VENUE_TWIN_MQTT__PROTOCOL="5")
    readings = _stream(time.time() - 120, 40_000)
    device = Device(mosquitto)
    with worker(env, tmp_path / "w1.log") as proc:
        for i in range(0, 20_000, 100):
            device.publish(readings[i : i + 100])
            time.sleep(0.002)
        proc.send_signal(signal.SIGKILL)  # no flush, no goodbye
        proc.wait(10)
    for i in range(20_000, 40_000, 100):  # the stream goes on while ingest is down
        device.publish(readings[i : i + 100])
    device.close()
    with worker(env, tmp_path / "w2.log"):
        _expect_exactly_once(pg_url, device.acknowledged())
    assert len(device.acknowledged()) == 40_000


def test_a_30_second_database_outage_loses_nothing(
    mosquitto: MosquittoServer, postgres_server: PostgresServer, pg_url: str, tmp_path: Path
) -> None:
    env = _env(
        mosquitto,
        pg_url,
        "it-outage-worker",
        VENUE_TWIN_SPOOL_DIR=str(tmp_path / "spool"),
    )
    readings = _stream(time.time() - 120, 30_000)
    device = Device(mosquitto)
    with worker(env, tmp_path / "w.log"):
        for i in range(0, 10_000, 100):
            device.publish(readings[i : i + 100])
            time.sleep(0.002)
        postgres_server.stop()
        down_until = time.monotonic() + 30
        for i in range(10_000, 30_000, 100):
            device.publish(readings[i : i + 100])
            time.sleep(0.01)
        time.sleep(max(0.0, down_until - time.monotonic()))
        postgres_server.start()
        device.close()
        _expect_exactly_once(pg_url, device.acknowledged())
    assert len(device.acknowledged()) == 30_000


def _metric(port: int, name: str) -> float:
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    for line in body.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not exported")


def test_two_workers_share_the_stream_through_a_shared_subscription(
    mosquitto: MosquittoServer, pg_url: str, tmp_path: Path
) -> None:
    ports = [free_port(), free_port()]
    envs = [
        _env(
            mosquitto,
            pg_url,
            f"it-shared-{i}",
            VENUE_TWIN_MQTT__SHARED_GROUP="ingest",
            VENUE_TWIN_METRICS_PORT=str(ports[i]),
        )
        for i in range(2)
    ]
    readings = _stream(time.time() - 120, 20_000)
    with worker(envs[0], tmp_path / "a.log"), worker(envs[1], tmp_path / "b.log"):
        device = Device(mosquitto)
        for i in range(0, len(readings), 50):
            device.publish(readings[i : i + 50])
            time.sleep(0.001)
        device.close()
        _expect_exactly_once(pg_url, device.acknowledged())
        shares = [_metric(p, "venue_twin_readings_stored_total") for p in ports]
    assert sum(shares) == 20_000, f"each reading is handled by exactly one worker: {shares}"
    assert min(shares) > 2_000, f"both workers took a real share: {shares}"
