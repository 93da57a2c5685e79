"""Crashes, not clean stops: the database and the broker are killed mid-stream.

The PostgreSQL here runs on its durable defaults (``durable_postgres_server``):
a commit is on disk before the worker acknowledges the message to the broker.
Killing the postmaster and every backend (SIGKILL) or an immediate shutdown
leaves the WAL to replay; after recovery every reading the broker acknowledged
to the device must be stored exactly once. The same for the broker: Mosquitto
with persistence on is SIGKILLed, restarts from its persistence file, and the
device's QoS 1 session sends again whatever was not PUBACKed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest

from ingest.contract import Reading
from tests.fixtures.mosquitto import MosquittoServer
from tests.fixtures.postgres import PostgresServer
from tests.integration.stored_checks import expect_exactly_once, expect_spool_drained
from tests.integration.test_faults import _publish, _stream, _wait_metric, _wait_text
from tests.integration.test_ingest_recovery import Device, _env, _metric, worker
from venue_twin.embedded_broker import free_port

pytestmark = pytest.mark.integration

TOTAL, PER_MSG = 24_000, 100


@pytest.fixture
def durable_url(durable_postgres_server: PostgresServer) -> Iterator[str]:
    durable_postgres_server.start()
    url = durable_postgres_server.create_database()
    yield url
    durable_postgres_server.start()
    durable_postgres_server.drop_database(url.rsplit("/", 1)[1])


def _publish_in_background(device: Device, readings: list[Reading]) -> threading.Thread:
    thread = threading.Thread(target=_publish, args=(device, readings, PER_MSG, 0.002))
    thread.start()
    return thread


@pytest.mark.parametrize("crash", ["sigkill", "immediate"])
def test_a_database_crash_mid_stream_loses_nothing_acknowledged(
    mosquitto: MosquittoServer,
    durable_postgres_server: PostgresServer,
    durable_url: str,
    tmp_path: Path,
    crash: Literal["sigkill", "immediate"],
) -> None:
    server = durable_postgres_server
    assert server.settings()["fsync"] == "on" and server.settings()["synchronous_commit"] == "on"
    port, spool = free_port(), tmp_path / "spool"
    env = _env(
        mosquitto,
        durable_url,
        f"it-crash-{crash}",
        VENUE_TWIN_SPOOL_DIR=str(spool),
        VENUE_TWIN_METRICS_PORT=str(port),
    )
    readings = _stream(time.time() - 300, TOTAL)
    log_before = server.log_file.read_text(errors="replace")
    with worker(env, tmp_path / "w.log"):
        device = Device(mosquitto)
        _publish(device, readings[:6_000], PER_MSG, 0.002)
        _wait_metric(port, "venue_twin_readings_stored_total", ">=", 3_000)
        # Commits are flowing; crash while the stream goes on.
        during = _publish_in_background(device, readings[6_000:16_000])
        time.sleep(0.5)
        if crash == "sigkill":
            server.kill()
        else:
            server.stop(mode="immediate")
        during.join()
        time.sleep(1.0)
        server.start()  # crash recovery replays the WAL
        _publish(device, readings[16_000:], PER_MSG, 0.002)
        device.close()
        expect_exactly_once(durable_url, device.acknowledged(), published=readings)
        _wait_metric(port, "venue_twin_spool_depth", "==", 0)
    expect_spool_drained(spool)
    assert len(device.acknowledged()) == TOTAL
    recovered = server.log_file.read_text(errors="replace")[len(log_before) :]
    assert "database system was interrupted" in recovered or "redo starts at" in recovered, (
        "the server went through crash recovery"
    )


def test_a_broker_crash_mid_stream_loses_nothing_acknowledged(
    mosquitto: MosquittoServer, pg_url: str, tmp_path: Path
) -> None:
    """Mosquitto (persistence on) is SIGKILLed while a device publishes at QoS 1.

    The broker has saved ingest's session before it dies, as any deployment's
    broker has once the worker has been up for an autosave interval. Without
    that save the session dies with the broker, and whatever the device sends
    again before the worker resubscribes goes to no subscriber: that case is
    the next test's (it is reported, it cannot be undone).
    """
    port = free_port()
    env = _env(
        mosquitto,
        pg_url,
        "it-broker-crash",
        VENUE_TWIN_MQTT__PROTOCOL="5",
        VENUE_TWIN_METRICS_PORT=str(port),
    )
    readings = _stream(time.time() - 300, TOTAL)
    with worker(env, tmp_path / "w.log") as proc:
        device = Device(mosquitto)
        _publish(device, readings[:6_000], PER_MSG, 0.002)
        _wait_metric(port, "venue_twin_readings_stored_total", ">=", 3_000)
        mosquitto.save()  # ingest's session and subscriptions are on disk
        during = _publish_in_background(device, readings[6_000:16_000])
        time.sleep(0.5)
        mosquitto.kill()
        time.sleep(1.0)
        mosquitto.start()  # from its persistence file; both clients reconnect
        during.join()
        _publish(device, readings[16_000:], PER_MSG, 0.002)
        device.close()
        assert len(device.acknowledged()) == TOTAL, (
            "the device's session sent again what the dead broker had not acknowledged"
        )
        expect_exactly_once(pg_url, device.acknowledged(), published=readings)
        assert proc.poll() is None, "the worker survived the broker crash"
        assert _metric(port, "venue_twin_mqtt_sessions_lost_total") == 0, (
            "the restarted broker still held ingest's session"
        )


def test_a_broker_that_lost_ingests_session_is_reported_and_ingest_resubscribes(
    mosquitto: MosquittoServer, pg_url: str, tmp_path: Path
) -> None:
    """The broker comes back without ingest's session (its persistence file is gone).

    What was published in between had no subscriber: nothing can recover it, so
    the worker says so (a warning and a counter an operator can alert on), and
    its fresh subscriptions take everything from then on.
    """
    port, log = free_port(), tmp_path / "w.log"
    env = _env(
        mosquitto,
        pg_url,
        "it-broker-lost-session",
        VENUE_TWIN_MQTT__PROTOCOL="5",
        VENUE_TWIN_METRICS_PORT=str(port),
    )
    readings = _stream(time.time() - 300, 2_000)
    with worker(env, log):
        device = Device(mosquitto)
        _publish(device, readings[:1_000], PER_MSG, 0.002)
        _wait_metric(port, "venue_twin_readings_stored_total", ">=", 1_000)
        assert _metric(port, "venue_twin_mqtt_sessions_lost_total") == 0
        device.close()
        mosquitto.stop()  # a clean stop saves the sessions...
        mosquitto.persistence_file.unlink()  # ...and the broker loses them anyway
        mosquitto.start()
        _wait_metric(port, "venue_twin_mqtt_sessions_lost_total", "==", 1)
        _wait_text(log, ("no longer held ingest's session",), timeout=10)
        device = Device(mosquitto)
        # The counter moves at the CONNACK, the subscriptions come a moment later:
        # one batch is sent again until it is stored.
        deadline = time.monotonic() + 30
        while _metric(port, "venue_twin_readings_stored_total") < 1_000 + PER_MSG:
            assert time.monotonic() < deadline, "ingest did not resubscribe"
            device.publish(readings[1_000 : 1_000 + PER_MSG])
            time.sleep(0.3)
        _publish(device, readings[1_000 + PER_MSG :], PER_MSG, 0.002)
        device.close()
        expect_exactly_once(pg_url, device.acknowledged(), published=readings)
