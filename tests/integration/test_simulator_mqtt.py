"""The simulator publishing to a real Mosquitto, read back by a paho subscriber."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import msgspec
import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from simulators.errors import BrokerUnavailable
from simulators.faults import Fault, FaultKind, FaultPlan
from simulators.mqtt_config import MqttConfig
from simulators.publisher import GATEWAY_ID, SimProgress, run_simulation
from twin.loader import load_sample
from twin.venue import Venue

pytestmark = pytest.mark.integration

MOSQUITTO = "/usr/sbin/mosquitto"
T0 = 1_732_525_200.0  # Monday 09:00 London


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[int]:
    """A throwaway Mosquitto on a free loopback port; yields the port."""
    port = _free_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\n")
    proc = subprocess.Popen(
        [MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                pytest.fail("mosquitto did not start")
            time.sleep(0.05)
    yield port
    proc.terminate()
    proc.wait(timeout=10)


class Subscriber:
    """Collects every message under a filter on paho's network thread."""

    def __init__(self, port: int, topic: str) -> None:
        self.messages: list[tuple[str, bytes, bool]] = []
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="test-sub")
        self.client.on_connect = lambda c, *_: c.subscribe(topic, qos=1)
        self.client.on_subscribe = lambda *_: self._ready.set()
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert self._ready.wait(10), "subscription not acknowledged"

    def _on_message(self, _c: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.messages.append((msg.topic, msg.payload, bool(msg.retain)))

    def snapshot(self) -> list[tuple[str, bytes, bool]]:
        with self._lock:
            return list(self.messages)

    def readings(self) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for topic, payload, _ in self.snapshot():
            if "/status/" in topic:
                continue
            doc = msgspec.json.decode(payload)
            assert doc["v"] == 1
            if topic.endswith("/batch"):
                out += doc["readings"]
            else:
                out.append({"sensor": topic.rsplit("/", 1)[1], **doc})
        return out

    async def wait_for(self, n: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.readings()) < n and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture(scope="module")
def wing() -> Venue:
    return load_sample("museum-wing")


async def test_batches_arrive_decodable_and_complete(broker: int, wing: Venue) -> None:
    sub = Subscriber(broker, "sim/venues/museum-wing/#")
    plan = FaultPlan((Fault("gallery-a-co2", FaultKind.OFFLINE, T0 + 300, T0 + 600),))
    try:
        progress = await run_simulation(
            wing,
            "127.0.0.1",
            broker,
            speed=float("inf"),
            duration_s=1800,
            seed=1,
            start=T0,
            prefix="sim",
            faults=plan,
            qos=1,
        )
        await sub.wait_for(progress.readings)
        gateway = f"sim/venues/museum-wing/status/{GATEWAY_ID}"
        deadline = time.monotonic() + 10
        while sub.snapshot()[-1][0] != gateway and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        readings = sub.readings()
        assert len(readings) == progress.readings > 23 * 170
        assert {r["sensor"] for r in readings} == {s.id for s in wing.sensors}
        # The entrance's people tracker sends count-and-positions frames instead.
        frames = [r for r in readings if "positions" in r]
        assert frames and {r["sensor"] for r in frames} == {"entrance-tracker"}
        assert all(isinstance(r["ts"], int) and isinstance(r["count"], int) for r in frames)
        plain = [r for r in readings if "positions" not in r]
        assert all(isinstance(r["ts"], int) and isinstance(r["value"], float) for r in plain)
        topics = [t for t, _, _ in sub.snapshot()]
        assert "sim/venues/museum-wing/batch" in topics
        states = [
            (t.rsplit("/", 1)[1], msgspec.json.decode(p)["state"])
            for t, p, _ in sub.snapshot()
            if "/status/" in t
        ]
        assert ("gallery-a-co2", "offline") in states
        assert states.count(("gallery-a-co2", "online")) >= 2  # at start and back after fault
        assert states[-1] == (GATEWAY_ID, "offline")  # clean shutdown
    finally:
        sub.close()


async def test_one_message_per_reading_on_sensor_topics(broker: int, wing: Venue) -> None:
    sub = Subscriber(broker, "venues/museum-wing/sensors/+")
    try:
        progress = await run_simulation(
            wing,
            "127.0.0.1",
            broker,
            speed=float("inf"),
            duration_s=60,
            seed=2,
            start=T0,
            batch=False,
            qos=0,
        )
        await sub.wait_for(progress.readings)
        # Besides readings: one status message per sensor and one for the gateway.
        statuses = len(wing.sensors) + 1
        assert len(sub.readings()) == progress.readings == progress.messages - statuses
    finally:
        sub.close()


async def test_live_run_publishes_first_readings_at_once(broker: int, wing: Venue) -> None:
    # The batch, and the tracker's frames on its own topic.
    sub = Subscriber(broker, "venues/museum-wing/#")
    stop = asyncio.Event()
    seen: list[SimProgress] = []

    def on_progress(p: SimProgress) -> None:
        seen.append(p)
        if p.readings >= len(wing.sensors):
            stop.set()

    try:
        started = time.time()
        await asyncio.wait_for(
            run_simulation(
                wing, "127.0.0.1", broker, speed=1.0, stop_event=stop, on_progress=on_progress
            ),
            timeout=10,
        )
        await sub.wait_for(len(wing.sensors), timeout=5)
        readings = sub.readings()
        assert len(readings) >= len(wing.sensors)
        # Live runs are stamped with the wall clock.
        assert all(abs(int(str(r["ts"])) / 1000 - started) < 5 for r in readings)
    finally:
        sub.close()


async def test_unreachable_broker_is_reported(wing: Venue) -> None:
    cfg = MqttConfig(port=_free_port(), connect_timeout_s=2.0)
    with pytest.raises(BrokerUnavailable):
        await run_simulation(wing, mqtt_config=cfg, speed=float("inf"), duration_s=10)


async def test_people_trackers_publish_positions_with_ids(broker: int, wing: Venue) -> None:
    """Where the venue declares a people_tracker, its frames carry positions and track ids."""
    from ingest.people_tracks import parse_track

    gallery = next(z for z in wing.zones if z.id == "gallery-a")
    tracker = {"id": "gallery-a-trk", "kind": "people_tracker", "zone": "gallery-a"}
    doc = wing.model_dump(mode="json")
    doc["sensors"].append({**tracker, "position": [*gallery.floor[0], 3.0], "interval_s": 10})
    venue = Venue.model_validate(doc)
    sub = Subscriber(broker, "sim/venues/museum-wing/sensors/gallery-a-trk")
    try:
        await run_simulation(
            venue,
            "127.0.0.1",
            broker,
            speed=float("inf"),
            duration_s=3600,
            seed=3,
            start=T0 + 3600,  # 10:00, visitors in the galleries
            prefix="sim",
            qos=1,
        )
        await sub.wait_for(300)
        frames = [msgspec.json.decode(p) for _, p, _ in sub.snapshot()]
        assert len(frames) >= 300  # one every 10 s
        parsed = [parse_track(f) for f in frames]
        assert all(ids is not None and len(ids) <= count for count, _, ids in parsed)
        assert sum(len(ids or ()) for _, _, ids in parsed) > 0
        assert max(count for count, _, _ in parsed) > 0
    finally:
        sub.close()
