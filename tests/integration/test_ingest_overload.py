"""Overload against a real Mosquitto: backpressure keeps the session, shutdown leaves no debris.

- A writer that takes nothing for longer than the broker's keepalive timeout
  (1.5 keepalives) must not cost the connection: a dropped connection makes
  the broker deliver every unacknowledged message again (stored twice).
- Stopping while behind must not log ``Task exception was never retrieved``
  (``WriterClosed``), and what was not committed stays with the broker for the
  next start: nothing published is lost.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from ingest.contract import Reading, Topics
from ingest.decode import Decoder
from ingest.encode import encode_reading
from ingest.metrics import IngestMetrics
from ingest.mqtt_settings import MqttSettings
from ingest.service import IngestService
from ingest.store.memory import MemoryStore
from ingest.store.rows import to_ms
from ingest.store.writer import BatchWriter
from tests.fixtures.mosquitto import MosquittoServer

pytestmark = pytest.mark.integration

T = Topics()
V = "v"


class GatedSink:
    """A writer that accepts nothing until the gate opens."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.stored: list[Reading] = []

    async def put(
        self, readings: Sequence[Reading], done: Callable[[], None] | None = None
    ) -> None:
        await self.gate.wait()
        self.stored.extend(readings)
        if done is not None:
            done()


class SlowStore(MemoryStore):
    """A store that takes ``delay_s`` per write (a database behind its load)."""

    def __init__(self, delay_s: float) -> None:
        super().__init__()
        self.delay_s = delay_s

    async def write_readings(self, readings: Sequence[Reading]) -> int:
        await asyncio.sleep(self.delay_s)
        return await super().write_readings(readings)


def _keys(readings: Sequence[Reading]) -> set[tuple[str, int]]:
    return {(r.sensor, to_ms(r.ts)) for r in readings}


def _stored(store: MemoryStore) -> set[tuple[str, int]]:
    return {(sensor, ms) for (_v, sensor), points in store._series.items() for ms in points}


def _publish(broker: MosquittoServer, n: int) -> list[Reading]:
    """Publish ``n`` single-reading QoS 1 messages; returns them once the broker has them all."""
    acked = [0]
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="dev", protocol=mqtt.MQTTv5)
    client.max_inflight_messages_set(1000)
    client.on_publish = lambda *_a: acked.__setitem__(0, acked[0] + 1)
    client.connect(broker.host, broker.port)
    client.loop_start()
    now = time.time()
    out = []
    for i in range(n):
        r = Reading(V, f"s{i % 20}", round(now - 100 + i * 0.001, 3), float(i))
        client.publish(T.sensor(V, r.sensor), encode_reading(r), qos=1)
        out.append(r)
    deadline = time.monotonic() + 30
    while acked[0] < n and time.monotonic() < deadline:
        time.sleep(0.02)
    client.loop_stop()
    client.disconnect()
    assert acked[0] == n
    return out


def _service(broker: MosquittoServer, sink: Any, store: MemoryStore, **kw: Any) -> IngestService:
    settings = MqttSettings(
        host=broker.host, port=broker.port, client_id="ingest-under-test", keepalive_s=2
    )
    return IngestService(
        settings, T, Decoder(T), sink, store, IngestMetrics(), receive_maximum=40, **kw
    )


async def test_a_writer_stalled_past_the_keepalive_keeps_the_connection(
    mosquitto: MosquittoServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ingest.service")
    sink = GatedSink()
    sink.gate.set()
    svc = _service(mosquitto, sink, MemoryStore())
    async with svc:
        await svc.wait_connected()
        publishing = asyncio.create_task(asyncio.to_thread(_publish, mosquitto, 3000))
        # Acknowledgements flow first (Mosquitto then sends past Receive Maximum)...
        while len(sink.stored) < 200:
            await asyncio.sleep(0.01)
        # ...then 6 s without a commit: twice the broker's 3 s (1.5 x keepalive) timeout.
        sink.gate.clear()
        peak = 0
        for _ in range(60):
            await asyncio.sleep(0.1)
            peak = max(peak, len(svc._inbox))
        assert svc.connected.is_set()
        sink.gate.set()
        sent = await publishing
        deadline = time.monotonic() + 30
        while len(sink.stored) < len(sent) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # anything delivered twice would arrive now
    disconnects = [r for r in caplog.records if "ingest disconnected" in r.getMessage()]
    assert disconnects[:-1] == []  # only the final, deliberate one
    # Bounded while stalled: the reading pauses at the inbox limit.
    assert peak <= 2 * svc._inbox_limit
    assert sorted(sink.stored, key=lambda r: r.value) == sent  # all, and none twice


async def test_stopping_while_behind_leaves_the_rest_to_the_broker(
    mosquitto: MosquittoServer, caplog: pytest.LogCaptureFixture
) -> None:
    leaked: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _l, ctx: leaked.append(ctx))
    caplog.set_level(logging.INFO)
    sent = await asyncio.to_thread(_publish, mosquitto, 0)  # broker warm
    store = SlowStore(0.2)
    writer = BatchWriter(store, IngestMetrics(), max_batch=20, max_delay_s=0.01, max_pending=40)
    writer.start()
    svc = _service(mosquitto, writer, store)
    await svc.__aenter__()
    await svc.wait_connected()
    sent = await asyncio.to_thread(_publish, mosquitto, 600)
    await asyncio.sleep(1.0)
    assert len(_stored(store)) < len(sent)  # still behind when stopped
    # The platform's order: ingest first, then the writer flushes.
    await svc.__aexit__(None, None, None)
    await writer.close()
    gc.collect()
    await asyncio.sleep(0.1)
    assert leaked == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "never retrieved" not in caplog.text

    # The next start (same session) gets everything not committed before.
    store.delay_s = 0.0
    writer2 = BatchWriter(store, IngestMetrics(), max_delay_s=0.01)
    writer2.start()
    async with _service(mosquitto, writer2, store) as svc2:
        await svc2.wait_connected()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if _keys(sent) <= _stored(store):
                break
            await asyncio.sleep(0.1)
    await writer2.close()
    assert _keys(sent) <= _stored(store)
