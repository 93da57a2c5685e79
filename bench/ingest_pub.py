"""Publisher processes for ``bench/ingest.py``: devices that are never the bottleneck.

Throughput runs pre-encode every payload before the clock starts, so a
publisher only hands bytes to paho; several such processes share the
messages. The latency run encodes each message as it sends it, with the
reading's ``ts`` set to its publish time (epoch ms).
"""

from __future__ import annotations

import os
import time
from typing import Any

import msgspec

VENUE = "bench"
SENSORS = 10_000


def _client(port: int) -> Any:
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{os.getpid()}-{time.time_ns()}"
    )
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    return client


def payloads(lane: int, lanes: int, messages: int, per_msg: int, t0_ms: int) -> list[bytes]:
    """This lane's messages; every (sensor, ts) key in the run is distinct."""
    enc = msgspec.json.Encoder()
    out = []
    for m in range(lane, messages, lanes):
        first = m * per_msg
        items = [
            {"sensor": f"s{i % SENSORS}", "ts": t0_ms + i // SENSORS, "value": 1.0}
            for i in range(first, first + per_msg)
        ]
        out.append(enc.encode({"readings": items}) if per_msg > 1 else enc.encode(items[0]))
    return out


def blast(
    port: int, lane: int, lanes: int, messages: int, per_msg: int, t0_ms: int, go: Any, out: Any
) -> None:
    """Publish pre-encoded messages as fast as the broker takes them; report the time taken."""
    from ingest.contract import Topics

    t = Topics()
    data = payloads(lane, lanes, messages, per_msg, t0_ms)
    topics = (
        [t.batch(VENUE)] * len(data)
        if per_msg > 1
        else [t.sensor(VENUE, f"s{(m * per_msg) % SENSORS}") for m in range(lane, messages, lanes)]
    )
    client = _client(port)
    acked = [0]
    client.on_publish = lambda *_a: acked.__setitem__(0, acked[0] + 1)
    go.wait()
    start = time.perf_counter()
    for topic, payload in zip(topics, data, strict=True):
        client.publish(topic, payload, qos=1)
    while acked[0] < len(data):
        time.sleep(0.001)
    end = time.perf_counter()
    client.loop_stop()
    client.disconnect()
    out.put((len(data), start, end))


def paced(port: int, lane: int, lanes: int, messages: int, rate: float, go: Any, out: Any) -> None:
    """One reading per message at ``rate`` msg/s (this lane's share), ts = publish time."""
    from ingest.contract import Topics

    t = Topics()
    enc = msgspec.json.Encoder()
    client = _client(port)
    acked = [0]
    client.on_publish = lambda *_a: acked.__setitem__(0, acked[0] + 1)
    mine = range(lane, messages, lanes)
    go.wait()
    start = time.perf_counter()
    for k, m in enumerate(mine):
        delay = start + k * lanes / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        sensor = f"s{m % SENSORS}"
        # A sensor reports every SENSORS / rate s, so (sensor, ts) keys stay distinct.
        payload = enc.encode({"ts": int(time.time() * 1000), "value": 1.0})
        client.publish(t.sensor(VENUE, sensor), payload, qos=1)
    while acked[0] < len(mine):
        time.sleep(0.001)
    end = time.perf_counter()
    client.loop_stop()
    client.disconnect()
    out.put((len(mine), start, end))
