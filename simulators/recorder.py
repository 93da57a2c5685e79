"""Recording MQTT traffic from any broker into a recording file.

paho-mqtt's network thread stamps each message with its receive time and puts
it on a bounded queue; one writer thread drains the queue into a
:class:`~simulators.recording_writer.RecordingWriter`. When the disk cannot keep up
the queue fills and further messages are dropped and counted, so memory stays
bounded whatever the broker sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt

from ingest.mqtt_settings import stop_client
from simulators.mqtt_config import MqttConfig, connect_in_background, make_client, unavailable
from simulators.recording import (
    Codec,
    RecordedMessage,
    RecordingError,
    RecordingHeader,
    default_codec,
)
from simulators.recording_writer import RecordingWriter

__all__ = ["RecordProgress", "Recorder"]

_IDLE_WAIT_S = 0.2  # how often the writer thread wakes to flush a quiet stream


@dataclass
class RecordProgress:
    """Counters a CLI can show while recording."""

    messages: int = 0
    payload_bytes: int = 0
    file_bytes: int = 0
    dropped: int = 0
    elapsed_s: float = 0.0

    @property
    def rate(self) -> float:
        """Messages per second so far."""
        return self.messages / self.elapsed_s if self.elapsed_s > 0 else 0.0


class Recorder:
    """Subscribes to ``topic_filter`` and writes every message to ``path``.

    ``await recorder.run(stop, duration_s=.., max_messages=..)`` records until
    ``stop`` is set, ``duration_s`` wall seconds have passed or
    ``max_messages`` messages are written, then closes the file cleanly.
    """

    def __init__(
        self,
        config: MqttConfig,
        path: str | Path,
        *,
        topic_filter: str = "venues/#",
        qos: int = 1,
        max_queue: int = 10_000,
        codec: Codec | None = None,
        flush_interval_s: float = 1.0,
        chunk_bytes: int = 1 << 20,
    ) -> None:
        self.config = config
        self.path = Path(path)
        self.topic_filter = topic_filter
        self.qos = qos
        self.codec: Codec = codec or default_codec()
        self.flush_interval_s = flush_interval_s
        self.chunk_bytes = chunk_bytes
        self.progress = RecordProgress()
        self._queue: queue.Queue[RecordedMessage | None] = queue.Queue(maxsize=max_queue)
        self._dropped = 0  # written only by paho's thread
        self._subscribed = threading.Event()
        self._connect_error: str | None = None
        self._writer: RecordingWriter | None = None
        self._writer_error: BaseException | None = None
        self._count_reached = threading.Event()
        self._max_messages: int | None = None
        self._client = self._make_client()

    @property
    def subscribed(self) -> bool:
        return self._subscribed.is_set()

    def _make_client(self) -> mqtt.Client:
        cfg = self.config
        client = make_client(cfg, role="recorder")
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        return client

    # -- paho callbacks (network thread) ---------------------------------

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        if rc.is_failure:
            self._connect_error = f"broker refused: {rc}"
            self._subscribed.set()
            return
        client.subscribe(self.topic_filter, qos=self.qos)  # again after every reconnect

    def _on_connect_fail(self, _c: mqtt.Client, _u: Any) -> None:
        if not self._subscribed.is_set():
            self._connect_error = "cannot reach broker"
            self._subscribed.set()

    def _on_subscribe(self, _c: mqtt.Client, _u: Any, _mid: int, codes: Any, _p: Any) -> None:
        if any(c.is_failure for c in codes):
            self._connect_error = f"subscription to {self.topic_filter} refused"
        self._subscribed.set()

    def _on_message(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        rec = RecordedMessage(time.time(), msg.topic, bytes(msg.payload), msg.qos, msg.retain)
        try:
            self._queue.put_nowait(rec)
        except queue.Full:
            self._dropped += 1

    # -- writer thread ---------------------------------------------------

    def _write_loop(self, writer: RecordingWriter) -> None:
        try:
            while True:
                try:
                    item = self._queue.get(timeout=_IDLE_WAIT_S)
                except queue.Empty:
                    writer.tick()
                    continue
                if item is None:
                    return
                if self._count_reached.is_set():
                    continue  # the count is reached: what still arrives is not wanted
                writer.write(item)
                if self._max_messages is not None and writer.messages >= self._max_messages:
                    self._count_reached.set()
        except BaseException as exc:  # surfaced by run(); the thread must not die silently
            self._writer_error = exc
            self._count_reached.set()

    # -- lifecycle -------------------------------------------------------

    async def run(
        self,
        stop: asyncio.Event | None = None,
        *,
        duration_s: float | None = None,
        max_messages: int | None = None,
        on_progress: Callable[[RecordProgress], None] | None = None,
        progress_interval_s: float = 0.5,
    ) -> RecordProgress:
        """Record until stopped; returns the final counters. Raises BrokerUnavailable."""
        cfg = self.config
        stop = stop or asyncio.Event()
        self._max_messages = max_messages
        connect_in_background(self._client, cfg)
        try:
            ok = await asyncio.to_thread(self._subscribed.wait, cfg.connect_timeout_s)
            if not ok or self._connect_error is not None:
                why = self._connect_error or f"no answer within {cfg.connect_timeout_s} s"
                raise unavailable(cfg, why)
            header = RecordingHeader(
                start=time.time(),
                topic_filter=self.topic_filter,
                broker=f"mqtt://{cfg.host}:{cfg.port}",
                codec=self.codec,
            )
            writer = RecordingWriter(
                self.path,
                header,
                chunk_bytes=self.chunk_bytes,
                flush_interval_s=self.flush_interval_s,
            )
            self._writer = writer
            thread = threading.Thread(
                target=self._write_loop, args=(writer,), name="recorder-writer", daemon=True
            )
            thread.start()
            # Messages may already be queued: the subscription came before the file.
            t0 = time.monotonic()
            deadline = None if duration_s is None else t0 + duration_s
            try:
                while not stop.is_set() and not self._count_reached.is_set():
                    now = time.monotonic()
                    if deadline is not None and now >= deadline:
                        break
                    wait = (
                        progress_interval_s
                        if deadline is None
                        else min(progress_interval_s, deadline - now)
                    )
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), max(wait, 0.0))
                    self._update(writer, t0)
                    if on_progress is not None:
                        on_progress(self.progress)
            finally:
                await stop_client(self._client)
                if thread.is_alive():
                    await asyncio.to_thread(self._queue.put, None)
                    await asyncio.to_thread(thread.join)
                try:
                    writer.close()
                except RecordingError:
                    if self._writer_error is None:
                        raise
                self._update(writer, t0)
        finally:
            self._client.loop_stop()
        if self._writer_error is not None:
            raise self._writer_error
        return self.progress

    def _update(self, writer: RecordingWriter, t0: float) -> None:
        p = self.progress
        p.messages = writer.messages
        p.payload_bytes = writer.payload_bytes
        p.file_bytes = writer.bytes_written
        p.dropped = self._dropped
        p.elapsed_s = time.monotonic() - t0
