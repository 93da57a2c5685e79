"""The state publisher and the viewer's mirror are "connected" once their subscriptions are granted.

Before, both set ``connected`` at the CONNACK: a mirror could send an action
before the broker held its replies subscription (the reply was lost and the
operator's request timed out), and the twin could be told "ready" before it
held the actions subscription.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.reasoncodes import ReasonCode

from ingest.contract import Topics
from ingest.mqtt_settings import MqttSettings
from tests.unit.mqtt_fakes import SUBSCRIBE_MID, SubscribeRecorder, connack, granted
from twin.loader import load_sample
from twin.replica.publisher import StatePublisher
from twin.service import TwinService
from viewer.mirror_client import MirrorClient

T = Topics()
VENUE = "museum-wing"


async def _settle() -> None:
    for _ in range(3):
        await asyncio.sleep(0)


def _publisher() -> StatePublisher:
    p = StatePublisher(MqttSettings(), T, TwinService([load_sample(VENUE)]))
    p._loop = asyncio.get_running_loop()
    return p


def _mirror() -> MirrorClient:
    m = MirrorClient(MqttSettings(), T, [VENUE], client_id="viewer-1")
    m._loop = asyncio.get_running_loop()
    return m


@pytest.mark.parametrize("make", [_publisher, _mirror], ids=["state publisher", "mirror"])
async def test_connected_waits_for_the_suback_not_the_connack(make: Any) -> None:
    side = make()
    client: Any = SubscribeRecorder()
    side._on_connect(client, None, None, connack(), None)
    await _settle()
    assert client.subscribed, "subscribes at the CONNACK"
    assert not side.connected.is_set()  # the broker does not hold the subscriptions yet
    n = len(client.subscribed[0])
    side._on_subscribe(client, None, 99, granted(n), None)  # another SUBSCRIBE's answer
    await _settle()
    assert not side.connected.is_set()
    side._on_subscribe(client, None, SUBSCRIBE_MID, granted(n), None)
    await _settle()
    assert side.connected.is_set()


async def test_a_refused_subscription_is_logged_with_its_filter(
    caplog: pytest.LogCaptureFixture,
) -> None:
    mirror = _mirror()
    client: Any = SubscribeRecorder()
    mirror._on_connect(client, None, None, connack(), None)
    codes = granted(len(client.subscribed[0]))
    codes[-1] = ReasonCode(PacketTypes.SUBACK, "Not authorized")
    with caplog.at_level(logging.ERROR):
        mirror._on_subscribe(client, None, SUBSCRIBE_MID, codes, None)
    refused = client.subscribed[0][-1][0]
    assert any(refused in r.getMessage() and "mirror" in r.getMessage() for r in caplog.records)
