"""Faults: broker restart, database restart and outage, a full spool disk, flow control.

Everything is real: Mosquitto and PostgreSQL started by fixtures, ingest as
``venue-twin ingest`` processes, and a QoS 1 device
that records what the broker acknowledged to it. The promise under test is
the one a site relies on: a reading the broker acknowledged is stored exactly
once, whatever fails in between, and overload holds the broker back instead
of dropping data or growing memory.
"""

from __future__ import annotations

import logging
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ingest.contract import Reading
from ingest.store.spool import Spool
from tests.fixtures.mosquitto import MosquittoServer, find_mosquitto
from tests.fixtures.postgres import PostgresServer
from tests.integration.stored_checks import expect_exactly_once, expect_spool_drained
from tests.integration.test_ingest_recovery import (
    SENSORS,
    Device,
    V,
    _env,
    _metric,
    worker,
)
from venue_twin.embedded_broker import free_port

pytestmark = pytest.mark.integration

# MQTT 5 Receive Maximum the ingest service asks for (IngestService default):
# at most this many unacknowledged messages are ever handed to one worker.
RECEIVE_MAXIMUM = 1000


# Plausible values per sensor kind, so the twin's analytics see a quiet venue
# (out-of-range values would flood the log with alarms and slow every test).
_BASE = {"temp": 20.0, "rh": 50.0, "co2": 600.0}


def _stream(start: float, n: int) -> list[Reading]:
    """``n`` readings over SENSORS round-robin, 1 ms apart per sensor, distinct values."""
    out: list[Reading] = []
    for i in range(n):
        sensor = SENSORS[i % len(SENSORS)]
        value = _BASE[sensor.rsplit("-", 1)[1]] + (i % 1000) * 0.001
        out.append(Reading(V, sensor, round(start + (i // len(SENSORS)) * 0.001, 3), value))
    return out


def _publish(device: Device, readings: list[Reading], per_msg: int, pause: float) -> None:
    for i in range(0, len(readings), per_msg):
        device.publish(readings[i : i + per_msg])
        if pause:
            time.sleep(pause)


def _wait_metric(port: int, name: str, pred: str, value: float, timeout: float = 30) -> float:
    """Poll a Prometheus metric until it is ``>=`` or ``==`` ``value``; returns the last seen."""
    deadline = time.monotonic() + timeout
    seen = _metric(port, name)
    while time.monotonic() < deadline:
        seen = _metric(port, name)
        if (pred == ">=" and seen >= value) or (pred == "==" and seen == value):
            return seen
        time.sleep(0.2)
    raise AssertionError(f"{name} stayed at {seen}, wanted {pred} {value}")


def _wait_text(log: Path, needles: tuple[str, ...], timeout: float) -> str:
    """The log once it holds one of ``needles``."""
    deadline = time.monotonic() + timeout
    text = log.read_text(errors="replace")
    while not any(n in text for n in needles):
        if time.monotonic() > deadline:
            raise AssertionError(f"none of {needles} in the log: {text[-2000:]}")
        time.sleep(0.2)
        text = log.read_text(errors="replace")
    return text


# -- broker ------------------------------------------------------------------


def test_broker_restart_mid_stream_loses_nothing_acknowledged(
    mosquitto: MosquittoServer, pg_url: str, tmp_path: Path
) -> None:
    env = _env(mosquitto, pg_url, "it-broker-restart", VENUE_TWIN_MQTT__PROTOCOL="5")
    readings = _stream(time.time() - 120, 30_000)
    log = tmp_path / "w.log"
    with worker(env, log) as proc:
        device = Device(mosquitto)
        _publish(device, readings[:10_000], 100, 0.002)
        mosquitto.stop()  # unacked deliveries stay in the worker's persistent session
        # The device keeps producing while the broker is away (paho queues QoS 1).
        _publish(device, readings[10_000:15_000], 100, 0.0)
        time.sleep(2)
        mosquitto.start()
        _publish(device, readings[15_000:], 100, 0.002)
        device.close()
        expect_exactly_once(pg_url, device.acknowledged(), published=readings)
        # Readings published after the restart are stored: the worker reconnected.
        assert proc.poll() is None, "the worker survived the broker restart"
    assert len(device.acknowledged()) == 30_000


# -- database ----------------------------------------------------------------


def test_database_restart_mid_stream_loses_nothing(
    mosquitto: MosquittoServer, postgres_server: PostgresServer, pg_url: str, tmp_path: Path
) -> None:
    env = _env(mosquitto, pg_url, "it-db-restart", VENUE_TWIN_SPOOL_DIR=str(tmp_path / "spool"))
    readings = _stream(time.time() - 120, 20_000)
    with worker(env, tmp_path / "w.log"):
        device = Device(mosquitto)
        _publish(device, readings[:8_000], 100, 0.002)
        postgres_server.stop()  # fast shutdown: open connections are cut
        postgres_server.start()
        _publish(device, readings[8_000:], 100, 0.002)
        device.close()
        expect_exactly_once(pg_url, device.acknowledged(), published=readings)
    expect_spool_drained(tmp_path / "spool")
    assert len(device.acknowledged()) == 20_000


def test_a_60_second_database_outage_spools_or_holds_the_broker_back_and_loses_nothing(
    mosquitto: MosquittoServer, postgres_server: PostgresServer, pg_url: str, tmp_path: Path
) -> None:
    """Two pipelines through one outage: one with a disk spool, one without.

    With the spool the worker keeps acknowledging (its readings are fsynced to
    disk). Without it the writer queue fills to ``writer_max_pending``, acks
    stop, and the broker holds everything beyond Receive Maximum messages.
    """
    max_pending, per_msg = 5_000, 20
    broker2 = MosquittoServer(find_mosquitto(), tmp_path / "mq2")
    broker2.workdir.mkdir()
    broker2.start()
    url2 = postgres_server.create_database()
    ports = {"spooled": free_port(), "held": free_port()}
    spooled = _env(
        mosquitto,
        pg_url,
        "it-outage-spooled",
        VENUE_TWIN_SPOOL_DIR=str(tmp_path / "spool"),
        VENUE_TWIN_METRICS_PORT=str(ports["spooled"]),
    )
    held = _env(
        broker2,
        url2,
        "it-outage-held",
        VENUE_TWIN_WRITER_MAX_PENDING=str(max_pending),
        VENUE_TWIN_METRICS_PORT=str(ports["held"]),
    )
    before, during = 5_000, 60_000
    readings = _stream(time.time() - 300, before + during)
    try:
        with worker(spooled, tmp_path / "spooled.log"), worker(held, tmp_path / "held.log"):
            dev_spooled, dev_held = Device(mosquitto), Device(broker2)
            for dev in (dev_spooled, dev_held):
                _publish(dev, readings[:before], per_msg, 0.001)
            _wait_metric(ports["held"], "venue_twin_readings_stored_total", ">=", before)
            _wait_metric(ports["spooled"], "venue_twin_readings_stored_total", ">=", before)

            postgres_server.stop()
            back_at = time.monotonic() + 60
            for i in range(before, before + during, per_msg * 100):
                for dev in (dev_spooled, dev_held):
                    _publish(dev, readings[i : i + per_msg * 100], per_msg, 0.0)
                time.sleep(0.5)
            # Let both workers take what they can while the database is still down.
            _wait_metric(ports["spooled"], "venue_twin_spool_depth", ">=", during, timeout=40)
            received = _metric(ports["held"], "venue_twin_readings_received_total")
            queue = _metric(ports["held"], "venue_twin_queue_depth")
            stored = _metric(ports["held"], "venue_twin_readings_stored_total")
            assert queue <= max_pending, f"the writer queue is bounded: {queue}"
            assert received - stored <= RECEIVE_MAXIMUM * per_msg, (
                f"the held worker took {received - stored:.0f} readings it could not store: "
                "the broker should have stopped at Receive Maximum unacked messages"
            )
            time.sleep(max(0.0, back_at - time.monotonic()))
            assert _metric(ports["held"], "venue_twin_readings_received_total") == received, (
                "acks stopped, so the broker sent nothing more during the outage"
            )

            postgres_server.start()
            for dev in (dev_spooled, dev_held):
                dev.close()
            expect_exactly_once(pg_url, dev_spooled.acknowledged(), published=readings)
            expect_exactly_once(url2, dev_held.acknowledged(), published=readings)
            _wait_metric(ports["spooled"], "venue_twin_spool_depth", "==", 0)
        expect_spool_drained(tmp_path / "spool")
    finally:
        broker2.stop()
        postgres_server.start()
        postgres_server.drop_database(url2.rsplit("/", 1)[1])
    assert len(dev_spooled.acknowledged()) == len(dev_held.acknowledged()) == before + during


# -- a full spool disk -------------------------------------------------------


@contextmanager
def small_filesystem(where: Path, size_kib: int) -> Iterator[bool]:
    """A tmpfs of ``size_kib`` mounted at ``where``; yields False if mounting is not allowed."""
    where.mkdir(parents=True, exist_ok=True)
    mounted = (
        shutil.which("mount") is not None
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(where)],
            capture_output=True,
            check=False,
        ).returncode
        == 0
    )
    try:
        yield mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def _spool_contents(directory: Path, copy_to: Path, caplog: pytest.LogCaptureFixture) -> int:
    """Read a copy of a spool end to end; fails on any torn or corrupt record."""
    shutil.copytree(directory, copy_to)
    with caplog.at_level(logging.WARNING, logger="ingest.store.spool"):
        spool = Spool(copy_to)
        expected, seen = spool.readings, 0
        while (record := spool.peek()) is not None:
            assert all(r.venue == V and r.sensor in SENSORS for r in record.readings)
            seen += len(record.readings)
            spool.consume(record)
    torn = [r.getMessage() for r in caplog.records if r.name == "ingest.store.spool"]
    assert not torn, f"a spool segment is corrupt: {torn}"
    assert seen == expected
    return seen


def test_a_full_spool_disk_holds_the_broker_back_and_loses_nothing(
    mosquitto: MosquittoServer,
    postgres_server: PostgresServer,
    pg_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The spool's filesystem fills up during a database outage.

    A 1 MiB tmpfs holds about 20,000 spooled readings. When it is full the
    worker must say so in its log, keep every segment readable and stop
    acknowledging. What it has not acknowledged is the broker's to keep: the
    worker is even SIGKILLed while the disk is full, and once the database is
    back a new worker (same session, same spool) delivers everything.
    Where ``mount`` is not allowed, a spool capped at the same size stands in
    for the small filesystem.
    """
    max_pending, per_msg, size_kib = 5_000, 20, 1024
    spool_dir = tmp_path / "spool"
    port = free_port()
    with small_filesystem(spool_dir, size_kib) as mounted:
        extra = {} if mounted else {"VENUE_TWIN_SPOOL_MAX_BYTES": str(size_kib * 1024)}
        env = _env(
            mosquitto,
            pg_url,
            "it-spool-full",
            VENUE_TWIN_SPOOL_DIR=str(spool_dir),
            VENUE_TWIN_WRITER_MAX_PENDING=str(max_pending),
            VENUE_TWIN_METRICS_PORT=str(port),
            **extra,
        )
        readings = _stream(time.time() - 300, 60_000)
        log = tmp_path / "w1.log"
        device = Device(mosquitto)
        with worker(env, log) as proc:
            _publish(device, readings[:2_000], per_msg, 0.001)
            _wait_metric(port, "venue_twin_readings_stored_total", ">=", 2_000)
            postgres_server.stop()
            _publish(device, readings[2_000:], per_msg, 0.0005)
            needle = "spool disk full: no space left" if mounted else "spool full"
            text = _wait_text(log, (needle,), timeout=40)
            assert "spool write failed" not in text, "a full disk is reported as such"

            # Acknowledgements stop: nothing more is spooled, the rest waits unacked.
            spooled = _metric(port, "venue_twin_spool_depth")
            time.sleep(3)
            assert _metric(port, "venue_twin_spool_depth") == spooled
            received = _metric(port, "venue_twin_readings_received_total")
            assert received > 2_000 + spooled, "readings are waiting unacknowledged"
            assert 0 < spooled <= size_kib * 1024 // 40, "the spool holds what fits, no more"
            assert _spool_contents(spool_dir, tmp_path / "spool-copy", caplog) == spooled
            proc.send_signal(signal.SIGKILL)  # what was not acked must still be at the broker
            proc.wait(10)

        postgres_server.start()
        with worker(env, tmp_path / "w2.log"):
            device.close()
            expect_exactly_once(pg_url, device.acknowledged(), published=readings)
            _wait_metric(port, "venue_twin_spool_depth", "==", 0)
        expect_spool_drained(spool_dir)
        assert len(device.acknowledged()) == len(readings)
        if mounted:
            assert not [p for p in spool_dir.iterdir() if p.stat().st_size], "spool drained"


def test_a_worker_starts_during_a_database_outage_and_spools(
    mosquitto: MosquittoServer, postgres_server: PostgresServer, pg_url: str, tmp_path: Path
) -> None:
    """A worker restarted (crash, deploy, reboot) while the database is down.

    It starts at once, reports the store as down, spools (and so acknowledges)
    what arrives, and once the database is back migrates the empty database and
    stores everything exactly once.
    """
    port = free_port()
    env = _env(
        mosquitto,
        pg_url,
        "it-start-outage",
        VENUE_TWIN_SPOOL_DIR=str(tmp_path / "sp"),
        VENUE_TWIN_METRICS_PORT=str(port),
    )
    postgres_server.stop()
    readings = _stream(time.time() - 120, 2_000)
    log = tmp_path / "w.log"
    try:
        with worker(env, log):
            assert _metric(port, "venue_twin_store_connected") == 0
            device = Device(mosquitto)
            _publish(device, readings, 100, 0.0)
            _wait_metric(port, "venue_twin_spool_depth", "==", len(readings))
            assert _metric(port, "venue_twin_readings_stored_total") == 0
            postgres_server.start()
            _wait_metric(port, "venue_twin_store_connected", "==", 1)
            device.close()
            expect_exactly_once(pg_url, device.acknowledged(), published=readings)
            _wait_metric(port, "venue_twin_spool_depth", "==", 0)
    finally:
        postgres_server.start()
    expect_spool_drained(tmp_path / "sp")
    assert len(device.acknowledged()) == len(readings)
    text = log.read_text(errors="replace")
    # One line when the outage starts and one when it ends, not one per attempt.
    assert text.count("at start-up; connecting in the background") == 1, text[-3000:]
    assert text.count("reachable again") == 1, text[-3000:]


def test_a_worker_holds_at_most_receive_maximum_unacknowledged_messages(
    mosquitto: MosquittoServer, postgres_server: PostgresServer, pg_url: str, tmp_path: Path
) -> None:
    """The worker's memory bound: Receive Maximum messages, whatever the backlog.

    A small spool takes a few hundred messages during an outage (so acks flow),
    then fills up; from then on the broker must hold the rest.
    """
    per_msg, port = 20, free_port()
    env = _env(
        mosquitto,
        pg_url,
        "it-receive-maximum",
        VENUE_TWIN_SPOOL_DIR=str(tmp_path / "spool"),
        VENUE_TWIN_SPOOL_MAX_BYTES=str(400 * 1024),
        VENUE_TWIN_WRITER_MAX_PENDING="2000",
        VENUE_TWIN_METRICS_PORT=str(port),
    )
    readings = _stream(time.time() - 300, 80_000)
    log = tmp_path / "w.log"
    try:
        with worker(env, log):
            postgres_server.stop()
            device = Device(mosquitto)
            _publish(device, readings, per_msg, 0.0)
            _wait_text(log, ("spool full",), timeout=60)
            time.sleep(3)
            received = _metric(port, "venue_twin_readings_received_total")
            done = _metric(port, "venue_twin_readings_stored_total") + _metric(
                port, "venue_twin_spool_depth"
            )
            postgres_server.start()
            device.close()
            expect_exactly_once(pg_url, device.acknowledged(), published=readings)
    finally:
        postgres_server.start()
    assert received - done <= RECEIVE_MAXIMUM * per_msg, (
        f"the worker holds {received - done:.0f} unacknowledged readings"
    )
