"""Publishing simulated readings over MQTT, and running a simulation against real time.

:class:`SimPublisher` wraps a paho-mqtt 2.x client (its network thread does the
I/O) behind an ``async with`` lifecycle. It sends batches on
``venues/{venue}/batch`` (or one message per reading on
``venues/{venue}/sensors/{sensor}``), bounds the messages in flight (the
caller awaits when the bound is reached), publishes retained ``online`` status
for every sensor on connect and ``offline`` on a clean close, and leaves a
last will that marks the simulator gateway ``offline`` if it dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import msgspec
import numpy as np
import paho.mqtt.client as mqtt

from ingest.contract import Reading, SensorStatus, Topics
from ingest.encode import encode_batch, encode_reading, encode_status
from simulators import formats
from simulators.clock import SimClock
from simulators.errors import PublishError
from simulators.faults import FaultPlan
from simulators.formats import PayloadFormat
from simulators.mqtt_config import MqttConfig, connect_in_background, make_client, unavailable
from simulators.schedule import DaySchedule
from simulators.simulator import VenueSimulator
from simulators.tracker_positions import TrackerPositions
from twin.venue import Venue

__all__ = ["GATEWAY_ID", "SimProgress", "SimPublisher", "run_simulation"]

GATEWAY_ID = "simulator"  # status/<this> carries the publisher's own online/offline


class SimPublisher:
    """One MQTT connection publishing one venue's readings and statuses."""

    def __init__(
        self,
        config: MqttConfig,
        venue: str,
        *,
        topics: Topics | None = None,
        qos: int = 1,
        max_inflight: int = 1000,
        max_batch: int = 500,
        sensors: Sequence[str] = (),
        payload_format: PayloadFormat | None = None,
    ) -> None:
        if qos not in (0, 1):
            raise PublishError(f"qos must be 0 or 1, got {qos}")
        if max_inflight < 1 or max_batch < 1:
            raise PublishError("max_inflight and max_batch must be positive")
        self.config = config
        self.venue = venue
        self.topics = topics or Topics()
        self.qos = qos
        self.max_inflight = max_inflight
        self.max_batch = max_batch
        self.sensors = tuple(sensors)
        self.payload_format = payload_format  # another ecosystem's payloads (formats.py)
        self.messages = 0
        self.readings = 0
        self.dropped = 0
        self._inflight = 0
        self._room = asyncio.Event()
        self._connected = asyncio.Event()
        self._connect_error: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client = self._make_client()

    def _make_client(self) -> mqtt.Client:
        cfg = self.config
        client = make_client(cfg)
        will = encode_status(SensorStatus.OFFLINE, time.time())
        client.will_set(self.topics.status(self.venue, GATEWAY_ID), will, qos=1, retain=True)
        # Our own bound is the one that matters; paho's queue stays unbounded under it.
        client.max_inflight_messages_set(self.max_inflight)
        client.max_queued_messages_set(0)
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_publish = self._on_publish
        return client

    # paho callbacks run on its network thread: hand everything to the event loop.
    def _on_connect(self, _c: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        assert self._loop is not None
        if rc.is_failure:
            self._loop.call_soon_threadsafe(self._fail, f"broker refused: {rc}")
        else:
            self._loop.call_soon_threadsafe(self._connected.set)

    def _on_connect_fail(self, _c: mqtt.Client, _u: Any) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._fail, "cannot reach broker")

    def _on_publish(self, _c: mqtt.Client, _u: Any, _mid: int, _rc: Any, _p: Any) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._release, 1)

    def _fail(self, why: str) -> None:
        self._connect_error = why
        self._connected.set()

    def _release(self, n: int) -> None:
        self._inflight -= n
        if self._inflight < self.max_inflight:
            self._room.set()

    async def connect(self) -> None:
        cfg = self.config
        self._loop = asyncio.get_running_loop()
        connect_in_background(self._client, cfg)
        try:
            await asyncio.wait_for(self._connected.wait(), cfg.connect_timeout_s)
        except TimeoutError:
            self._connect_error = f"no answer within {cfg.connect_timeout_s} s"
        if self._connect_error is not None:
            self._client.loop_stop()
            raise unavailable(cfg, self._connect_error)
        now = time.time()
        await self.publish_status(GATEWAY_ID, SensorStatus.ONLINE, now)
        for s in self.sensors:
            await self.publish_status(s, SensorStatus.ONLINE, now)

    async def close(self, *, mark_offline: bool = True) -> None:
        """Mark sensors and gateway offline (retained), wait for in-flight, disconnect."""
        if self._loop is None:
            return
        with contextlib.suppress(PublishError):
            if mark_offline and self._client.is_connected():
                now = time.time()
                for s in (*self.sensors, GATEWAY_ID):
                    await self.publish_status(s, SensorStatus.OFFLINE, now)
            await self.drain(timeout_s=5.0)
        self._client.disconnect()
        self._client.loop_stop()
        self._loop = None

    async def __aenter__(self) -> SimPublisher:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def drain(self, timeout_s: float = 10.0) -> bool:
        """Wait until every message has been handed over (QoS 0) or acknowledged (QoS 1)."""
        deadline = time.monotonic() + timeout_s
        while self._inflight > 0:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._room.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._room.wait(), min(left, 0.05))
        return True

    async def _publish(self, topic: str, payload: bytes, qos: int, retain: bool = False) -> None:
        while self._inflight >= self.max_inflight:
            self._room.clear()
            await self._room.wait()
        self._inflight += 1
        info = self._client.publish(topic, payload, qos=qos, retain=retain)
        if info.rc == mqtt.MQTT_ERR_NO_CONN and qos == 0:
            self._release(1)  # paho drops QoS 0 while disconnected; count it, keep going
            self.dropped += 1
            return
        if info.rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
            self._release(1)
            raise PublishError(f"publish to {topic} failed: {mqtt.error_string(info.rc)}")
        self.messages += 1

    async def publish_readings(self, readings: Sequence[Reading], *, batch: bool = True) -> None:
        if self.payload_format is not None:
            for topic, payload, retain in self.payload_format.readings(readings):
                await self._publish(topic, payload, self.qos, retain)
        elif batch:
            topic = self.topics.batch(self.venue)
            for k in range(0, len(readings), self.max_batch):
                await self._publish(topic, encode_batch(readings[k : k + self.max_batch]), self.qos)
        else:
            for r in readings:
                await self._publish(
                    self.topics.sensor(self.venue, r.sensor), encode_reading(r), self.qos
                )
        self.readings += len(readings)

    async def publish_track(self, sensor: str, doc: dict[str, Any]) -> None:
        """A people tracker's frame (count, positions, ids) on its sensor topic."""
        await self._publish(
            self.topics.sensor(self.venue, sensor), msgspec.json.encode(doc), self.qos
        )
        self.readings += 1

    async def publish_status(self, sensor: str, status: SensorStatus, ts: float) -> None:
        if self.payload_format is not None:
            for topic, payload, retain in self.payload_format.status(sensor, status, ts):
                await self._publish(topic, payload, 1, retain)
            return
        topic = self.topics.status(self.venue, sensor)
        await self._publish(topic, encode_status(status, ts), qos=1, retain=True)


@dataclass
class SimProgress:
    """Counters a CLI can show while :func:`run_simulation` runs."""

    sim_time: float
    readings: int = 0
    messages: int = 0
    status_messages: int = 0
    dropped: int = 0
    wall_elapsed_s: float = 0.0
    occupancy: int = 0


def _default_start(speed: float, duration_s: float | None) -> float:
    """Now, or for fast finite runs a past start so the run ends near now.

    Readings stamped after the wall clock would look like far-future timestamps
    to ingest; running "the last N hours" quickly avoids that.
    """
    now = time.time()
    if speed > 1.0 and duration_s is not None:
        return now - duration_s
    return now


async def run_simulation(
    venue: Venue,
    broker_host: str = "127.0.0.1",
    broker_port: int = 1883,
    *,
    speed: float = 1.0,
    duration_s: float | None = None,
    seed: int = 0,
    batch: bool = True,
    qos: int = 1,
    prefix: str = "",
    stop_event: asyncio.Event | None = None,
    mqtt_config: MqttConfig | None = None,
    hours: str = "09:00-17:00",
    start: float | None = None,
    faults: FaultPlan | None = None,
    ground_truth_path: str | Path | None = None,
    tick_s: float = 0.25,
    max_inflight: int = 1000,
    on_progress: Callable[[SimProgress], None] | None = None,
    warm_start: bool = False,
    on_start: Callable[[VenueSimulator], None] | None = None,
    payload_format: str | None = None,
    local_shift_s: float = 0.0,
) -> SimProgress:
    """Simulate ``venue`` and publish its readings until ``duration_s`` simulated
    seconds have passed (``None``: until ``stop_event`` is set).

    ``speed`` is simulated seconds per wall second (``math.inf``: as fast as the
    broker takes them). ``mqtt_config`` overrides ``broker_host``/``broker_port``
    when given. The first readings go out at once; ``on_progress`` is called
    after every tick. ``warm_start`` starts with the visitors the hour implies;
    ``on_start`` sees the simulator before its first step; ``local_shift_s``
    runs the venue's day that far ahead of the clock (readings keep the real
    time). Returns the final counters.
    """
    if not speed > 0:
        raise PublishError(f"speed must be positive or inf, got {speed}")
    cfg = mqtt_config or MqttConfig(host=broker_host, port=broker_port)
    t0 = _default_start(speed, duration_s) if start is None else start
    sim = VenueSimulator(
        venue,
        seed=seed,
        start=t0,
        faults=faults,
        schedule=DaySchedule.parse(hours),
        warm_start=warm_start,
        local_shift_s=local_shift_s,
    )
    if on_start is not None:  # e.g. the demo's head count of a warm-started venue
        on_start(sim)
    # People trackers send positions (the native contract only; other formats get counts).
    trackers = TrackerPositions(venue, np.random.default_rng(seed + 1))
    # ("contract", the demo's default, is the native contract too.)
    native = formats.payload_format(payload_format, venue) is None
    with_positions = bool(trackers.zone_of) and native
    pace = SimClock(sim.now, speed)
    end = math.inf if duration_s is None else sim.now + duration_s
    # As fast as possible: step by the shortest sensor interval, at most a minute.
    fast_step = float(min(60.0, max(1.0, min((s.interval_s for s in venue.sensors), default=60.0))))
    stop = stop_event or asyncio.Event()
    progress = SimProgress(sim_time=sim.now)
    wall0 = time.monotonic()
    pub = SimPublisher(
        cfg,
        venue.id,
        topics=Topics(prefix),
        qos=qos,
        max_inflight=max_inflight,
        sensors=sim.sensor_ids,
        payload_format=formats.payload_format(payload_format, venue),
    )
    try:
        async with pub:
            pace.anchor(time.monotonic())
            first = True
            while not stop.is_set() and sim.now < end:
                target = pace.target(time.monotonic()) if pace.realtime else sim.now + fast_step
                # A tiny first step samples every sensor at the start time.
                dt = max(min(target, end) - sim.now, 1e-3 if first else 0.0)
                first = False
                readings = sim.step(dt)
                for ev in sim.take_status_events():
                    await pub.publish_status(ev.sensor, ev.status, ev.ts)
                    progress.status_messages += 1
                if with_positions:
                    # Each frame walks the people of its own stamp (late, skewed: nearest kept).
                    readings, frames = trackers.split(
                        readings, lambda ts: sim.occupancy_at(ts, nearest=True)
                    )
                    for sensor, doc in frames:
                        await pub.publish_track(sensor, doc)
                if readings:
                    await pub.publish_readings(readings, batch=batch)
                progress.sim_time = sim.now
                progress.readings, progress.messages = pub.readings, pub.messages
                progress.dropped = pub.dropped
                progress.wall_elapsed_s = time.monotonic() - wall0
                progress.occupancy = sim.crowd.visitors_inside
                if on_progress is not None:
                    on_progress(progress)
                if pace.realtime:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), tick_s)
                else:
                    await asyncio.sleep(0)
            await pub.drain()
            progress.messages = pub.messages
    finally:
        if ground_truth_path is not None:
            sim.ground_truth.save_jsonl(ground_truth_path)
    return progress
