"""Pieces of ``bench/end_to_end.py`` that run in their own processes.

- :func:`publisher`: a device fleet publishing every sensor of a venue once a
  period over MQTT (QoS 1, batches of ``per_msg``), each reading stamped with
  its publish time (epoch ms), spread evenly over the period.
- :func:`clients`: WebSocket viewers that log in, subscribe and measure, for
  every sensor value in every delta frame, ``arrival - reading's publish time``.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import urllib.request
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
    rng = np.random.default_rng(os.getpid())
    counters = dict.fromkeys((s for s, k in sensors if k == "gate_counter"), 0.0)
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
        noise = rng.normal(0.0, 0.05, len(chunks[i]))
        items = []
        for (sid, kind), n in zip(chunks[i], noise, strict=True):
            if kind == "gate_counter":
                counters[sid] += float(rng.integers(0, 2))
                value = counters[sid]
            else:
                value = round(_VALUES.get(kind, 1.0) * (1.0 + float(n) * 0.1), 3)
            items.append({"sensor": sid, "ts": ts, "value": value})
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


def clients(port: int, venue: str, n: int, warmup_s: float, seconds: float, out: Any) -> None:
    out.put(asyncio.run(_clients(port, venue, n, warmup_s, seconds)))


async def _client(
    port: int, venue: str, token: str, stats: dict[str, Any], stop: asyncio.Event
) -> None:
    import websockets

    dec = msgspec.json.Decoder()
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/ws", compression=None, max_size=None
    ) as ws:
        await ws.send(json.dumps({"type": "auth", "token": token}))
        await ws.recv()
        await ws.send(json.dumps({"type": "subscribe", "venue": venue}))
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(ws.recv(), 1.0)
            except TimeoutError:
                continue
            now = time.time()
            frame = dec.decode(raw)
            if not stats["on"]:
                continue
            if frame.get("type") == "delta":
                stats["frames"] += 1
                sensors = frame["sensors"]
                stats["values"] += len(sensors)
                # Every value's age (ts is the device's publish time, epoch s).
                stats["lat"].extend(now - s["ts"] for s in sensors.values())


async def _clients(
    port: int, venue: str, n: int, warmup_s: float, seconds: float
) -> dict[str, Any]:
    stats: dict[str, Any] = {"lat": [], "frames": 0, "values": 0, "on": False}
    stop = asyncio.Event()
    token = await asyncio.to_thread(login, port)  # one login (scrypt) per process
    tasks = []
    for i in range(n):
        tasks.append(asyncio.create_task(_client(port, venue, token, stats, stop)))
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
        "clients": n,
        "cpu_s": cpu,
        "errors": sum(1 for t in tasks if t.done() and t.exception() is not None),
    }
