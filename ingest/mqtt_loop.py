"""A paho network thread that can stop reading without starving the session.

Why not ``loop_start()``: ingest's backpressure must stop taking messages when
its writer is behind. Mosquitto 2.0 does not hold to the MQTT 5 Receive
Maximum once acknowledgements flow (measured: 15,000 unacknowledged messages
in flight with a Receive Maximum of 100), so the worker must stop reading its
socket itself. Holding paho's own thread inside ``on_message`` does that, but
also stops it from sending anything: PUBACKs of committed readings wait, and so
do the PINGREQs. After 1.5 keepalives of silence the broker drops the session's
connection, and every unacknowledged message is delivered again after the
reconnect (stored twice, harmlessly but at a cost, and counted twice).

:class:`PausableLoop` runs the client's I/O on its own thread with paho's
public external-loop calls (``loop_read``, ``loop_write``, ``loop_misc``,
``reconnect``). While ``paused()`` is true it does not read, except one packet
every quarter keepalive so the broker's PINGRESP (and the connection's
liveness) keeps arriving; it keeps writing acknowledgements and pings. Every
call into the client goes through this thread (:meth:`call`), because paho
without ``loop_start`` writes to the socket from whichever thread queues a
packet.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import select
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import MQTTErrorCode

from ingest.mqtt_sockbuf import buffer_plain_socket

__all__ = ["PausableLoop"]

log = logging.getLogger(__name__)

_OK = MQTTErrorCode.MQTT_ERR_SUCCESS
# Most messages read per select() while each read brings a whole one.
_READ_BURST = 64


class PausableLoop:
    """Network thread of one paho client whose reading pauses while ``paused()``."""

    def __init__(
        self,
        client: mqtt.Client,
        paused: Callable[[], bool],
        *,
        keepalive_s: float,
        hard_paused: Callable[[], bool] = lambda: False,
        received: Callable[[], int] = lambda: 0,
        after_read: Callable[[], None] = lambda: None,
        min_delay_s: float = 0.5,
        max_delay_s: float = 30.0,
    ) -> None:
        self._client = client
        self._paused = paused
        # Past this even the keepalive reads stop (bounds what the pauses let in).
        self._hard_paused = hard_paused
        # Messages taken so far: while each read brings one, read on without
        # another select() (a select per message cost more than the read).
        self._received = received
        # Called once after each burst of reads: one hand-off per burst, not per message.
        self._after_read = after_read
        self._liveness_s = max(0.5, keepalive_s / 4)
        self._min_delay = min_delay_s
        self._max_delay = max_delay_s
        self._calls: collections.deque[Callable[[], object]] = collections.deque()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._last_read = time.monotonic()
        self.reconnects = 0  # connections after the first (tests, metrics)
        self._connected_once = False

    # -- any thread ----------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="ingest-mqtt", daemon=True)
        self._thread.start()

    def call(self, fn: Callable[[], object]) -> None:
        """Run ``fn`` on the network thread (soon, in order)."""
        self._calls.append(fn)
        self.wake()

    def wake(self) -> None:
        # BlockingIOError: already woken; OSError: closed.
        with contextlib.suppress(BlockingIOError, OSError):
            self._wake_w.send(b"x")

    def stop(self, timeout_s: float = 10.0) -> None:
        """Disconnect cleanly (after the calls queued so far) and end the thread."""
        self._stopping = True
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout_s)
        self._wake_r.close()
        self._wake_w.close()

    # -- the network thread ----------------------------------------------------

    def _run_calls(self) -> None:
        while self._calls:
            fn = self._calls.popleft()
            try:
                fn()
            except Exception:  # one failed call (an ack after a drop) must not end the loop
                log.exception("MQTT call failed")

    def _run(self) -> None:
        c = self._client
        delay = self._min_delay
        while not self._stopping:
            if c.socket() is None:
                if self._connect():
                    delay = self._min_delay
                else:
                    self._sleep(delay)
                    delay = min(self._max_delay, delay * 2)
                continue
            self._step()
        self._run_calls()
        if c.socket() is not None:
            c.disconnect()
            # Flush the DISCONNECT (and any last acknowledgements).
            deadline = time.monotonic() + 2.0
            while c.want_write() and c.socket() is not None and time.monotonic() < deadline:
                if c.loop_write() != _OK:
                    break

    def _connect(self) -> bool:
        try:
            self._client.reconnect()
        except OSError as exc:
            log.debug("MQTT connect failed: %s", exc)
            return False
        buffer_plain_socket(self._client)  # one recv per burst (ingest.mqtt_sockbuf)
        if self._connected_once:
            self.reconnects += 1
        self._connected_once = True
        self._last_read = time.monotonic()
        return True

    def _sleep(self, seconds: float) -> None:
        """Wait, but wake for stop() or queued calls (which then run: acks after a drop)."""
        select.select([self._wake_r], [], [], seconds)
        self._drain_wake()
        self._run_calls()

    def _drain_wake(self) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except (BlockingIOError, OSError):
            pass

    def _step(self) -> None:
        c = self._client
        sock = c.socket()
        assert sock is not None
        now = time.monotonic()
        paused = self._paused()
        reading = not paused or (
            not self._hard_paused() and now - self._last_read >= self._liveness_s
        )
        pending = sock.pending() if reading and hasattr(sock, "pending") else 0
        rlist: list[Any] = [self._wake_r, sock] if reading else [self._wake_r]
        wlist: list[Any] = [sock] if c.want_write() else []
        timeout = 0.0 if pending else (0.25 if paused else 1.0)
        try:
            readable, _, _ = select.select(rlist, wlist, [], timeout)
        except (OSError, ValueError, TypeError):
            return  # the socket closed under us: the next round reconnects
        if self._wake_r in readable:
            self._drain_wake()
        rc = _OK
        if reading and (sock in readable or pending):
            rc = c.loop_read()
            self._last_read = now
            for _ in range(_READ_BURST if not paused else 0):
                before = self._received()
                if rc != _OK or c.socket() is None or self._paused():
                    break
                rc = c.loop_read()
                if self._received() == before:
                    break  # no whole message came: the socket is (nearly) drained
            self._after_read()
        if rc == _OK and c.socket() is not None:
            self._run_calls()
            if c.want_write():
                rc = c.loop_write()
        if rc == _OK and c.socket() is not None:
            rc = c.loop_misc()
        if rc != _OK and c.socket() is not None and rc != MQTTErrorCode.MQTT_ERR_AGAIN:
            log.debug("MQTT loop: %s", mqtt.error_string(rc))
