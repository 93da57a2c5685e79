"""The mirror viewer's MQTT connection (paho-mqtt 2.x bridged to asyncio).

Subscribes to each venue's ``twin/snapshot``, ``twin/delta`` and its own
``twin/replies/{client_id}``; decodes on paho's network thread and hands the
typed messages to the :class:`~viewer.mirror.Mirror` on the event loop.
Publishes resync requests and forwards operator actions, waiting for the
twin's reply (:class:`ActionTimeout` after ``action_timeout_s``;
:class:`TwinUnreachable` when not connected or the twin has gone quiet).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from dataclasses import dataclass
from functools import partial
from typing import Any

import paho.mqtt.client as mqtt

from ingest.contract import Topics
from ingest.mqtt_settings import MqttSettings, make_client, start_client, stop_client
from ingest.mqtt_subscribe import SubscribeGate
from twin.replica.codec import (
    ActionKind,
    ActionReply,
    ActionRequest,
    DeltaMsg,
    ResyncRequest,
    SnapshotMsg,
    decode,
    encode,
)
from twin.replica.errors import ActionTimeout, ReplicaError, TwinUnreachable
from viewer.mirror import Mirror

__all__ = ["MirrorClient", "MirrorClientStats"]

log = logging.getLogger(__name__)


@dataclass
class MirrorClientStats:
    messages: int = 0
    bad_messages: int = 0
    resync_requests: int = 0
    actions: int = 0
    action_timeouts: int = 0


class MirrorClient:
    """Use as ``async with MirrorClient(...)``; it implements ``ActionForwarder``."""

    def __init__(
        self,
        settings: MqttSettings,
        topics: Topics,
        venues: list[str],
        *,
        client_id: str,
        action_timeout_s: float = 10.0,
        twin_silence_s: float = 30.0,
        connect_timeout_s: float = 10.0,
        max_pending_actions: int = 256,
    ) -> None:
        self._settings = settings
        self._topics = topics
        self._venues = venues
        self.client_id = client_id
        self._action_timeout = action_timeout_s
        self._twin_silence = twin_silence_s
        self._connect_timeout = connect_timeout_s
        self._max_pending = max_pending_actions
        self.mirror: Mirror | None = None
        self._client: mqtt.Client | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._replies: dict[str, asyncio.Future[ActionReply]] = {}
        self.connected = asyncio.Event()
        self._subscribing = SubscribeGate("mirror")
        self.stats = MirrorClientStats()

    async def __aenter__(self) -> MirrorClient:
        if self.mirror is None:
            raise ReplicaError("set MirrorClient.mirror before opening it")
        self._loop = asyncio.get_running_loop()
        client = make_client(self._settings, client_id=self.client_id)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        self._client = client
        try:
            await start_client(client, self._settings, self.connected, self._connect_timeout)
        except TimeoutError:
            # Keep trying in the background: health shows it, state endpoints answer 503.
            log.warning(
                "mirror not yet connected to mqtt://%s:%s; retrying",
                self._settings.host,
                self._settings.port,
            )
        return self

    async def __aexit__(self, *exc: object) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        await stop_client(
            client, self._replies, lambda: TwinUnreachable("the viewer is shutting down")
        )

    # -- requests to the twin ------------------------------------------------------

    def request_resync(self, venue: str, reason: str) -> None:
        client = self._client
        if client is None or not self.connected.is_set():
            return
        log.info("asking the twin for a snapshot of %s (%s)", venue, reason)
        self.stats.resync_requests += 1
        client.publish(self._topics.twin(venue, "resync"), encode(ResyncRequest(venue, reason)), 1)

    async def forward(
        self,
        venue: str,
        kind: ActionKind,
        target_id: str,
        user: str,
        *,
        note: str = "",
        duration_s: float | None = None,
    ) -> ActionReply:
        client, loop = self._client, self._loop
        if client is None or loop is None or not self.connected.is_set():
            raise TwinUnreachable("the viewer is not connected to the broker")
        silent = self.mirror.silent_for(venue, time.time()) if self.mirror else None
        if silent is None or silent > self._twin_silence:
            what = "never" if silent is None else f"not for {silent:.0f} s"
            raise TwinUnreachable(f"the twin has published {what} the state of {venue!r}")
        if len(self._replies) >= self._max_pending:
            raise TwinUnreachable("too many actions wait for the twin's answer")
        req = ActionRequest(
            request_id=uuid.uuid4().hex,
            reply_to=self.client_id,
            venue=venue,
            kind=kind,
            target_id=target_id,
            user=user,
            note=note,
            duration_s=duration_s,
        )
        fut: asyncio.Future[ActionReply] = loop.create_future()
        self._replies[req.request_id] = fut
        try:
            info = client.publish(self._topics.twin(venue, "actions"), encode(req), qos=1)
            if info.rc != mqtt.MQTT_ERR_SUCCESS:
                raise TwinUnreachable(f"cannot publish the action: {mqtt.error_string(info.rc)}")
            self.stats.actions += 1
            try:
                return await asyncio.wait_for(fut, self._action_timeout)
            except TimeoutError as exc:
                self.stats.action_timeouts += 1
                raise ActionTimeout(
                    f"the twin did not answer within {self._action_timeout:g} s; "
                    "the action may still be applied: reload before retrying"
                ) from exc
        finally:
            self._replies.pop(req.request_id, None)

    # -- on the event loop -----------------------------------------------------------

    def _on_reply(self, reply: ActionReply) -> None:
        fut = self._replies.get(reply.request_id)
        if fut is not None and not fut.done():
            fut.set_result(reply)

    def _connected(self) -> None:
        self.connected.set()

    # -- paho callbacks (network thread) ----------------------------------------------

    def _call(self, fn: Any, *args: Any) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(fn, *args)

    def _on_connect(self, c: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any = None) -> None:
        if rc.is_failure:
            log.warning("mirror connection refused: %s", rc)
            return
        subs: list[tuple[str, int]] = []
        for v in self._venues:
            subs += [
                (self._topics.twin(v, "snapshot"), 1),
                (self._topics.twin(v, "delta"), 1),
                (self._topics.twin(v, f"replies/{self.client_id}"), 1),
            ]
        # Connected at the SUBACK: a request sent before the broker holds the
        # replies subscription would lose its reply.
        self._subscribing.subscribe(c, subs)

    def _on_subscribe(self, _c: mqtt.Client, _u: Any, mid: int, codes: Any, _p: Any) -> None:
        if self._subscribing.granted(mid, codes):
            self._call(self._connected)

    def _on_disconnect(self, _c: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any = None) -> None:
        self._call(self.connected.clear)

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        mirror = self.mirror
        split = self._topics.split(msg.topic)
        if mirror is None or split is None:
            return
        self.stats.messages += 1
        rest = split[2]
        try:
            if rest == "delta":
                self._call(mirror.on_delta, decode(msg.payload, DeltaMsg))
            elif rest == "snapshot":
                snapshot = decode(msg.payload, SnapshotMsg)
                self._call(partial(mirror.on_snapshot, retained=bool(msg.retain)), snapshot)
            elif rest.startswith("replies/"):
                self._call(self._on_reply, decode(msg.payload, ActionReply))
        except ReplicaError as exc:
            self.stats.bad_messages += 1
            log.warning("bad message on %s: %s", msg.topic, exc)
