"""Sending a recording back to a broker: at 1x, Nx or as fast as possible.

Inter-message timing follows the recording's receive timestamps, scaled by
``speed``; topics can be remapped (prefix rules and venue renames) so that a
replay never mixes with live data. The pacing takes an injectable clock and
sleep, so its timing is testable without waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import paho.mqtt.client as mqtt

from ingest.contract import Topics
from ingest.mqtt_settings import stop_client
from simulators.errors import PublishError, SimulatorError
from simulators.mqtt_config import MqttConfig, connect_in_background, make_client, unavailable
from simulators.recording import RecordedMessage
from simulators.recording_reader import RecordingReader

__all__ = [
    "MessageSender",
    "MqttSender",
    "RemapError",
    "ReplayOptionError",
    "ReplayPacer",
    "ReplayProgress",
    "TopicRemap",
    "replay_messages",
    "replay_recording",
]


_YIELD_EVERY = 500


class ReplayOptionError(SimulatorError, ValueError):
    """A replay option (speed, window, remapping) that cannot be used."""


class RemapError(ReplayOptionError):
    """A remapping rule that cannot be used."""


@dataclass(frozen=True, slots=True)
class TopicRemap:
    """Rewrites topics: prefix rules first (first match wins), then venue renames.

    ``prefixes``: ``("venues/", "replay/venues/")`` turns ``venues/x/batch``
    into ``replay/venues/x/batch``. ``venues``: ``("museum-wing",
    "museum-wing-replay")`` renames the venue segment of contract topics
    (``{prefix}venues/{venue}/...``, under ``topics``' prefix, after the
    prefix rules have been applied).
    """

    prefixes: tuple[tuple[str, str], ...] = ()
    venues: tuple[tuple[str, str], ...] = ()
    topics: Topics = field(default_factory=Topics)

    @classmethod
    def parse(
        cls, prefix_rules: Sequence[str] = (), venue_rules: Sequence[str] = (), prefix: str = ""
    ) -> TopicRemap:
        """From ``A=B`` strings, as given on the command line."""
        return cls(
            tuple(_pair(r, allow_empty_target=True) for r in prefix_rules),
            tuple(_pair(r, allow_empty_target=False) for r in venue_rules),
            Topics(prefix),
        )

    def __call__(self, topic: str) -> str:
        for old, new in self.prefixes:
            if topic.startswith(old):
                topic = new + topic[len(old) :]
                break
        if self.venues:
            parts = self.topics.split(topic)
            if parts is not None:
                venue_map = dict(self.venues)
                new_venue = venue_map.get(parts[0])
                if new_venue is not None:
                    root = self.topics.batch("").removesuffix("/batch")  # "{prefix}venues/"
                    rest = topic[len(root) + len(parts[0]) :]
                    topic = root + new_venue + rest
        return topic


def _pair(rule: str, *, allow_empty_target: bool) -> tuple[str, str]:
    old, sep, new = rule.partition("=")
    if not sep or not old or (not new and not allow_empty_target):
        raise RemapError(f"remap rule must look like OLD=NEW, got {rule!r}")
    if any(c in old + new for c in "+#"):
        raise RemapError(f"remap rule may not contain MQTT wildcards: {rule!r}")
    return old, new


class MessageSender(Protocol):
    """Where a replay sends messages (a broker, or a fake in tests)."""

    async def send(self, topic: str, payload: bytes, qos: int, retain: bool) -> None: ...


@dataclass
class ReplayProgress:
    """Counters a CLI can show while replaying."""

    messages: int = 0
    payload_bytes: int = 0
    recording_ts: float = 0.0  # receive time (in the recording) of the last message sent
    wall_elapsed_s: float = 0.0
    lag_s: float = 0.0  # how far behind schedule the last message went out


class ReplayPacer:
    """Maps recording time to wall time at ``speed`` (``math.inf``: never waits).

    Anchored on the first message: a message recorded ``d`` seconds after it
    falls due ``d / speed`` wall seconds after the replay started.
    """

    def __init__(
        self,
        speed: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not speed > 0:
            raise ReplayOptionError(f"replay speed must be positive (or inf), got {speed}")
        self.speed = speed
        self._clock = clock
        self._sleep = sleep
        self._anchor: tuple[float, float] | None = None

    def due(self, ts: float) -> float:
        """Wall time at which a message recorded at ``ts`` goes out."""
        if self._anchor is None:
            self._anchor = (ts, self._clock())
        t0, wall0 = self._anchor
        if math.isinf(self.speed):
            return wall0
        return wall0 + (ts - t0) / self.speed

    async def wait_for(self, ts: float) -> float:
        """Sleep until the message recorded at ``ts`` is due; returns how late it is."""
        due = self.due(ts)
        now = self._clock()
        if due > now:
            await self._sleep(due - now)
            return 0.0
        return now - due if math.isfinite(self.speed) else 0.0


async def replay_messages(
    messages: Iterable[RecordedMessage],
    sender: MessageSender,
    *,
    pacer: ReplayPacer | None = None,
    remap: Callable[[str], str] | None = None,
    qos: int | None = None,
    stop: asyncio.Event | None = None,
    on_progress: Callable[[ReplayProgress], None] | None = None,
    progress_interval_s: float = 0.25,
) -> ReplayProgress:
    """Send ``messages`` in order on their recorded schedule; returns the counters.

    ``qos`` overrides each message's recorded QoS. ``on_progress`` is called at
    most every ``progress_interval_s`` and at the end; in as-fast-as-possible
    mode the event loop still gets a turn every few hundred messages.
    """
    pacer = pacer or ReplayPacer()
    progress = ReplayProgress()
    wall0 = last_report = time.monotonic()
    for m in messages:
        if stop is not None and stop.is_set():
            break
        progress.lag_s = await pacer.wait_for(m.ts)
        topic = remap(m.topic) if remap is not None else m.topic
        await sender.send(topic, m.payload, m.qos if qos is None else qos, m.retain)
        progress.messages += 1
        progress.payload_bytes += len(m.payload)
        progress.recording_ts = m.ts
        if progress.messages % _YIELD_EVERY == 0:
            await asyncio.sleep(0)
        now = time.monotonic()
        if on_progress is not None and now - last_report >= progress_interval_s:
            last_report = now
            progress.wall_elapsed_s = now - wall0
            on_progress(progress)
    progress.wall_elapsed_s = time.monotonic() - wall0
    if on_progress is not None:
        on_progress(progress)
    return progress


async def replay_recording(
    path: str | Path,
    sender: MessageSender,
    *,
    speed: float = 1.0,
    remap: Callable[[str], str] | None = None,
    from_s: float | None = None,
    to_s: float | None = None,
    qos: int | None = None,
    stop: asyncio.Event | None = None,
    on_progress: Callable[[ReplayProgress], None] | None = None,
    on_open: Callable[[RecordingReader, int], None] | None = None,
) -> ReplayProgress:
    """Replay a recording file; ``from_s``/``to_s`` are offsets from its start.

    Chunks wholly outside the window are skipped without being decompressed.
    ``on_open(reader, expected_messages)`` lets a caller size a progress bar.
    """
    with RecordingReader(path) as reader:
        t0 = reader.header.start
        start = None if from_s is None else t0 + from_s
        end = None if to_s is None else t0 + to_s
        if on_open is not None:
            on_open(reader, reader.count(start, end))
        return await replay_messages(
            reader.messages(start, end),
            sender,
            pacer=ReplayPacer(speed),
            remap=remap,
            qos=qos,
            stop=stop,
            on_progress=on_progress,
        )


class MqttSender:
    """A paho-mqtt 2.x publisher with a bound on unacknowledged messages.

    Use as ``async with MqttSender(config) as sender``; closing waits for the
    in-flight messages to be acknowledged (up to ``drain_timeout_s``).
    """

    def __init__(
        self, config: MqttConfig, *, max_inflight: int = 1000, drain_timeout_s: float = 10.0
    ) -> None:
        if max_inflight < 1:
            raise PublishError("max_inflight must be positive")
        self.config = config
        self.max_inflight = max_inflight
        self.drain_timeout_s = drain_timeout_s
        self.sent = 0
        self._inflight = 0
        self._room = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._connected = threading.Event()
        self._connect_error: str | None = None
        client = make_client(config, role="replay")
        client.max_inflight_messages_set(max_inflight)
        client.max_queued_messages_set(0)
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_publish = self._on_publish
        self._client = client

    def _on_connect(self, _c: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        if rc.is_failure:
            self._connect_error = f"broker refused: {rc}"
        self._connected.set()

    def _on_connect_fail(self, _c: mqtt.Client, _u: Any) -> None:
        if not self._connected.is_set():
            self._connect_error = "cannot reach broker"
            self._connected.set()

    def _on_publish(self, _c: mqtt.Client, _u: Any, _mid: int, _rc: Any, _p: Any) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._release)

    def _release(self) -> None:
        self._inflight -= 1
        self._room.set()

    async def __aenter__(self) -> MqttSender:
        cfg = self.config
        self._loop = asyncio.get_running_loop()
        connect_in_background(self._client, cfg)
        ok = await asyncio.to_thread(self._connected.wait, cfg.connect_timeout_s)
        if not ok or self._connect_error is not None:
            self._client.loop_stop()
            why = self._connect_error or f"no answer within {cfg.connect_timeout_s} s"
            raise unavailable(cfg, why)
        return self

    async def __aexit__(self, *exc: object) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.drain(), self.drain_timeout_s)
        await stop_client(self._client)

    async def drain(self) -> None:
        """Wait until every message sent so far is handed over or acknowledged."""
        while self._inflight > 0:
            self._room.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._room.wait(), 0.05)

    async def send(self, topic: str, payload: bytes, qos: int, retain: bool) -> None:
        while self._inflight >= self.max_inflight:
            self._room.clear()
            await self._room.wait()
        self._inflight += 1
        info = self._client.publish(topic, payload, qos=qos, retain=retain)
        if info.rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
            self._release()
            raise PublishError(f"publish to {topic} failed: {mqtt.error_string(info.rc)}")
        if info.rc == mqtt.MQTT_ERR_NO_CONN and qos == 0:
            self._release()  # paho drops QoS 0 while disconnected; it will not be acked
        self.sent += 1
