"""Publishes commands to devices over MQTT (paho-mqtt 2.x, QoS 1).

``venues/{venue}/commands/{target}`` with the payload of
:func:`ingest.encode.encode_command`. :meth:`CommandSender.publish` returns
once the broker has taken the message (PUBACK), so "sent" means the broker
holds it; the device's answer comes back separately as a ``CommandAck``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import paho.mqtt.client as mqtt

from ingest.contract import Command, Topics
from ingest.encode import encode_command
from ingest.mqtt_settings import MqttSettings, make_client, start_client, stop_client
from twin.commands.errors import PublishFailed

__all__ = ["CommandSender"]

log = logging.getLogger(__name__)


class CommandSender:
    """One MQTT connection for commands. Use as ``async with CommandSender(...) as s``."""

    def __init__(
        self,
        settings: MqttSettings,
        topics: Topics,
        *,
        client_id: str | None = None,
        publish_timeout_s: float = 10.0,
        connect_timeout_s: float = 10.0,
    ) -> None:
        self._settings = settings
        self._topics = topics
        self._client_id = client_id or f"{settings.client_id}-commands"
        self._publish_timeout = publish_timeout_s
        self._connect_timeout = connect_timeout_s
        self._client: mqtt.Client | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._acks: dict[int, asyncio.Future[None]] = {}
        self.connected = asyncio.Event()
        self.published = 0

    async def __aenter__(self) -> CommandSender:
        self._loop = asyncio.get_running_loop()
        client = make_client(self._settings, client_id=self._client_id)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_publish = self._on_publish
        self._client = client
        try:
            await start_client(client, self._settings, self.connected, self._connect_timeout)
        except (OSError, TimeoutError) as exc:
            await self.__aexit__(None, None, None)
            raise PublishFailed(
                f"cannot connect to mqtt://{self._settings.host}:{self._settings.port}: {exc}"
            ) from exc
        return self

    async def __aexit__(self, *exc: object) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        await stop_client(client, self._acks, lambda: PublishFailed("sender closed"))

    async def publish(self, command: Command) -> None:
        """Publish at QoS 1 and wait for the broker's PUBACK."""
        client, loop = self._client, self._loop
        if client is None or loop is None:
            raise PublishFailed("command sender is not open")
        if not self.connected.is_set():
            raise PublishFailed("not connected to the broker")
        topic = self._topics.command(command.venue, command.target)
        fut: asyncio.Future[None] = loop.create_future()
        info = client.publish(topic, encode_command(command), qos=1)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            raise PublishFailed(f"publish refused: {mqtt.error_string(info.rc)}")
        # _resolve runs on this loop, so the PUBACK cannot overtake this registration.
        self._acks[info.mid] = fut
        try:
            await asyncio.wait_for(fut, self._publish_timeout)
        except TimeoutError as exc:
            raise PublishFailed(f"no PUBACK within {self._publish_timeout:g} s") from exc
        finally:
            self._acks.pop(info.mid, None)
        self.published += 1

    # -- paho callbacks (network thread) -----------------------------------

    def _on_connect(self, _c: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any = None) -> None:
        if not rc.is_failure and self._loop is not None:
            self._loop.call_soon_threadsafe(self.connected.set)
        else:
            log.warning("command sender connection refused: %s", rc)

    def _on_disconnect(self, _c: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any = None) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.connected.clear)

    def _on_publish(self, _c: mqtt.Client, _u: Any, mid: int, _rc: Any, _p: Any) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self._resolve, mid)

    def _resolve(self, mid: int) -> None:
        fut = self._acks.get(mid)
        if fut is not None and not fut.done():
            fut.set_result(None)
