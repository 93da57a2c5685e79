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


def lane_topics(lane: int, lanes: int, messages: int, per_msg: int, n: int) -> list[str]:
    """The topic of each of a lane's ``n`` messages: the batch topic, or each reading's sensor."""
    from ingest.contract import Topics

    t = Topics()
    if per_msg > 1:
        return [t.batch(VENUE)] * n
    return [t.sensor(VENUE, f"s{(m * per_msg) % SENSORS}") for m in range(lane, messages, lanes)]


def blast(
    port: int, lane: int, lanes: int, messages: int, per_msg: int, t0_ms: int, go: Any, out: Any
) -> None:
    """Publish pre-encoded messages as fast as the broker takes them; report the time taken."""
    data = payloads(lane, lanes, messages, per_msg, t0_ms)
    topics = lane_topics(lane, lanes, messages, per_msg, len(data))
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


# -- a raw MQTT 3.1.1 publisher --------------------------------------------
# paho spends about 100 us of Python per QoS 1 publish, so two paho processes
# offered only 6-7k msg/s on this machine: the bench measured its publishers.
# This one writes pre-built PUBLISH packets straight to the socket and only
# counts PUBACKs, so the broker and the ingest side are what is measured.
# The broker sees an ordinary QoS 1 client (Mosquitto acknowledges each PUBLISH).

_WINDOW = 30_000  # unacknowledged PUBLISHes at most: packet ids are 16-bit, never reused in flight
_CHUNK = 256  # packets per socket write


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        n, byte = divmod(n, 128)
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _packet(kind: int, body: bytes) -> bytes:
    return bytes([kind]) + _varint(len(body)) + body


def _str(s: bytes) -> bytes:
    return len(s).to_bytes(2, "big") + s


def connect_packet(client_id: str) -> bytes:
    """CONNECT, MQTT 3.1.1, clean session, keep-alive off (the run is one burst)."""
    return _packet(0x10, _str(b"MQTT") + bytes([4, 0x02, 0, 0]) + _str(client_id.encode()))


def publish_packet(topic: str, payload: bytes, packet_id: int) -> bytes:
    """PUBLISH at QoS 1 (fixed header 0x32) with ``packet_id`` in 1..65535."""
    return _packet(0x32, _str(topic.encode()) + packet_id.to_bytes(2, "big") + payload)


def raw_blast(
    port: int, lane: int, lanes: int, messages: int, per_msg: int, t0_ms: int, go: Any, out: Any
) -> None:
    """Like :func:`blast`, over a raw socket: pre-built packets, PUBACKs counted."""
    import socket
    import threading

    data = payloads(lane, lanes, messages, per_msg, t0_ms)
    topics = lane_topics(lane, lanes, messages, per_msg, len(data))
    packets = [
        publish_packet(topic, payload, 1 + k % 65_535)
        for k, (topic, payload) in enumerate(zip(topics, data, strict=True))
    ]
    chunks = [b"".join(packets[i : i + _CHUNK]) for i in range(0, len(packets), _CHUNK)]
    sizes = [len(packets[i : i + _CHUNK]) for i in range(0, len(packets), _CHUNK)]
    del packets, data
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.sendall(connect_packet(f"bench-raw-{os.getpid()}-{time.time_ns()}"))
    connack = b""
    while len(connack) < 4:
        connack += sock.recv(4 - len(connack))
    if connack[0] != 0x20 or connack[3] != 0:
        raise RuntimeError(f"broker refused the connection: {connack!r}")
    acked = [0]
    done = threading.Event()

    def read_acks() -> None:
        # Only PUBACKs (4 bytes each: 0x40 0x02 id id) come back on this connection.
        got = 0
        while got < 4 * len(topics):
            chunk = sock.recv(65_536)
            if not chunk:
                break
            got += len(chunk)
            acked[0] = got // 4
        done.set()

    reader = threading.Thread(target=read_acks, daemon=True)
    reader.start()
    go.wait()
    start = time.perf_counter()
    sent = 0
    for chunk, n in zip(chunks, sizes, strict=True):
        while sent - acked[0] > _WINDOW - n:
            time.sleep(0.0005)
        sock.sendall(chunk)
        sent += n
    done.wait(600)
    end = time.perf_counter()
    sock.sendall(_packet(0xE0, b""))
    sock.close()
    out.put((acked[0], start, end))
