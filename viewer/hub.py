"""WebSocket fan-out: coalesce twin changes per tick and send them to clients.

Changes are coalesced to the latest value per sensor and zone, and each tick
encodes one delta per venue, shared by all its subscribers. Every client has
a bounded queue; a client too slow to keep up has its backlog dropped and gets
one fresh snapshot instead, so it never holds others back and never grows
memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import msgspec
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from twin.service import TwinService
from twin.state import SensorState, StateChanges, ZoneState
from viewer import frames

__all__ = ["Hub", "HubStats"]

log = logging.getLogger(__name__)

MAX_CLIENT_FRAME = 4096


@dataclass
class HubStats:
    clients: int = 0
    frames_sent: int = 0
    resyncs: int = 0
    bad_frames: int = 0


@dataclass(eq=False)
class _Client:
    ws: WebSocket
    queue: asyncio.Queue[str]
    venue: str | None = None
    last_sent: float = field(default_factory=time.monotonic)


class Hub:
    def __init__(
        self,
        twin: TwinService,
        *,
        tick_hz: float = 4.0,
        client_queue: int = 64,
        heartbeat_s: float = 10.0,
    ) -> None:
        self._twin = twin
        self._tick = 1.0 / tick_hz
        self._queue_size = client_queue
        self._heartbeat = heartbeat_s
        self._clients: set[_Client] = set()
        self._pending_sensors: dict[str, dict[str, SensorState]] = {}
        self._pending_zones: dict[str, dict[str, ZoneState]] = {}
        self.stats = HubStats()
        twin.add_listener(self.on_changes)

    # -- twin side -------------------------------------------------------

    def on_changes(self, venue: str, changes: StateChanges) -> None:
        ps = self._pending_sensors.setdefault(venue, {})
        for s in changes.sensors:
            ps[s.sensor] = s
        pz = self._pending_zones.setdefault(venue, {})
        for z in changes.zones:
            pz[z.zone] = z

    async def run(self) -> None:
        """The tick loop; runs until cancelled."""
        while True:
            await asyncio.sleep(self._tick)
            try:
                self.flush(time.time())
            except Exception:  # never let the fan-out die
                log.exception("hub tick failed")

    def flush(self, now: float) -> None:
        """Send one coalesced delta per venue with changes, and heartbeats."""
        for venue in list(self._pending_sensors.keys() | self._pending_zones.keys()):
            sensors = self._pending_sensors.pop(venue, {})
            zones = self._pending_zones.pop(venue, {})
            if not sensors and not zones:
                continue
            text = frames.encode(frames.delta_frame(venue, sensors.values(), zones.values(), now))
            for c in self._clients:
                if c.venue == venue:
                    self._offer(c, text)
        mono = time.monotonic()
        beat = frames.encode({"type": "heartbeat", "server_time": now})
        for c in self._clients:
            if mono - c.last_sent >= self._heartbeat:
                self._offer(c, beat)

    def _offer(self, c: _Client, text: str) -> None:
        c.last_sent = time.monotonic()
        try:
            c.queue.put_nowait(text)
        except asyncio.QueueFull:
            # Drop the backlog: a snapshot supersedes every queued delta.
            while not c.queue.empty():
                c.queue.get_nowait()
            self.stats.resyncs += 1
            if c.venue is not None:
                c.queue.put_nowait(self._snapshot(c.venue))

    def _snapshot(self, venue: str) -> str:
        return frames.encode(frames.snapshot_body(self._twin.states[venue], time.time()))

    # -- client side -----------------------------------------------------

    async def serve(self, ws: WebSocket) -> None:
        """Handle one accepted WebSocket until it closes."""
        client = _Client(ws, asyncio.Queue(maxsize=self._queue_size))
        self._clients.add(client)
        self.stats.clients = len(self._clients)
        sender = asyncio.create_task(self._sender(client), name="ws-sender")
        try:
            client.queue.put_nowait(frames.encode(frames.hello_frame(time.time())))
            while True:
                text = await ws.receive_text()
                reply = self._handle(client, text)
                if reply is not None:
                    self._offer(client, reply)
        except WebSocketDisconnect:
            pass
        finally:
            self._clients.discard(client)
            self.stats.clients = len(self._clients)
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender

    def _handle(self, client: _Client, text: str) -> str | None:
        if len(text) > MAX_CLIENT_FRAME:
            self.stats.bad_frames += 1
            return frames.encode(frames.error_frame("frame_too_large", "frames are at most 4 KiB"))
        try:
            msg: Any = msgspec.json.decode(text)
        except msgspec.DecodeError:
            self.stats.bad_frames += 1
            return frames.encode(frames.error_frame("bad_json", "frame is not valid JSON"))
        kind = msg.get("type") if isinstance(msg, dict) else None
        if kind == "ping":
            return frames.encode({"type": "pong", "server_time": time.time()})
        if kind == "subscribe":
            venue = msg.get("venue")
            if not isinstance(venue, str) or venue not in self._twin.states:
                self.stats.bad_frames += 1
                return frames.encode(frames.error_frame("unknown_venue", f"no venue {venue!r}"))
            client.venue = venue
            return self._snapshot(venue)
        self.stats.bad_frames += 1
        return frames.encode(
            frames.error_frame("bad_frame", "expected a 'subscribe' or 'ping' frame")
        )

    async def _sender(self, client: _Client) -> None:
        ws = client.ws
        while True:
            text = await client.queue.get()
            if ws.application_state is not WebSocketState.CONNECTED:
                return
            await ws.send_text(text)
            self.stats.frames_sent += 1
