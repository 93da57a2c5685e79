"""Pieces of ``bench/end_to_end.py`` that run in their own processes.

- :func:`publisher`: a device fleet publishing every sensor of a venue once a
  period over MQTT (QoS 1, batches of ``per_msg``), each reading stamped with
  its publish time (epoch ms), spread evenly over the period.
- :func:`clients`: WebSocket viewers that log in, subscribe (in the compact
  format unless told otherwise) and measure, for every sensor value in every
  delta frame, ``arrival - reading's publish time``. The first client of each
  process also checks every value it receives against what the fleet
  published (:func:`published_value`); every client gets the same frames, and
  checking in all of them cost the bench about 0.3 of a core (crc32 per value
  per client) taken from the server it measures on this 2-core machine.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import urllib.request
import zlib
from typing import Any

import msgspec
import numpy as np

BENCH_USER, BENCH_PASSWORD = "bench", "bench-password-1234"

# Plausible values per sensor kind, so analytics and threshold alarms see a
# quiet venue (a bench that raises thousands of alarms measures the alarms).
_VALUES = {
    "temperature": 20.0,
    "humidity": 50.0,
    "co2": 600.0,
    "lux": 100.0,
    "people_count": 10.0,
    "uv": 20.0,
    "vibration": 0.5,
    "gate_counter": 0.0,
}


# Gate counters count from here (epoch ms), so a counter is a function of its time.
_COUNT_EPOCH_MS = 1_764_000_000_000


def published_value(sensor: str, kind: str, ts_ms: int) -> float:
    """The value the fleet publishes for ``sensor`` at ``ts_ms``: clients check every one.

    Noise of +-0.5 % around a quiet value (a function of sensor and time, so a
    client knows what was sent); a gate counter gains 0 or 1 a second.
    """
    if kind == "gate_counter":
        return float((ts_ms - _COUNT_EPOCH_MS) // 2000)
    u = zlib.crc32(f"{sensor}@{ts_ms}".encode()) / 0xFFFFFFFF * 2.0 - 1.0
    return round(_VALUES.get(kind, 1.0) * (1.0 + 0.005 * u), 3)


def publisher(
    port: int,
    topic: str,
    sensors: list[tuple[str, str]],
    period_s: float,
    seconds: float,
    per_msg: int,
    out: Any,
) -> None:
    """Publish ``sensors`` (id, kind) once per ``period_s`` for ``seconds``; report counts."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"e2e-pub-{os.getpid()}", protocol=mqtt.MQTTv5
    )
    client.max_inflight_messages_set(1000)
    acked = [0]

    def on_publish(*_a: Any) -> None:
        acked[0] += 1

    client.on_publish = on_publish
    client.connect("127.0.0.1", port)
    client.loop_start()
    enc = msgspec.json.Encoder()
    chunks = [sensors[i : i + per_msg] for i in range(0, len(sensors), per_msg)]
    start = time.perf_counter()
    sent = readings = late = 0
    k = 0
    while True:
        due = start + k * period_s / len(chunks)
        cycle, i = divmod(k, len(chunks))
        if due - start >= seconds:
            break
        wait = due - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        elif wait < -0.05:
            late += 1
        ts = int(time.time() * 1000)
        items = [
            {"sensor": sid, "ts": ts, "value": published_value(sid, kind, ts)}
            for sid, kind in chunks[i]
        ]
        client.publish(topic, enc.encode({"v": 1, "readings": items}), qos=1)
        sent += 1
        readings += len(items)
        k += 1
        del cycle
    deadline = time.monotonic() + 60
    while acked[0] < sent and time.monotonic() < deadline:
        time.sleep(0.05)
    client.loop_stop()
    client.disconnect()
    out.put({"sent": sent, "readings": readings, "acked": acked[0], "late": late})


def login(port: int) -> str:
    body = json.dumps({"username": BENCH_USER, "password": BENCH_PASSWORD}).encode()
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/auth/login",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=60) as res:
        token: str = json.load(res)["token"]
    return token


def sensor_kinds(port: int, venue: str, token: str) -> dict[str, str]:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/venues/{venue}",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(req, timeout=60) as res:
        return {s["id"]: s["kind"] for s in json.load(res)["sensors"]}


def clients(
    port: int, venue: str, n: int, warmup_s: float, seconds: float, out: Any, fmt: str = "compact"
) -> None:
    out.put(asyncio.run(_clients(port, venue, n, warmup_s, seconds, fmt)))


async def _client(
    port: int,
    venue: str,
    token: str,
    stats: dict[str, Any],
    stop: asyncio.Event,
    fmt: str,
    kinds: dict[str, str],
    check: bool,
) -> None:
    import websockets

    from viewer.compact import decode

    dec = msgspec.json.Decoder()
    tables: dict[str, Any] = {}
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/ws", compression=None, max_size=None
    ) as ws:
        await ws.send(json.dumps({"type": "auth", "token": token}))
        await ws.recv()
        await ws.send(json.dumps({"type": "subscribe", "venue": venue, "format": fmt}))
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(ws.recv(), 1.0)
            except TimeoutError:
                continue
            now = time.time()
            frame = dec.decode(raw)
            kind = frame.get("type")
            sensors: dict[str, Any] = {}
            if kind in ("snapshot", "delta") and frame.get("v") == 2:
                # The whole frame, as the page decodes it; keeps the snapshot's tables.
                sensors = decode(frame, tables)["sensors"]
            elif kind == "delta":
                sensors = frame["sensors"]
            if not stats["on"] or kind != "delta":
                continue
            stats["frames"] += 1
            stats["values"] += len(sensors)
            # Every value's age (ts is the device's publish time, epoch s).
            stats["lat"].extend(now - s["ts"] for s in sensors.values())
            if not check:
                continue
            stats["checked"] += len(sensors)
            for sid, s in sensors.items():
                k = kinds.get(sid)
                if k is None or s["value"] != published_value(sid, k, round(s["ts"] * 1000)):
                    stats["wrong"] += 1


async def _clients(
    port: int, venue: str, n: int, warmup_s: float, seconds: float, fmt: str
) -> dict[str, Any]:
    stats: dict[str, Any] = {
        "lat": [],
        "frames": 0,
        "values": 0,
        "checked": 0,
        "wrong": 0,
        "on": False,
    }
    stop = asyncio.Event()
    token = await asyncio.to_thread(login, port)  # one login (scrypt) per process
    kinds = await asyncio.to_thread(sensor_kinds, port, venue, token)
    tasks = []
    for i in range(n):
        check = i == 0  # one checking client per process (module docstring)
        tasks.append(
            asyncio.create_task(_client(port, venue, token, stats, stop, fmt, kinds, check))
        )
        if i % 50 == 49:
            await asyncio.sleep(0.1)
    await asyncio.sleep(warmup_s)
    stats["on"] = True
    cpu0 = time.process_time()
    await asyncio.sleep(seconds)
    stats["on"] = False
    cpu = time.process_time() - cpu0
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    lat = np.asarray(stats["lat"], dtype=np.float64)
    # Only a bounded sample goes back through the queue.
    if lat.size > 200_000:
        lat = np.random.default_rng(0).choice(lat, 200_000, replace=False)
    return {
        "lat": lat.tolist(),
        "frames": stats["frames"],
        "values": stats["values"],
        "checked": stats["checked"],
        "wrong": stats["wrong"],
        "clients": n,
        "cpu_s": cpu,
        "errors": sum(1 for t in tasks if t.done() and t.exception() is not None),
    }
