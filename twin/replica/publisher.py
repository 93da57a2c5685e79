"""Publishes the twin's state on the broker for mirror viewers (paho-mqtt 2.x, QoS 1).

Per venue: ``twin/snapshot`` (retained, the full picture; at connect, every
``snapshot_s`` and on a mirror's ``twin/resync``) and ``twin/delta`` (the
changes coalesced over one tick, alarm and command changes included, numbered
by ``seq``). The publisher also takes ``twin/actions`` from mirrors, applies
them with an :class:`ActionHandler` and answers on ``twin/replies/{viewer}``.

Bounded: at most ``max_inflight`` publishes wait for their PUBACK. A tick
that finds no room (slow or absent broker) drops its delta, still counts its
seq so mirrors see the gap, and publishes a snapshot once there is room again.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import paho.mqtt.client as mqtt

from ingest.contract import Topics
from ingest.mqtt_settings import MqttSettings, make_client, start_client, stop_client
from ingest.mqtt_subscribe import SubscribeGate
from twin.alarms import Alarm, AlarmEvent, AlarmManager
from twin.commands import CommandEvent, CommandRecord, CommandTracker
from twin.replica.actions import ActionHandler
from twin.replica.codec import (
    ActionReply,
    ActionRequest,
    DeltaMsg,
    ResyncRequest,
    SnapshotMsg,
    alarm_to_wire,
    command_to_wire,
    decode,
    encode,
    sensor_to_wire,
    zone_to_wire,
)
from twin.replica.errors import ReplicaError, TwinUnreachable
from twin.service import TwinService
from twin.state import SensorState, StateChanges, ZoneState

__all__ = ["AnalyticsFeed", "PublisherStats", "StatePublisher"]

log = logging.getLogger(__name__)

_MAX_ACTION_TASKS = 64


class _AnalyticsChanges(Protocol):
    def __bool__(self) -> bool: ...

    def body(self) -> dict[str, Any]: ...


class AnalyticsFeed(Protocol):
    """What the publisher reads of the analytics (``viewer.analytics_view.AnalyticsView``).

    Give the publisher its own feed: ``take_changes`` forgets what it returns.
    """

    def body(self, venue: str) -> dict[str, Any] | None: ...

    def take_changes(self, venue: str) -> _AnalyticsChanges: ...


@dataclass
class PublisherStats:
    snapshots: int = 0
    deltas: int = 0
    dropped_deltas: int = 0
    resync_requests: int = 0
    actions: int = 0
    bad_messages: int = 0


@dataclass
class _VenueOut:
    sensors: dict[str, SensorState] = field(default_factory=dict)
    zones: dict[str, ZoneState] = field(default_factory=dict)
    alarms: dict[str, Alarm] = field(default_factory=dict)
    commands: dict[str, CommandRecord] = field(default_factory=dict)
    seq: int = 0
    want_snapshot: bool = True
    last_snapshot: float = float("-inf")

    def pending(self) -> bool:
        return bool(self.sensors or self.zones or self.alarms or self.commands)

    def clear(self) -> None:
        self.sensors, self.zones, self.alarms, self.commands = {}, {}, {}, {}


class StatePublisher:
    """Use as ``async with StatePublisher(...) as p`` and run :meth:`run` as a task."""

    def __init__(
        self,
        settings: MqttSettings,
        topics: Topics,
        twin: TwinService,
        *,
        alarms: AlarmManager | None = None,
        commands: CommandTracker | None = None,
        analytics: AnalyticsFeed | None = None,
        client_id: str | None = None,
        tick_s: float = 0.1,
        snapshot_s: float = 10.0,
        max_inflight: int = 200,
        connect_timeout_s: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._topics = topics
        self._twin = twin
        self._alarms = alarms
        self._commands = commands
        self._analytics = analytics
        self._client_id = client_id or f"{settings.client_id}-state"
        self._tick = tick_s
        self._snapshot_s = snapshot_s
        self._max_inflight = max_inflight
        self._connect_timeout = connect_timeout_s
        self._clock = clock
        self.epoch = secrets.token_hex(8)
        self.actions = ActionHandler(frozenset(twin.venues), alarms=alarms, commands=commands)
        self._out = {vid: _VenueOut() for vid in twin.venues}
        self._client: mqtt.Client | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._inflight: set[int] = set()
        self._action_tasks: set[asyncio.Task[None]] = set()
        self.connected = asyncio.Event()
        self._subscribing = SubscribeGate("state publisher")
        self.stats = PublisherStats()
        twin.add_listener(self.on_changes)
        if alarms is not None:
            alarms.add_listener(self.on_alarm)
        if commands is not None:
            commands.add_listener(self.on_command)

    # -- lifecycle -----------------------------------------------------------

    async def __aenter__(self) -> StatePublisher:
        self._loop = asyncio.get_running_loop()
        client = make_client(self._settings, client_id=self._client_id)
        # paho's own queue is the last bound: past it publish() refuses instead of growing.
        client.max_queued_messages_set(self._max_inflight * 2)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_publish = self._on_publish
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        self._client = client
        try:
            await start_client(client, self._settings, self.connected, self._connect_timeout)
        except (OSError, TimeoutError) as exc:
            await self.__aexit__(None, None, None)
            raise TwinUnreachable(
                f"state publisher cannot connect to mqtt://{self._settings.host}:"
                f"{self._settings.port}: {exc}"
            ) from exc
        return self

    async def __aexit__(self, *exc: object) -> None:
        for t in list(self._action_tasks):
            t.cancel()
        client, self._client = self._client, None
        if client is None:
            return
        await stop_client(client)

    async def run(self) -> None:
        """Publish at every tick until cancelled."""
        while True:
            await asyncio.sleep(self._tick)
            try:
                self.flush(self._clock())
            except Exception:  # never let the state feed die
                log.exception("state publisher tick failed")

    # -- sources ---------------------------------------------------------------

    def on_changes(self, venue: str, changes: StateChanges) -> None:
        out = self._out.get(venue)
        if out is None:
            return
        for s in changes.sensors:
            out.sensors[s.sensor] = s
        for z in changes.zones:
            out.zones[z.zone] = z

    def on_alarm(self, event: AlarmEvent) -> None:
        out = self._out.get(event.alarm.venue)
        if out is not None:
            out.alarms[event.alarm.alarm_id] = event.alarm

    def on_command(self, event: CommandEvent) -> None:
        out = self._out.get(event.record.venue)
        if out is not None:
            out.commands[event.record.command_id] = event.record

    def request_snapshot(self, venue: str) -> None:
        out = self._out.get(venue)
        if out is not None:
            out.want_snapshot = True

    def seqs(self) -> dict[str, int]:
        return {vid: out.seq for vid, out in self._out.items()}

    # -- the tick ----------------------------------------------------------------

    def flush(self, now: float) -> None:
        for venue, out in self._out.items():
            analytics = self._analytics.take_changes(venue) if self._analytics else None
            if out.pending() or analytics:
                if self._room():
                    out.seq += 1
                    self._publish(
                        self._topics.twin(venue, "delta"), self._delta(venue, out, now, analytics)
                    )
                    self.stats.deltas += 1
                else:
                    # Drop rather than queue: the seq still counts so mirrors see the gap.
                    out.seq += 1
                    out.want_snapshot = True
                    self.stats.dropped_deltas += 1
                out.clear()
            due = out.want_snapshot or now - out.last_snapshot >= self._snapshot_s
            if due and self._room():
                msg = self.snapshot(venue, now)
                self._publish(self._topics.twin(venue, "snapshot"), encode(msg), retain=True)
                out.want_snapshot = False
                out.last_snapshot = now
                self.stats.snapshots += 1

    def snapshot(self, venue: str, now: float) -> SnapshotMsg:
        """The full picture of ``venue`` as of the last delta published."""
        state = self._twin.states[venue]
        alarms = self._alarms.open_alarms(venue) if self._alarms else []
        commands = self._commands.open_commands(venue) if self._commands else []
        commands.sort(key=lambda c: -c.created_at)
        analytics = self._analytics.body(venue) if self._analytics else None
        return SnapshotMsg(
            venue=venue,
            epoch=self.epoch,
            seq=self._out[venue].seq,
            published_at=now,
            sensors={s.sensor: sensor_to_wire(s) for s in state.sensors()},
            zones={z.zone: zone_to_wire(z) for z in state.zones()},
            alarms=[alarm_to_wire(a) for a in alarms],
            commands=[command_to_wire(c) for c in commands],
            analytics=analytics or {},
        )

    def _delta(
        self, venue: str, out: _VenueOut, now: float, analytics: _AnalyticsChanges | None
    ) -> bytes:
        return encode(
            DeltaMsg(
                venue=venue,
                epoch=self.epoch,
                seq=out.seq,
                published_at=now,
                sensors={k: sensor_to_wire(s) for k, s in out.sensors.items()},
                zones={k: zone_to_wire(z) for k, z in out.zones.items()},
                alarms=[alarm_to_wire(a) for a in out.alarms.values()],
                commands=[command_to_wire(c) for c in out.commands.values()],
                analytics=analytics.body() if analytics else None,
            )
        )

    def _room(self) -> bool:
        return self.connected.is_set() and len(self._inflight) < self._max_inflight

    def _publish(self, topic: str, payload: bytes, *, retain: bool = False) -> bool:
        client = self._client
        if client is None:
            return False
        info = client.publish(topic, payload, qos=1, retain=retain)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            log.warning("state publish to %s refused: %s", topic, mqtt.error_string(info.rc))
            return False
        # on_publish is resolved on this loop, so it cannot run before this add.
        self._inflight.add(info.mid)
        return True

    # -- actions and resync requests (on the event loop) -------------------------

    def _on_request(self, topic: str, payload: bytes) -> None:
        split = self._topics.split(topic)
        if split is None:
            return
        venue, _kind, rest = split
        if venue not in self._out:
            return
        try:
            if rest == "resync":
                decode(payload, ResyncRequest)
                self.stats.resync_requests += 1
                self.request_snapshot(venue)
            elif rest == "actions":
                self._start_action(venue, decode(payload, ActionRequest))
        except ReplicaError as exc:
            self.stats.bad_messages += 1
            log.warning("bad message on %s: %s", topic, exc)

    def _start_action(self, venue: str, req: ActionRequest) -> None:
        if not _valid_client_id(req.reply_to):
            self.stats.bad_messages += 1
            return
        if req.venue != venue:
            self._reply(venue, req, ActionReply(req.request_id, False, 400, "venue mismatch"))
            return
        if len(self._action_tasks) >= _MAX_ACTION_TASKS:
            self._reply(venue, req, ActionReply(req.request_id, False, 503, "the twin is busy"))
            return
        task = asyncio.get_running_loop().create_task(
            self._act(venue, req), name=f"twin-action-{req.request_id}"
        )
        self._action_tasks.add(task)
        task.add_done_callback(self._action_tasks.discard)

    async def _act(self, venue: str, req: ActionRequest) -> None:
        self.stats.actions += 1
        self._reply(venue, req, await self.actions.handle(req))

    def _reply(self, venue: str, req: ActionRequest, reply: ActionReply) -> None:
        # Replies go out even without room: they are few and bounded by the task limit.
        self._publish(self._topics.twin(venue, f"replies/{req.reply_to}"), encode(reply))

    # -- paho callbacks (network thread) -----------------------------------------

    def _call(self, fn: Callable[..., None], *args: Any) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(fn, *args)

    def _on_connect(self, c: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any = None) -> None:
        if rc.is_failure:
            log.warning("state publisher connection refused: %s", rc)
            return
        root = self._topics.twin("+", "")
        # Connected at the SUBACK: an action sent before the broker holds the
        # subscription would be lost, and the operator's request time out.
        self._subscribing.subscribe(c, [(f"{root}actions", 1), (f"{root}resync", 1)])

    def _on_subscribe(self, _c: mqtt.Client, _u: Any, mid: int, codes: Any, _p: Any) -> None:
        if self._subscribing.granted(mid, codes):
            self._call(self._connected)

    def _connected(self) -> None:
        self._inflight.clear()  # a new connection: paho resends or forgets the old ones
        for out in self._out.values():
            out.want_snapshot = True  # the retained snapshot may predate a broker restart
        self.connected.set()

    def _on_disconnect(self, _c: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any = None) -> None:
        self._call(self.connected.clear)

    def _on_publish(self, _c: mqtt.Client, _u: Any, mid: int, _rc: Any, _p: Any) -> None:
        self._call(self._inflight.discard, mid)

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        self._call(self._on_request, msg.topic, bytes(msg.payload))


def _valid_client_id(cid: str) -> bool:
    """A topic level: non-empty, no separators or wildcards."""
    return 0 < len(cid) <= 128 and not any(ch in cid for ch in "/+#\x00")
