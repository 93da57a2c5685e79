"""The ingest service reports itself connected only once the broker granted its subscriptions."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.reasoncodes import ReasonCode

from ingest.contract import Topics
from ingest.decode import Decoder
from ingest.metrics import IngestMetrics
from ingest.mqtt_settings import MqttSettings
from ingest.service import IngestService
from ingest.store.memory import MemoryStore

T = Topics()


class _Client:
    """Records SUBSCRIBE calls as paho would queue them."""

    def __init__(self) -> None:
        self.subscribed: list[list[tuple[str, int]]] = []

    def subscribe(self, topics: list[tuple[str, int]]) -> tuple[int, int]:
        self.subscribed.append(topics)
        return 0, 17


def _service() -> IngestService:
    return IngestService(MqttSettings(), T, Decoder(T), object(), MemoryStore(), IngestMetrics())  # type: ignore[arg-type]


async def _settle() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


async def test_connected_waits_for_the_suback_not_the_connack() -> None:
    svc = _service()
    svc._loop = asyncio.get_running_loop()
    client: Any = _Client()
    svc._on_connect(client, None, None, ReasonCode(PacketTypes.CONNACK, "Success"), None)
    await _settle()
    assert client.subscribed, "subscribes at the CONNACK"
    assert not svc.connected.is_set()  # the broker does not have the subscriptions yet
    granted = [ReasonCode(PacketTypes.SUBACK, "Granted QoS 1") for _ in client.subscribed[0]]
    svc._on_subscribe(client, None, 99, granted, None)  # another SUBSCRIBE's answer
    await _settle()
    assert not svc.connected.is_set()
    svc._on_subscribe(client, None, 17, granted, None)
    await _settle()
    assert svc.connected.is_set()


async def test_a_refused_subscription_is_logged_with_its_filter(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR, logger="ingest.service")
    svc = _service()
    svc._loop = asyncio.get_running_loop()
    client: Any = _Client()
    svc._on_connect(client, None, None, ReasonCode(PacketTypes.CONNACK, "Success"), None)
    filters = [f for f, _q in client.subscribed[0]]
    codes = [ReasonCode(PacketTypes.SUBACK, "Granted QoS 1") for _ in filters]
    codes[0] = ReasonCode(PacketTypes.SUBACK, "Not authorized")
    svc._on_subscribe(client, None, 17, codes, None)
    await _settle()
    assert f"refused the subscription {filters[0]}" in caplog.text
