"""End to end through real services: MQTT (Mosquitto) -> ingest -> PostgreSQL and WebSocket."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from collections.abc import AsyncIterator
from typing import Any

import paho.mqtt.client as mqtt
import psycopg
import pytest
import websockets
from paho.mqtt.enums import CallbackAPIVersion

from ingest.contract import Reading, Topics
from ingest.encode import encode_batch, encode_reading
from tests.fixtures.mosquitto import MosquittoServer
from venue_twin.embedded_broker import free_port
from venue_twin.settings import load_settings
from venue_twin.wiring import Platform, serve_http
from viewer.roles import Role
from viewer.users import UsersFile

pytestmark = pytest.mark.integration

V = "museum-wing"
T = Topics()
PASSWORD = "pipeline-pass-1"


def _publisher(broker: MosquittoServer) -> mqtt.Client:
    pub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="test-device", protocol=mqtt.MQTTv5)
    pub.connect(broker.host, broker.port)
    pub.loop_start()
    return pub


@pytest.fixture
async def platform(
    mosquitto: MosquittoServer, pg_url: str, tmp_path: Any
) -> AsyncIterator[tuple[Platform, int]]:
    port = free_port()
    UsersFile(tmp_path / "users.yaml").add("watcher", Role.VIEWER, PASSWORD)
    settings = load_settings(
        None,
        store_url=pg_url,
        mqtt={"host": mosquitto.host, "port": mosquitto.port, "client_id": "it-ingest"},
        http_port=port,
        spool_dir=str(tmp_path / "spool"),
        ws_tick_hz=20,
        auth={"users_file": str(tmp_path / "users.yaml"), "secret": "pipeline-secret-0123456789"},
    )
    stop = asyncio.Event()
    async with Platform(settings) as p:
        assert p.app is not None
        http = asyncio.create_task(serve_http(p.app, "127.0.0.1", port, stop))
        await asyncio.sleep(0.3)
        yield p, port
        stop.set()
        await http


def _login(port: int) -> str:
    body = json.dumps({"username": "watcher", "password": PASSWORD}).encode()
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/auth/login",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as res:
        token: str = json.load(res)["token"]
    return token


async def _rows(url: str, sensor: str) -> list[tuple[float, float]]:
    async with await psycopg.AsyncConnection.connect(url) as conn:
        cur = await conn.execute(
            "SELECT extract(epoch FROM ts)::float8, value FROM readings "
            "WHERE venue = %s AND sensor = %s ORDER BY ts",
            (V, sensor),
        )
        return [(float(a), float(b)) for a, b in await cur.fetchall()]


async def _wait_for(pred: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await pred():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def test_a_published_reading_reaches_postgres_and_a_websocket_client(
    platform: tuple[Platform, int], mosquitto: MosquittoServer, pg_url: str
) -> None:
    _, port = platform
    token = await asyncio.to_thread(_login, port)
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws") as ws:
        await ws.send(json.dumps({"type": "auth", "token": token}))
        hello = json.loads(await ws.recv())
        assert (hello["type"], hello["username"], hello["role"]) == ("hello", "watcher", "viewer")
        await ws.send(json.dumps({"type": "subscribe", "venue": V}))
        snapshot = json.loads(await ws.recv())
        assert snapshot["sensors"]["gallery-b-temp"]["value"] is None

        ts = round(time.time() - 1, 3)
        pub = _publisher(mosquitto)
        try:
            info = pub.publish(
                T.sensor(V, "gallery-b-temp"),
                encode_reading(Reading(V, "gallery-b-temp", ts, 22.75)),
                qos=1,
            )
            info.wait_for_publish(5)
            frame: dict[str, Any] = {}
            while "gallery-b-temp" not in frame.get("sensors", {}):
                frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
        finally:
            pub.loop_stop()
        assert frame["type"] == "delta"
        assert frame["sensors"]["gallery-b-temp"] == {"value": 22.75, "ts": ts, "status": "ok"}
        assert frame["zones"]["gallery-b"]["temperature"] == 22.75

    async def stored() -> bool:
        rows = await _rows(pg_url, "gallery-b-temp")
        return len(rows) == 1 and rows[0][1] == 22.75 and abs(rows[0][0] - ts) < 1e-3

    await _wait_for(stored)


async def test_malformed_messages_are_dead_lettered_and_good_data_keeps_flowing(
    platform: tuple[Platform, int], mosquitto: MosquittoServer, pg_url: str
) -> None:
    p, _ = platform
    now = time.time()
    good = [Reading(V, "gallery-a-co2", round(now - 10 + i, 3), 500.0 + i) for i in range(10)]
    pub = _publisher(mosquitto)
    try:
        pub.publish(T.batch(V), b"{this is not json", qos=1)
        pub.publish(T.sensor(V, "no-such-sensor"), encode_reading(good[0]), qos=1)
        pub.publish(T.sensor(V, "gallery-a-co2"), b'{"ts": 1, "value": "high"}', qos=1)
        pub.publish(T.batch(V), encode_batch(good), qos=1).wait_for_publish(5)
    finally:
        pub.loop_stop()

    async def all_stored() -> bool:
        return len(await _rows(pg_url, "gallery-a-co2")) == 10

    await _wait_for(all_stored)
    rejected = p.metrics.snapshot()["rejected"]
    assert isinstance(rejected, dict)
    assert rejected.get("invalid_json") == 1
    assert rejected.get("unknown_sensor") == 1
    assert rejected.get("wrong_type") == 1
    assert p.store is not None

    async def dead_letters_stored() -> bool:
        assert p.store is not None
        return len(await p.store.dead_letters(limit=10)) >= 3

    await _wait_for(dead_letters_stored)
    reasons = {d.reason for d in await p.store.dead_letters(limit=10)}
    assert {"invalid_json", "unknown_sensor", "wrong_type"} <= reasons
    health = p.health()
    assert health["mqtt_connected"] is True
