"""Commands over a real Mosquitto: a fake device answers, the ack returns through ingest."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from ingest.contract import CommandAck, Reading, Topics
from ingest.decode import Decoder
from ingest.encode import encode_ack
from ingest.metrics import IngestMetrics
from ingest.mqtt_settings import MqttSettings
from ingest.service import IngestService
from ingest.store import MemoryStore
from tests.fixtures.mosquitto import MosquittoServer
from twin.alarm_stores.memory import MemoryAlarmStore
from twin.commands import CommandSender, CommandState, CommandTracker

TOPICS = Topics()


class NullSink:
    async def put(
        self, readings: Sequence[Reading], done: Callable[[], None] | None = None
    ) -> None:
        if done is not None:
            done()


class FakeDevice:
    """Subscribes to its command topic and answers each command (ok unless told otherwise)."""

    def __init__(self, host: str, port: int, venue: str, target: str, ok: bool = True) -> None:
        self.received: list[dict[str, Any]] = []
        self._ok, self._venue, self._target = ok, venue, target
        self._ready = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        c = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=f"dev-{target}")
        c.on_connect = lambda cl, *_: cl.subscribe(TOPICS.command(venue, target), qos=1)
        c.on_subscribe = lambda *_: self._loop.call_soon_threadsafe(self._ready.set)
        c.on_message = self._on_message
        c.connect(host, port)
        c.loop_start()
        self._client = c

    def _on_message(self, client: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        doc = json.loads(msg.payload)
        self.received.append(doc)
        ack = CommandAck(
            self._venue,
            self._target,
            doc["id"],
            self._ok,
            "closed" if self._ok else "motor jammed",
            0.0,
        )
        client.publish(TOPICS.command_ack(self._venue, self._target), encode_ack(ack), qos=1)

    async def ready(self) -> None:
        await asyncio.wait_for(self._ready.wait(), 10)

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()


@pytest.fixture
async def wired(
    mosquitto: MosquittoServer,
) -> AsyncIterator[tuple[CommandTracker, CommandSender]]:
    settings = MqttSettings(host=mosquitto.host, port=mosquitto.port, client_id="twin-test")
    store = MemoryAlarmStore()
    await store.open()
    readings = MemoryStore()
    await readings.open()
    async with CommandSender(settings, TOPICS) as sender:
        tracker = CommandTracker(store, sender, ack_timeout_s=2.0)
        ingest = IngestService(
            settings, TOPICS, Decoder(TOPICS), NullSink(), readings, IngestMetrics()
        )
        ingest.add_listener(tracker.on_decoded)
        async with ingest:
            await ingest.wait_connected(timeout=10)
            yield tracker, sender


async def _until(tracker: CommandTracker, cid: str, state: CommandState) -> None:
    for _ in range(200):
        await tracker.tick()
        if (await tracker.get(cid)).state is state:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{cid} never reached {state}: {(await tracker.get(cid)).state}")


async def test_device_ack_over_mqtt_completes_the_command(
    mosquitto: MosquittoServer, wired: tuple[CommandTracker, CommandSender]
) -> None:
    tracker, sender = wired
    device = FakeDevice(mosquitto.host, mosquitto.port, "museum-wing", "main-door")
    try:
        await device.ready()
        rec = await tracker.request(
            "museum-wing", "main-door", "close", {"speed": 0.5}, origin="rule:corridor-crowding"
        )
        assert rec.state is CommandState.SENT and sender.published == 1
        await _until(tracker, rec.command_id, CommandState.ACKNOWLEDGED)
        (doc,) = device.received
        assert (doc["id"], doc["action"], doc["params"]) == (
            rec.command_id,
            "close",
            {"speed": 0.5},
        )
        history = await tracker.history(rec.command_id)
        assert [h.to_state for h in history] == [CommandState.SENT, CommandState.ACKNOWLEDGED]
        assert history[-1].detail == "closed"
    finally:
        device.stop()


async def test_refusal_fails_and_silence_times_out(
    mosquitto: MosquittoServer, wired: tuple[CommandTracker, CommandSender]
) -> None:
    tracker, _ = wired
    jammed = FakeDevice(mosquitto.host, mosquitto.port, "museum-wing", "gate-2", ok=False)
    try:
        await jammed.ready()
        refused = await tracker.request("museum-wing", "gate-2", "close", origin="user:ana")
        silent = await tracker.request("museum-wing", "nobody-home", "close", origin="user:ana")
        await _until(tracker, refused.command_id, CommandState.FAILED)
        assert (await tracker.get(refused.command_id)).detail == "motor jammed"
        await _until(tracker, silent.command_id, CommandState.TIMED_OUT)
    finally:
        jammed.stop()
