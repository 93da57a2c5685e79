"""A writer that stops taking readings holds the broker back instead of growing memory."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ingest.contract import Reading, Topics
from ingest.decode import Decoder
from ingest.encode import encode_reading
from ingest.metrics import IngestMetrics
from ingest.mqtt_settings import MqttSettings
from ingest.service import IngestService
from ingest.store.memory import MemoryStore

T = Topics()


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


class FakeClient:
    def __init__(self) -> None:
        self.acked: list[int] = []

    def ack(self, mid: int, qos: int) -> None:
        self.acked.append(mid)


@dataclass
class Msg:
    topic: str
    payload: bytes
    mid: int
    qos: int = 1


async def test_a_stalled_writer_blocks_the_network_thread_at_a_bounded_inbox() -> None:
    sink = GatedSink()
    svc = IngestService(
        MqttSettings(),
        T,
        Decoder(T),
        sink,
        MemoryStore(),
        IngestMetrics(),  # type: ignore[arg-type]
    )
    client = FakeClient()
    svc._loop = asyncio.get_running_loop()
    svc._client = client  # type: ignore[assignment]
    total = svc._inbox_limit * 3
    now = time.time()
    sent = [0]

    def network_thread() -> None:  # stands in for paho's thread
        for i in range(total):
            r = Reading("v", f"s{i % 50}", round(now - 60 + i * 0.001, 3), float(i))
            svc._on_message(None, None, Msg(T.sensor("v", r.sensor), encode_reading(r), i + 1))  # type: ignore[arg-type]
            sent[0] += 1

    thread = threading.Thread(target=network_thread, daemon=True)
    thread.start()
    await asyncio.sleep(1.0)
    # The writer took nothing: the thread waits with a bounded inbox, nothing acked.
    assert thread.is_alive()
    assert len(svc._inbox) <= svc._inbox_limit
    assert sent[0] < total
    assert client.acked == []
    sink.gate.set()
    deadline = time.monotonic() + 20
    while len(client.acked) < total and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    thread.join(5)
    assert sorted(client.acked) == list(range(1, total + 1))
    assert len(sink.stored) == total
