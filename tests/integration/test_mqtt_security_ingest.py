"""Our ingest, over TLS with credentials, against the shipped Mosquitto config and ACL.

The same broker as ``test_mqtt_security.py`` (``tests/fixtures/shipped_mosquitto.py``):
``IngestService`` configured through ``MqttSettings``, and the ``venue-twin
ingest`` command configured through environment variables, as docker-compose does.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from ingest.contract import Reading, Topics
from ingest.decode import Decoder
from ingest.encode import encode_batch
from ingest.metrics import IngestMetrics
from ingest.mqtt_settings import MqttSettings
from ingest.service import IngestService
from ingest.store import MemoryStore
from tests.fixtures.certs import make_pki
from tests.fixtures.mosquitto import find_mosquitto
from tests.fixtures.shipped_mosquitto import (
    PASSWORDS,
    TIMEOUT,
    TWIN,
    VENUE_A,
    VENUE_B,
    Peer,
    ShippedBroker,
    TlsListener,
    free_port,
    running_broker,
    tls_context,
)

pytestmark = pytest.mark.integration

TOPICS = Topics()


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShippedBroker]:
    pki = make_pki(tmp_path_factory.mktemp("pki"))
    with running_broker(tmp_path_factory.mktemp("shipped"), pki) as server:
        yield server


class CollectingSink:
    """The writer's side of ingest: keeps readings and commits at once."""

    def __init__(self) -> None:
        self.readings: list[Reading] = []

    async def put(
        self, readings: Sequence[Reading], done: Callable[[], None] | None = None
    ) -> None:
        self.readings.extend(readings)
        if done is not None:
            done()


def _ingest_settings(broker: ShippedBroker, **overrides: object) -> MqttSettings:
    assert broker.tls is not None
    base = MqttSettings(
        host="localhost",  # verified against the server certificate's names
        port=broker.tls.port,
        username=TWIN,
        password=PASSWORDS[TWIN],
        tls=True,
        ca_file=str(broker.tls.pki.ca_cert),
        client_id=f"ingest-{secrets.token_hex(4)}",
    )
    return dataclasses.replace(base, **overrides)  # type: ignore[arg-type]


async def _device_publishes(broker: ShippedBroker, messages: list[tuple[str, bytes]]) -> None:
    assert broker.tls is not None
    device = Peer(
        broker.tls.port, VENUE_A, PASSWORDS[VENUE_A], tls=tls_context(broker.tls.pki.ca_cert)
    )
    assert (await asyncio.to_thread(device.connect)).value == 0
    try:
        for topic, payload in messages:
            await asyncio.to_thread(device.publish, topic, payload)
    finally:
        device.close()


async def test_ingest_service_ingests_over_tls_with_credentials(broker: ShippedBroker) -> None:
    now = round(time.time(), 3)
    mine = [
        Reading(VENUE_A, "gallery-a-rh", now, 48.0),
        Reading(VENUE_A, "gallery-a-co2", now, 612.0),
    ]
    sink, store = CollectingSink(), MemoryStore()
    await store.open()
    service = IngestService(
        _ingest_settings(broker), TOPICS, Decoder(TOPICS), sink, store, IngestMetrics()
    )
    async with service:
        await service.wait_connected(timeout=TIMEOUT)
        await _device_publishes(
            broker,
            [
                (
                    TOPICS.batch(VENUE_B),
                    encode_batch([dataclasses.replace(mine[0], venue=VENUE_B)]),
                ),
                (TOPICS.batch(VENUE_A), encode_batch(mine)),
            ],
        )
        for _ in range(200):
            if sink.readings:
                break
            await asyncio.sleep(0.05)
    assert sink.readings == mine
    assert service.metrics.snapshot()["messages"] == 1  # venue B's batch never arrived


@pytest.mark.parametrize(
    "change",
    [{"password": "not-the-password"}, {"ca_file": None}, {"tls": False}],
    ids=["wrong-password", "no-ca", "plain-on-tls-port"],
)
async def test_ingest_does_not_connect_with_bad_credentials_or_trust(
    broker: ShippedBroker, change: dict[str, object]
) -> None:
    sink, store = CollectingSink(), MemoryStore()
    await store.open()
    service = IngestService(
        _ingest_settings(broker, **change), TOPICS, Decoder(TOPICS), sink, store, IngestMetrics()
    )
    async with service:
        with pytest.raises(TimeoutError):
            await service.wait_connected(timeout=1.5)


def test_the_ingest_command_ingests_over_tls_with_settings_from_the_environment(
    broker: ShippedBroker, tmp_path: Path
) -> None:
    assert broker.tls is not None
    db = tmp_path / "ingest.sqlite3"
    secret = tmp_path / "mqtt-password"
    secret.write_text(PASSWORDS[TWIN] + "\n")
    env = {
        **os.environ,
        "COLUMNS": "200",
        "VENUE_TWIN_STORE_URL": f"sqlite:///{db}",
        "VENUE_TWIN_MQTT__HOST": "localhost",
        "VENUE_TWIN_MQTT__PORT": str(broker.tls.port),
        "VENUE_TWIN_MQTT__USERNAME": TWIN,
        "VENUE_TWIN_MQTT__PASSWORD_FILE": str(secret),
        "VENUE_TWIN_MQTT__TLS": "true",
        "VENUE_TWIN_MQTT__CA_FILE": str(broker.tls.pki.ca_cert),
        "VENUE_TWIN_MQTT__CLIENT_ID": f"cli-ingest-{secrets.token_hex(4)}",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "venue_twin.cli", "ingest"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # wait until it has subscribed
            if "ingest running" in line:
                break
        now = round(time.time(), 3)
        batch = [
            Reading(VENUE_A, "gallery-a-temp", now, 21.5),
            Reading(VENUE_A, "gallery-a-rh", now, 48.0),
        ]
        asyncio.run(_device_publishes(broker, [(TOPICS.batch(VENUE_A), encode_batch(batch))]))
        stored: list[tuple[str, float]] = []
        for _ in range(100):
            with contextlib.suppress(sqlite3.OperationalError), sqlite3.connect(db) as conn:
                stored = conn.execute(
                    "SELECT sensor, value FROM readings ORDER BY sensor"
                ).fetchall()
            if stored:
                break
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert stored == [("gallery-a-rh", 48.0), ("gallery-a-temp", 21.5)]
    assert proc.returncode == 0, out
    assert "stopped: 2 readings stored" in out
    assert PASSWORDS[TWIN] not in out


async def test_a_device_cannot_stop_ingest_with_a_malformed_payload(
    broker: ShippedBroker,
) -> None:
    now = round(time.time(), 3)
    good = Reading(VENUE_A, "gallery-a-temp", now, 21.5)
    sink, store = CollectingSink(), MemoryStore()
    await store.open()
    service = IngestService(
        _ingest_settings(broker), TOPICS, Decoder(TOPICS), sink, store, IngestMetrics()
    )
    async with service:
        await service.wait_connected(timeout=TIMEOUT)
        await _device_publishes(
            broker,
            [
                (TOPICS.sensor(VENUE_A, "gallery-a-temp"), b'{"value": 1, "ts": "\xff"}'),
                (TOPICS.batch(VENUE_A), encode_batch([good])),
            ],
        )
        for _ in range(60):
            if sink.readings:
                break
            await asyncio.sleep(0.05)
    assert sink.readings == [good]


async def test_with_client_certificates_required_ingest_connects_only_with_its_certificate(
    tmp_path: Path,
) -> None:
    """The shipped TLS block with ``require_certificate true``: mutual TLS."""
    pki = make_pki(tmp_path / "pki")
    server = ShippedBroker(
        find_mosquitto(),
        tmp_path / "broker",
        tls=TlsListener(free_port(), pki, require_certificate=True),
    )
    (tmp_path / "broker").mkdir()
    server.start()
    try:
        with_cert = dataclasses.replace(
            _ingest_settings(server),
            cert_file=str(pki.client_cert),
            key_file=str(pki.client_key),
        )
        outcomes = []
        for settings in (with_cert, _ingest_settings(server)):
            service = IngestService(
                settings, TOPICS, Decoder(TOPICS), CollectingSink(), MemoryStore(), IngestMetrics()
            )
            async with service:
                try:
                    await service.wait_connected(timeout=3.0)
                    outcomes.append("connected")
                except TimeoutError:
                    outcomes.append("refused")
    finally:
        server.stop()
    assert outcomes == ["connected", "refused"]
