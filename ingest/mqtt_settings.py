"""Typed MQTT connection settings shared by ingest, the twin's command sender and tools."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Literal

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from ingest.mqtt_properties import install as install_shared_properties

__all__ = ["MqttSettings", "make_client", "start_client", "stop_client"]


@dataclass(frozen=True, slots=True)
class MqttSettings:
    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: bool = False
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    protocol: Literal[5, 311] = 5
    keepalive_s: int = 30
    client_id: str = "venue-twin"


def make_client(
    settings: MqttSettings,
    *,
    client_id: str | None = None,
    manual_ack: bool = False,
    persistent: bool = False,
) -> mqtt.Client:
    """A paho client configured from settings (not yet connected)."""
    install_shared_properties()  # MQTT 5 decoding without per-packet tables
    v5 = settings.protocol == 5
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=client_id or settings.client_id,
        protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311,
        # v5 expresses persistence in connect(clean_start=..); v3.1.1 here.
        clean_session=None if v5 else not persistent,
        manual_ack=manual_ack,
    )
    if settings.username is not None:
        client.username_pw_set(settings.username, settings.password)
    if settings.tls:
        client.tls_set(
            ca_certs=settings.ca_file,
            certfile=settings.cert_file,
            keyfile=settings.key_file,
            tls_version=ssl.PROTOCOL_TLS_CLIENT,
        )
    client.reconnect_delay_set(min_delay=1, max_delay=30)
    return client


async def start_client(
    client: mqtt.Client, settings: MqttSettings, connected: asyncio.Event, timeout_s: float
) -> None:
    """Connect in paho's network thread and wait until ``connected`` is set (CONNACK).

    Raises TimeoutError if it is not set in time (paho keeps retrying) and
    OSError if the connection cannot even be attempted.
    """
    client.connect_async(settings.host, settings.port, settings.keepalive_s)
    client.loop_start()
    await asyncio.wait_for(connected.wait(), timeout_s)


async def stop_client(
    client: mqtt.Client,
    waiting: MutableMapping[Any, asyncio.Future[Any]] | None = None,
    error: Callable[[], Exception] | None = None,
) -> None:
    """Disconnect and stop paho's network thread (joined off the event loop).

    Then every future in ``waiting`` that still waits for the broker (a PUBACK,
    a reply) fails with a fresh ``error()``, and ``waiting`` is emptied.
    """
    client.disconnect()
    await asyncio.to_thread(client.loop_stop)
    if waiting is None or error is None:
        return
    for fut in waiting.values():
        if not fut.done():
            fut.set_exception(error())
    waiting.clear()
