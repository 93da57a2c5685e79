"""Closing an MQTT user fails what still waits on the broker, each with its own error.

The command sender's pending publishes (waiting for a PUBACK) and the mirror
viewer's forwarded actions (waiting for the twin's reply) must not hang when
they close: each waiter gets a fresh error naming why, the client is
disconnected and its network thread stopped.
"""

from __future__ import annotations

import asyncio
from typing import Any

import paho.mqtt.client as mqtt
import pytest

from ingest.contract import Command, Topics
from ingest.mqtt_settings import MqttSettings, stop_client
from twin.commands import CommandSender
from twin.commands.errors import PublishFailed
from twin.replica.errors import TwinUnreachable
from viewer.mirror_client import MirrorClient


class FakeClient:
    """Publishes without ever getting a PUBACK; records disconnect and loop_stop."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def publish(self, topic: str, payload: bytes, qos: int = 0) -> Any:
        self.calls.append("publish")
        return mqtt.MQTTMessageInfo(1)

    def disconnect(self) -> None:
        self.calls.append("disconnect")

    def loop_stop(self) -> None:
        self.calls.append("loop_stop")


async def test_stop_client_fails_each_waiter_with_a_fresh_error() -> None:
    loop = asyncio.get_running_loop()
    done: asyncio.Future[Any] = loop.create_future()
    done.set_result("answered")
    waiting: dict[int, asyncio.Future[Any]] = {1: loop.create_future(), 2: loop.create_future()}
    waiting[3] = done
    futures = list(waiting.values())
    client = FakeClient()
    await stop_client(client, waiting, lambda: RuntimeError("closed"))  # type: ignore[arg-type]
    assert client.calls == ["disconnect", "loop_stop"] and waiting == {}
    errors = [f.exception() for f in futures[:2]]
    assert all(isinstance(e, RuntimeError) and str(e) == "closed" for e in errors)
    assert errors[0] is not errors[1]
    assert futures[2].result() == "answered"


async def test_a_publish_waiting_for_its_puback_fails_when_the_sender_closes() -> None:
    sender = CommandSender(MqttSettings(), Topics())
    client = FakeClient()
    sender._client, sender._loop = client, asyncio.get_running_loop()  # type: ignore[assignment]
    sender.connected.set()
    publish = asyncio.create_task(sender.publish(Command("v", "door", "c1", "close", {}, 0.0)))
    while "publish" not in client.calls:
        await asyncio.sleep(0)
    await sender.__aexit__(None, None, None)
    with pytest.raises(PublishFailed, match="sender closed"):
        await publish
    assert client.calls == ["publish", "disconnect", "loop_stop"]


async def test_a_forwarded_action_fails_when_the_mirror_viewer_closes() -> None:
    mirror = MirrorClient(MqttSettings(), Topics(), ["v"], client_id="viewer-1")
    client = FakeClient()
    mirror._client = client  # type: ignore[assignment]
    waiting: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    mirror._replies["r1"] = waiting
    await mirror.__aexit__(None, None, None)
    with pytest.raises(TwinUnreachable, match="shutting down"):
        await waiting
    assert client.calls == ["disconnect", "loop_stop"] and mirror._replies == {}
