"""WebSocket fan-out: coalesce changes per tick and send them to clients.

Clients watch a channel: a live venue, or a replay session of one. Changes are
coalesced per channel to the latest value per sensor, zone, alarm and command,
and each tick encodes each channel's frames once, shared by all its
subscribers. A frame for a client with nothing queued is written to its
socket within the tick (see :mod:`viewer.subscriber`); otherwise it waits in
the client's bounded outbox. A client too slow to keep up has its backlog
dropped and gets one fresh snapshot instead, so it never holds others back
and never grows memory.

A client's right to the stream is re-checked while it is open (see
:meth:`Hub.serve`): when its token expires, its user is removed, its password
changes or its role changes, it gets an ``unauthorized`` error frame and the
connection is closed with code 4401.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable
from typing import Any

import msgspec
from starlette.websockets import WebSocket, WebSocketDisconnect

from twin.alarms import AlarmEvent
from twin.commands import CommandEvent
from twin.service import TwinService
from twin.state import StateChanges
from viewer import frames
from viewer.auth import AuthError
from viewer.channels import Channel, ChannelKey, LiveChannel
from viewer.compact import FORMATS, CompactCodec
from viewer.outbox import Outbox
from viewer.roles import Principal, Role
from viewer.sources import AlarmSource, AnalyticsSource, CommandSource
from viewer.subscriber import CLOSE_UNAUTHORIZED, HubStats, Subscriber

__all__ = ["CLOSE_UNAUTHORIZED", "Hub", "HubStats", "next_tick"]

log = logging.getLogger(__name__)

MAX_CLIENT_FRAME = 4096


class Hub:
    """Live channels for every venue of ``twin``; replay channels come and go."""

    def __init__(
        self,
        twin: TwinService,
        *,
        alarms: AlarmSource | None = None,
        commands: CommandSource | None = None,
        analytics: AnalyticsSource | None = None,
        tick_hz: float = 4.0,
        client_queue: int = 64,
        heartbeat_s: float = 10.0,
        replay_role: Role = Role.ENGINEER,
        recheck_s: float = 2.0,
    ) -> None:
        self._tick = 1.0 / tick_hz
        self._queue_size = client_queue
        self._heartbeat = heartbeat_s
        self._replay_role = replay_role
        self._recheck_s = recheck_s
        self._next_recheck = 0.0
        self._clients: set[Subscriber] = set()
        self._loop: asyncio.AbstractEventLoop | None = None  # the clients' (set on the first)
        self._live: dict[str, LiveChannel] = {
            vid: LiveChannel(
                vid,
                _state_of(twin, vid),
                alarms=alarms,
                commands=commands,
                analytics=analytics,
                clock=twin.clock,
            )
            for vid in twin.states
        }
        self._clock = twin.clock
        self._channels: dict[ChannelKey, Channel] = {(v, None): c for v, c in self._live.items()}
        # Encoded snapshots for this tick, per format: many clients
        # resynchronising or subscribing at once share one string.
        self._snapshots: dict[tuple[ChannelKey, str], str] = {}
        # Each channel's compact encoder: its index tables live as long as it.
        self._codecs: dict[ChannelKey, CompactCodec] = {}
        self.stats = HubStats()
        twin.add_listener(self.on_changes)
        if alarms is not None:
            alarms.add_listener(self.on_alarm)
        if commands is not None:
            commands.add_listener(self.on_command)

    # -- sources ---------------------------------------------------------

    def on_changes(self, venue: str, changes: StateChanges) -> None:
        channel = self._live.get(venue)
        if channel is not None:
            channel.on_changes(changes)

    def on_alarm(self, event: AlarmEvent) -> None:
        channel = self._live.get(event.alarm.venue)
        if channel is not None:
            channel.on_alarm(event)

    def on_command(self, event: CommandEvent) -> None:
        channel = self._live.get(event.record.venue)
        if channel is not None:
            channel.on_command(event)

    def add_channel(self, key: ChannelKey, channel: Channel) -> None:
        if key[1] is None:
            raise ValueError("live channels are the hub's own")
        self._channels[key] = channel

    def remove_channel(self, key: ChannelKey, reason: str) -> None:
        """Drop a replay channel; its clients get an error and watch nothing."""
        if self._channels.pop(key, None) is None:
            return
        for fmt in FORMATS:
            self._snapshots.pop((key, fmt), None)
        self._codecs.pop(key, None)
        gone = frames.encode(frames.error_frame("replay_ended", reason))
        for c in self._clients:
            if c.key == key:
                c.key = None
                self._offer(c, gone, self._on_loop())

    def subscribers(self, key: ChannelKey) -> int:
        return sum(1 for c in self._clients if c.key == key)

    def backlog(self) -> int:
        """The most frames waiting for any one client (never above ``client_queue``)."""
        return max((len(c.outbox) for c in self._clients), default=0)

    # -- ticks -------------------------------------------------------------

    async def run(self) -> None:
        """The tick loop; runs until cancelled."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        while True:
            due = next_tick(due, loop.time(), self._tick)
            await asyncio.sleep(due - loop.time())
            try:
                self.flush(time.time())
            except Exception:  # never let the fan-out die
                log.exception("hub tick failed")

    def flush(self, now: float) -> None:
        """Send each channel's coalesced frames, and heartbeats."""
        self._snapshots.clear()  # the state moves on: later snapshots must be fresh
        self._enforce(now)
        on_loop = self._on_loop()  # once per tick: it costs a lookup per client otherwise
        watched: dict[ChannelKey, list[Subscriber]] = {}
        for c in self._clients:
            if c.key is not None:
                watched.setdefault(c.key, []).append(c)
        for key, channel in list(self._channels.items()):
            # drained even unwatched: pending stays bounded
            out = channel.drain(self._time_of(key, now))
            clients = watched.get(key)
            if not out or not clients:
                continue
            for frame in out:
                if frame.get("type") != "delta":  # alarms, commands: one shape for all
                    text = frames.encode(frame)
                    for c in clients:
                        self._offer(c, text, on_loop)
                    continue
                # Encoded once per format present, shared by its clients.
                texts: dict[str, str] = {}
                for c in clients:
                    shared = texts.get(c.fmt)
                    if shared is None:
                        shared = texts[c.fmt] = self._encode_delta(key, c.fmt, frame)
                    self._offer(c, shared, on_loop)
        mono = time.monotonic()
        for c in self._clients:
            if mono - c.last_sent >= self._heartbeat:
                beat = {"type": "heartbeat", "server_time": self._time_of(c.key, now)}
                self._offer(c, frames.encode(beat), on_loop)

    def _encode_delta(self, key: ChannelKey, fmt: str, frame: dict[str, Any]) -> str:
        if fmt == "compact":
            return frames.encode(self._codec(key).delta(frame))
        return frames.encode(frame)

    def _codec(self, key: ChannelKey) -> CompactCodec:
        codec = self._codecs.get(key)
        if codec is None:
            codec = self._codecs[key] = CompactCodec()
        return codec

    def _time_of(self, key: ChannelKey | None, now: float) -> float:
        """A live channel's time is its venue's data clock (wall time unless catching up)."""
        if key is None or key[1] is not None or key not in self._channels:
            return now
        return self._clock.now(key[0])

    def _enforce(self, now: float) -> None:
        """Close clients whose token expired or whose user was removed or changed.

        Each token is re-proved every ``recheck_s`` (one HMAC and a users-file
        stat), and at once when it reaches its expiry.
        """
        mono = time.monotonic()
        due = mono >= self._next_recheck
        if due:
            self._next_recheck = mono + self._recheck_s
        for c in list(self._clients):
            if c.recheck is None or not (due or now >= c.expires_at):
                continue
            try:
                got = c.recheck()
            except AuthError as exc:
                self._close(c, str(exc))
                continue
            except Exception:  # one client's check must not stop the fan-out
                log.exception("re-checking a WebSocket client's token failed")
                self._close(c, "the token could not be checked: log in again")
                continue
            if got.role is not c.principal.role:
                was, now_is = c.principal.role.value, got.role.value
                self._close(c, f"role changed from {was} to {now_is}: log in again")

    def _close(self, c: Subscriber, reason: str) -> None:
        """Stop the client's stream now; its sender says why and closes the socket."""
        self._clients.discard(c)
        self.stats.clients = len(self._clients)
        self.stats.revoked += 1
        c.closing = reason
        c.outbox.replace("")  # nothing more of the stream reaches it; wakes the sender

    def _offer(self, c: Subscriber, text: str, on_loop: bool = True) -> None:
        c.last_sent = time.monotonic()
        if on_loop and c.idle():  # written now, in this step (viewer/subscriber.py)
            c.send_now(text)
            return
        if c.broken:  # its socket failed: serve() removes it when its receive loop ends
            return
        if not c.outbox.offer(text):
            # Drop the backlog: a snapshot supersedes every queued frame.
            self.stats.resyncs += 1
            snap = self._snapshot(c.key, c.fmt)
            if snap is None:
                c.outbox.clear()
            else:
                c.outbox.replace(snap)

    def _on_loop(self) -> bool:
        """Running on the clients' event loop (tests may tick the hub from another thread)."""
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False

    def _snapshot(self, key: ChannelKey | None, fmt: str = "v1") -> str | None:
        channel = self._channels.get(key) if key is not None else None
        if key is None or channel is None:
            return None
        text = self._snapshots.get((key, fmt))
        if text is None:
            # Valid until the next flush: changes after it reach the client as deltas.
            snap = channel.snapshot(self._time_of(key, time.time()))
            if fmt == "compact":
                snap = self._codec(key).snapshot(snap)
            text = self._snapshots[key, fmt] = frames.encode(snap)
        return text

    # -- client side -----------------------------------------------------

    async def serve(
        self,
        ws: WebSocket,
        principal: Principal,
        *,
        recheck: Callable[[], Principal] | None = None,
        expires_at: float = math.inf,
    ) -> None:
        """Handle one accepted, authenticated WebSocket until it closes.

        ``recheck`` re-proves the client's token (raising :class:`AuthError`
        when it no longer does), ``expires_at`` is the token's expiry.
        """
        client = Subscriber(
            ws,
            principal,
            Outbox(self._queue_size),
            self.stats,
            recheck=recheck,
            expires_at=expires_at,
        )
        self._loop = asyncio.get_running_loop()
        self._clients.add(client)
        self.stats.clients = len(self._clients)
        sender = asyncio.create_task(client.run_sender(), name="ws-sender")
        try:
            client.outbox.offer(frames.encode(frames.hello_frame(time.time(), principal)))
            while True:
                try:
                    text = await ws.receive_text()
                except KeyError:  # a binary frame carries no text
                    self._offer(client, self._bad("bad_frame", "frames are JSON text"))
                    continue
                reply = self._handle(client, text)
                if reply is not None and client.closing is None:
                    self._offer(client, reply)
        except WebSocketDisconnect:
            pass
        finally:
            self._clients.discard(client)
            self.stats.clients = len(self._clients)
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender

    def _handle(self, client: Subscriber, text: str) -> str | None:
        if len(text) > MAX_CLIENT_FRAME:
            return self._bad("frame_too_large", "frames are at most 4 KiB")
        try:
            msg: Any = msgspec.json.decode(text)
        except (msgspec.DecodeError, RecursionError):  # deep nesting recurses in msgspec
            return self._bad("bad_json", "frame is not valid JSON")
        kind = msg.get("type") if isinstance(msg, dict) else None
        if kind == "ping":
            return frames.encode({"type": "pong", "server_time": time.time()})
        if kind == "auth":
            # Already authenticated (e.g. a client that always starts with auth
            # on a server without authentication): answer as on connect.
            return frames.encode(frames.hello_frame(time.time(), client.principal))
        if kind == "subscribe":
            fmt = msg.get("format", "v1")
            if fmt not in FORMATS:
                return self._bad("bad_frame", f"format must be one of {', '.join(FORMATS)}")
            return self._subscribe(client, msg.get("venue"), msg.get("replay"), fmt)
        return self._bad("bad_frame", "expected a 'subscribe' or 'ping' frame")

    def _subscribe(
        self, client: Subscriber, venue: object, replay: object, fmt: str = "v1"
    ) -> str | None:
        if not isinstance(venue, str) or (venue, None) not in self._channels:
            return self._bad("unknown_venue", f"no venue {venue!r}")
        if replay is not None:
            if not client.principal.role.allows(self._replay_role):
                return self._bad(
                    "forbidden", f"watching a replay needs the {self._replay_role.value} role"
                )
            if not isinstance(replay, str) or (venue, replay) not in self._channels:
                return self._bad("unknown_replay", f"no replay session {replay!r} of {venue!r}")
        client.key = (venue, replay if isinstance(replay, str) else None)
        client.fmt = fmt
        return self._snapshot(client.key, fmt)

    def _bad(self, code: str, message: str) -> str:
        self.stats.bad_frames += 1
        return frames.encode(frames.error_frame(code, message))


def next_tick(due: float, now: float, period: float) -> float:
    """When the tick after the one due at ``due`` runs: on a fixed schedule.

    Sleeping a whole period after each flush made the period the tick plus the
    flush plus any loop delay (about 140 ms at 10 Hz on a busy 5,040-sensor
    venue), and every value waited that much longer for its frame. A tick
    already late runs at once and the schedule restarts from it (no burst of
    missed ticks).
    """
    return max(due + period, now)


def _state_of(twin: TwinService, venue: str) -> Any:
    return lambda: twin.states[venue]
