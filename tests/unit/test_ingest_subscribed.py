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
from tests.unit.mqtt_fakes import SUBSCRIBE_MID, SubscribeRecorder, connack, granted

T = Topics()


def _service() -> IngestService:
    return IngestService(MqttSettings(), T, Decoder(T), object(), MemoryStore(), IngestMetrics())  # type: ignore[arg-type]


async def _settle() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


async def test_connected_waits_for_the_suback_not_the_connack() -> None:
    svc = _service()
    svc._loop = asyncio.get_running_loop()
    client: Any = SubscribeRecorder()
    svc._on_connect(client, None, None, connack(), None)
    await _settle()
    assert client.subscribed, "subscribes at the CONNACK"
    assert not svc.connected.is_set()  # the broker does not have the subscriptions yet
    ok = granted(len(client.subscribed[0]))
    svc._on_subscribe(client, None, 99, ok, None)  # another SUBSCRIBE's answer
    await _settle()
    assert not svc.connected.is_set()
    svc._on_subscribe(client, None, SUBSCRIBE_MID, ok, None)
    await _settle()
    assert svc.connected.is_set()


async def test_a_refused_subscription_is_logged_with_its_filter(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR, logger="ingest.service")
    svc = _service()
    svc._loop = asyncio.get_running_loop()
    client: Any = SubscribeRecorder()
    svc._on_connect(client, None, None, connack(), None)
    filters = [f for f, _q in client.subscribed[0]]
    codes = granted(len(filters))
    codes[0] = ReasonCode(PacketTypes.SUBACK, "Not authorized")
    svc._on_subscribe(client, None, SUBSCRIBE_MID, codes, None)
    await _settle()
    assert f"refused the subscription {filters[0]}" in caplog.text
