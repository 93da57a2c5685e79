"""The network thread wakes the event loop once per burst of messages, not per message.

At single-reading load a wake-up (a write to the loop's self-pipe, then a
loop iteration) cost as much as decoding the message. The service queues the
burst's messages and wakes the loop when the network thread's reads end; the
burst then reaches the writer in one put, and is acknowledged after it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ingest.contract import Reading, Topics
from ingest.decode import Decoder
from ingest.metrics import IngestMetrics
from ingest.mqtt_settings import MqttSettings
from ingest.service import IngestService
from ingest.store import MemoryStore

T = Topics()


@dataclass
class _Msg:
    topic: str
    payload: bytes
    mid: int
    qos: int = 1


class _Sink:
    def __init__(self) -> None:
        self.puts: list[int] = []

    async def put(
        self, readings: Sequence[Reading], done: Callable[[], None] | None = None
    ) -> None:
        self.puts.append(len(readings))
        if done is not None:
            done()


async def test_a_burst_wakes_the_loop_once_and_reaches_the_writer_in_one_put() -> None:
    sink = _Sink()
    service = IngestService(MqttSettings(), T, Decoder(T), sink, MemoryStore(), IngestMetrics())
    loop = asyncio.get_running_loop()
    wakeups: list[Any] = []
    real = loop.call_soon_threadsafe

    def counting(cb: Callable[..., object], *args: Any, **kw: Any) -> asyncio.Handle:
        if getattr(cb, "__name__", "") == "_drain":  # not asyncio's own (to_thread)
            wakeups.append(cb)
        return real(cb, *args, **kw)

    loop.call_soon_threadsafe = counting  # type: ignore[method-assign,assignment]
    service._loop = loop
    now_ms = int(time.time() * 1000)

    def network_thread() -> None:
        # What paho's reads deliver in one burst, then the end of the burst.
        for i in range(50):
            payload = f'{{"ts": {now_ms - i}, "value": {i}.5}}'.encode()
            service._on_message(None, None, _Msg(T.sensor("v", f"s{i}"), payload, mid=i + 1))  # type: ignore[arg-type]
        assert wakeups == [], "the loop was woken before the burst ended"
        service._wake_loop()
        service._wake_loop()  # nothing new: no second wake-up

    t = threading.Thread(target=network_thread)
    t.start()
    await asyncio.to_thread(t.join)
    for _ in range(50):
        await asyncio.sleep(0)
        if sum(sink.puts) == 50:
            break
    loop.call_soon_threadsafe = real  # type: ignore[method-assign]
    assert len(wakeups) == 1
    assert sink.puts == [50]
