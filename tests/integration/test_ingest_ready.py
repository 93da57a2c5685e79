"""``wait_connected()`` means ready: what is published after it reaches a new session.

The service used to set ``connected`` at the CONNACK, before its SUBSCRIBE was
even written. A caller (a test, a start-up script, the health check) that
began publishing then could lose the first messages of a new persistent
session: the broker had no subscription for them yet. Under CPU load this
cost one reading in about 13 runs of the stop-while-behind test. Here the
network thread is held between the CONNACK and the SUBSCRIBE, as a busy
machine does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

import paho.mqtt.publish as publish
import pytest

from ingest.contract import Reading, Topics
from ingest.decode import Decoder
from ingest.encode import encode_reading
from ingest.metrics import IngestMetrics
from ingest.mqtt_settings import MqttSettings
from ingest.service import IngestService
from ingest.store.memory import MemoryStore
from tests.fixtures.mosquitto import MosquittoServer

pytestmark = pytest.mark.integration

T = Topics()


class _Sink:
    def __init__(self) -> None:
        self.stored: list[Reading] = []

    async def put(
        self, readings: Sequence[Reading], done: Callable[[], None] | None = None
    ) -> None:
        self.stored.extend(readings)
        if done is not None:
            done()


async def test_a_message_published_once_connected_reaches_a_new_session(
    mosquitto: MosquittoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = IngestService._on_connect

    def descheduled(self: IngestService, *args: Any) -> None:
        real(self, *args)
        time.sleep(0.5)  # the network thread loses the CPU before writing its SUBSCRIBE

    monkeypatch.setattr(IngestService, "_on_connect", descheduled)
    sink = _Sink()
    settings = MqttSettings(host=mosquitto.host, port=mosquitto.port, client_id="fresh-session")
    svc = IngestService(settings, T, Decoder(T), sink, MemoryStore(), IngestMetrics())
    reading = Reading("v", "s1", round(time.time() - 1, 3), 21.5)
    async with svc:
        await svc.wait_connected()
        await asyncio.to_thread(
            publish.single,
            T.sensor("v", "s1"),
            encode_reading(reading),
            qos=1,
            hostname=mosquitto.host,
            port=mosquitto.port,
        )
        deadline = time.monotonic() + 5
        while not sink.stored and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    assert [(r.sensor, r.value) for r in sink.stored] == [("s1", 21.5)]
