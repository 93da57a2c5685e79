"""The ingest service: MQTT in, validated readings to the writer and the twin.

paho-mqtt's network thread receives and decodes (decoding is pure and cheap);
results are handed to the event loop, where the batching writer stores them.
At QoS 1 a message is acknowledged to the broker only once its readings are
committed (or spooled), so a crash never loses an acknowledged reading, and a
full writer queue stops the acks, which makes the broker slow down
(MQTT 5 Receive Maximum bounds what is in flight).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from ingest.contract import DeadLetter, Reading, Topics
from ingest.decode import Decoder, DecodeResult
from ingest.metrics import IngestMetrics
from ingest.mqtt_loop import PausableLoop
from ingest.mqtt_settings import MqttSettings, make_client
from ingest.mqtt_subscribe import SubscribeGate
from ingest.store.base import Store, StoreError
from ingest.store.writer import WriterClosed

__all__ = ["IngestService", "ReadingSink"]

log = logging.getLogger(__name__)

# Backpressure, end to end: a full writer leaves puts pending; with
# _MAX_PENDING_PUTS pending the drain pauses; the inbox then fills to its limit
# and the network thread stops reading the socket (ingest.mqtt_loop), so TCP
# holds the broker back while acknowledgements and pings still go out and the
# session stays connected. Inbox and pending puts together hold about Receive
# Maximum messages: Mosquitto 2.0 sends past Receive Maximum once
# acknowledgements flow, so the worker enforces it itself. QoS 0 is shed instead.
_MAX_PENDING_PUTS = 4


class ReadingSink(Protocol):
    """What the service needs of the batching writer."""

    async def put(
        self, readings: Sequence[Reading], done: Callable[[], None] | None = None
    ) -> None: ...


ResultListener = Callable[[DecodeResult], None]


class MessageDecoder(Protocol):
    """The contract :class:`Decoder`, or one that also routes device adapters."""

    def decode(
        self, topic: str, payload: bytes | bytearray, received_at: float
    ) -> DecodeResult: ...


class IngestService:
    """One ingest worker. Use as ``async with service: await stop.wait()``."""

    def __init__(
        self,
        mqtt_settings: MqttSettings,
        topics: Topics,
        decoder: Decoder | MessageDecoder,
        sink: ReadingSink,
        store: Store,
        metrics: IngestMetrics,
        *,
        venue_filter: str = "+",
        qos: int = 1,
        shared_group: str | None = None,
        receive_maximum: int = 1000,
        dead_letter_capacity: int = 10_000,
        extra_filters: Sequence[str] = (),
    ) -> None:
        self._settings = mqtt_settings
        self._topics = topics
        self._decoder = decoder
        self._sink = sink
        self._store = store
        self.metrics = metrics
        self._venue_filter = venue_filter
        self._extra_filters = list(extra_filters)  # device adapters' subscriptions
        self._qos = qos
        self._shared_group = shared_group
        self._receive_maximum = receive_maximum
        self._inbox_limit = max(1, receive_maximum // 2)
        self._drain_chunk = max(1, receive_maximum // (2 * _MAX_PENDING_PUTS))
        self._listeners: list[ResultListener] = []
        self._dead: collections.deque[DeadLetter] = collections.deque(maxlen=dead_letter_capacity)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: mqtt.Client | None = None
        self._net: PausableLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._dl_task: asyncio.Task[None] | None = None
        # Set once the broker has granted the subscriptions (SUBACK), cleared on a drop.
        self.connected = asyncio.Event()
        self._subscribing = SubscribeGate("ingest")  # network thread only
        self._had_session = False  # a SUBACK was granted once (network thread only)
        # Filled by paho's network thread, drained on the event loop.
        self._inbox: collections.deque[tuple[DecodeResult, int, int]] = collections.deque()
        self._inbox_lock = threading.Lock()
        self._drain_scheduled = False
        # A drain is due but the event loop is not woken yet (network thread only).
        self._wake_due = False
        self._closing = False
        self._received = 0  # messages seen by the network thread

    def add_listener(self, listener: ResultListener) -> None:
        """Called on the event loop with every decoded message's result."""
        self._listeners.append(listener)

    # -- lifecycle ---------------------------------------------------------

    async def __aenter__(self) -> IngestService:
        self._loop = asyncio.get_running_loop()
        s = self._settings
        client = make_client(
            s,
            manual_ack=self._qos > 0,
            persistent=True,
        )
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        if s.protocol == 5:
            props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            props.SessionExpiryInterval = 3600
            props.ReceiveMaximum = self._receive_maximum
            client.connect_async(s.host, s.port, s.keepalive_s, clean_start=False, properties=props)
        else:
            client.max_inflight_messages_set(self._receive_maximum)
            client.connect_async(s.host, s.port, s.keepalive_s)
        self._client = client
        net = self._net = PausableLoop(
            client,
            lambda: len(self._inbox) >= self._inbox_limit,
            keepalive_s=s.keepalive_s,
            # What the keepalive reads may add while paused is bounded too.
            hard_paused=lambda: len(self._inbox) >= 2 * self._inbox_limit,
            received=lambda: self._received,
            after_read=self._wake_loop,
        )
        net.start()
        self._dl_task = asyncio.create_task(self._dead_letter_loop(), name="ingest-dead-letters")
        return self

    async def __aexit__(self, *exc: object) -> None:
        with self._inbox_lock:
            self._closing = True
        # Puts already handed to the writer finish (their acks go out before the
        # DISCONNECT); messages still in the inbox are left unacknowledged to the
        # broker, which delivers them again to this session's next connection.
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._net is not None:
            await asyncio.to_thread(self._net.stop)
        with self._inbox_lock:
            left = len(self._inbox)
            self._inbox.clear()
        if left:
            log.info("%d messages left to the broker for the next start", left)
        if self._dl_task is not None:
            self._dl_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._dl_task
        await self._flush_dead_letters()

    async def wait_connected(self, timeout: float = 10.0) -> None:
        await asyncio.wait_for(self.connected.wait(), timeout)

    # -- paho callbacks (network thread) -----------------------------------

    def _subscriptions(self) -> list[str]:
        filters = self._topics.ingest_filters(self._venue_filter)
        filters.append(self._topics.command(self._venue_filter, "+") + "/ack")
        filters.extend(self._extra_filters)
        if self._shared_group:
            return [f"$share/{self._shared_group}/{f}" for f in filters]
        return filters

    def _on_connect(self, client: mqtt.Client, _u: Any, flags: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            log.warning("MQTT connect refused: %s", reason)
            return
        if self._had_session and not flags.session_present:
            # Nothing here can get those messages back; the operator must know.
            self.metrics.sessions_lost.inc()
            log.warning(
                "the broker at %s:%s no longer held ingest's session (it restarted without "
                "saving it, or expired it): readings devices published since the drop, until "
                "the resubscription, had no subscriber and are lost",
                self._settings.host,
                self._settings.port,
            )
        filters = self._subscriptions()
        # ``connected`` waits for the SUBACK, not the CONNACK: until the broker
        # has the subscriptions, what devices publish is not kept for this
        # session (a new session's first messages were lost to a caller that
        # started publishing once "connected").
        self._subscribing.subscribe(client, [(f, self._qos) for f in filters])
        log.info("ingest connected to %s:%s", self._settings.host, self._settings.port)

    def _on_subscribe(
        self, _c: mqtt.Client, _u: Any, mid: int, reason_codes: list[Any], _p: Any
    ) -> None:
        if not self._subscribing.granted(mid, reason_codes):
            return
        self._had_session = True
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self.connected.set)

    def _on_disconnect(self, _c: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self.connected.clear)
        log.info("ingest disconnected: %s", reason)

    def _on_message(self, client: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        self._received += 1
        result = self._decoder.decode(msg.topic, msg.payload, time.time())
        with self._inbox_lock:
            if self._closing:
                return  # unacknowledged: the broker keeps it for the next connection
            if len(self._inbox) >= self._inbox_limit and msg.qos == 0:
                # The event loop is behind and QoS 0 has no flow control: shed it.
                self.metrics.reject("overload_dropped", max(1, len(result.readings)))
                return
            # QoS 1 past the limit: the network thread now pauses its reading.
            self._inbox.append((result, msg.mid, msg.qos))
            if self._drain_scheduled:
                return
            self._drain_scheduled = True
        # The event loop is woken once the network thread's burst of reads ends
        # (:meth:`_wake_loop`): a wake-up per message cost more than the message.
        self._wake_due = True

    def _wake_loop(self) -> None:
        """After a burst of reads: one wake-up carries every message it brought."""
        if not self._wake_due:
            return
        self._wake_due = False
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._drain)

    # -- event loop side ---------------------------------------------------

    def _drain(self) -> None:
        with self._inbox_lock:
            if len(self._tasks) >= _MAX_PENDING_PUTS or self._closing:
                # The writer is behind: leave the rest in the inbox; a finishing
                # put schedules the next drain. Closing: leave it to the broker.
                self._drain_scheduled = False
                return
            was_full = len(self._inbox) >= self._inbox_limit
            items = [self._inbox.popleft() for _ in range(min(self._drain_chunk, len(self._inbox)))]
            more = bool(self._inbox)
            self._drain_scheduled = more
        if was_full and self._net is not None:
            self._net.wake()  # room again: resume reading now, not at the next timeout
        if more:
            assert self._loop is not None
            self._loop.call_soon(self._drain)  # let the writer run between chunks
        m = self.metrics
        m.messages_in.inc(len(items))
        readings: list[Reading] = []
        acks: list[tuple[int, int]] = []
        for result, mid, qos in items:
            if result.rejected:
                for dl in result.rejected:
                    m.reject(dl.reason)
                    log.debug("rejected %s on %s: %s", dl.reason, dl.topic, dl.detail)
                self._dead.extend(result.rejected)
            for listener in self._listeners:
                try:
                    listener(result)
                except Exception:  # a listener bug must not stop ingest
                    log.exception("ingest listener failed")
            if not result.readings:
                self._ack([(mid, qos)])
            else:
                readings.extend(result.readings)
                acks.append((mid, qos))
        if not readings:
            return
        m.readings_in.inc(len(readings))
        task = asyncio.create_task(
            self._sink.put(readings, lambda: self._ack(acks)), name="ingest-put"
        )
        self._tasks.add(task)
        task.add_done_callback(self._put_done)

    def _put_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            if isinstance(exc, WriterClosed):
                # Shutting down while behind: these stay unacknowledged, so the
                # broker delivers them again to the next start.
                log.info("writer closed; %s left to the broker", task.get_name())
            else:
                log.error("handing readings to the writer failed", exc_info=exc)
        with self._inbox_lock:
            if not self._inbox or self._drain_scheduled:
                return
            self._drain_scheduled = True
        assert self._loop is not None
        self._loop.call_soon(self._drain)

    def _ack(self, acks: list[tuple[int, int]]) -> None:
        client, net = self._client, self._net
        if client is None or net is None:
            return
        todo = [(mid, qos) for mid, qos in acks if qos > 0]
        if not todo:
            return

        def send() -> None:
            for mid, qos in todo:
                client.ack(mid, qos)

        net.call(send)  # on the network thread: paho's writes are not thread-safe

    async def _dead_letter_loop(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            await self._flush_dead_letters()

    async def _flush_dead_letters(self) -> None:
        if not self._dead:
            return
        batch = list(self._dead)
        self._dead.clear()
        try:
            await self._store.write_dead_letters(batch)
        except StoreError as exc:
            # Dead letters are evidence, not data: keep what fits, never block ingest.
            log.warning("could not store %d dead letters: %s", len(batch), exc)
            self._dead.extendleft(reversed(batch[-(self._dead.maxlen or 0) :]))
