"""Cheap WebSocket viewers for ``bench/end_to_end.py``: many connections, little client CPU.

A draining client is a real WebSocket connection to ``/ws``: it completes the
RFC 6455 handshake, sends the viewer's ``auth`` and ``subscribe`` frames
(masked, as a browser does), answers the server's pings, and reads every
frame the server sends, but it parses only frame headers and never decodes
JSON or validates UTF-8. It subscribes in the format it is given (compact,
as the browser does, unless told otherwise). Per frame it reads the first
bytes of the payload, where the hub's encoders (both formats) put ``"type"``
and ``server_time``, to tell deltas
from snapshots and to measure how late each delta arrived (arrival - the
frame's ``server_time``, the tick that built it). A snapshot after the first
one is a resynchronisation: the server dropped that client's backlog.

So the server does all the work a browser costs it, and the bench's clients
stay well under a core even at 1,000 connections; the per-value latency is
measured by a smaller sample of fully parsing clients (``e2e_parts.clients``).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import struct
import time
from typing import Any

import numpy as np

_SERVER_TIME = re.compile(rb'"server_time":([0-9.eE+-]+)')
_HEAD = 160  # payload bytes looked at: "type" and "server_time" come first


def _masked(opcode: int, payload: bytes) -> bytes:
    """One client frame (FIN set, masked as RFC 6455 requires of clients)."""
    mask = os.urandom(4)
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + mask + body


class DrainStats:
    def __init__(self) -> None:
        self.on = False
        self.frames = 0
        self.deltas = 0
        self.snapshots = 0
        self.resyncs = 0
        self.bytes = 0
        self.age: list[float] = []  # arrival - server_time of each delta, s
        # server_time -> the latest arrival of that tick's delta in this process
        self.last: dict[float, float] = {}
        self.closed = 0


class _Drain(asyncio.Protocol):
    """Frame-level reader; ``ready`` is set once the handshake is answered."""

    def __init__(self, stats: DrainStats, request: bytes, first: list[bytes]) -> None:
        self.stats = stats
        self.request = request
        self.first = first  # frames to send once upgraded
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.upgraded = False
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.done: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.skip = 0  # payload bytes of the current frame still to discard
        self.seen_snapshot = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        self.stats.closed += 1
        if not self.ready.done():
            self.ready.set_exception(ConnectionError("closed before the handshake"))
        if not self.done.done():
            self.done.set_result(None)

    def data_received(self, data: bytes) -> None:
        if self.stats.on:
            self.stats.bytes += len(data)
        if self.skip:
            # The common case: the rest of a large frame, thrown away unread.
            if len(data) <= self.skip:
                self.skip -= len(data)
                return
            data = data[self.skip :]
            self.skip = 0
        self.buf += data
        if not self.upgraded:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(self.buf[: self.buf.find(b"\r\n")])
            del self.buf[: end + 4]
            if b" 101 " not in status:
                self.ready.set_exception(ConnectionError(status.decode(errors="replace")))
                assert self.transport is not None
                self.transport.close()
                return
            self.upgraded = True
            assert self.transport is not None
            for f in self.first:
                self.transport.write(f)
            self.ready.set_result(None)
        self._frames()

    def _frames(self) -> None:
        buf = self.buf
        while len(buf) >= 2:
            b0, b1 = buf[0], buf[1]
            n = b1 & 0x7F
            pos = 2
            if n == 126:
                if len(buf) < 4:
                    return
                n = struct.unpack_from("!H", buf, 2)[0]
                pos = 4
            elif n == 127:
                if len(buf) < 10:
                    return
                n = struct.unpack_from("!Q", buf, 2)[0]
                pos = 10
            opcode = b0 & 0x0F
            have = len(buf) - pos
            if opcode in (0x8, 0x9) and have < n:
                return  # control frames are small: wait for the whole one
            if opcode == 0x9:  # ping: answer with its payload
                assert self.transport is not None
                self.transport.write(_masked(0xA, bytes(buf[pos : pos + n])))
            elif opcode == 0x8:
                assert self.transport is not None
                self.transport.close()
            elif opcode == 0x1 and have >= min(n, _HEAD):
                self._message(bytes(buf[pos : pos + min(n, _HEAD)]))
            elif opcode == 0x1:
                return  # wait for the head of the payload
            if have >= n:
                del buf[: pos + n]
            else:
                self.skip = n - have
                buf.clear()
                return

    def _message(self, head: bytes) -> None:
        st = self.stats
        now = time.time()
        if head.startswith(b'{"type":"delta"'):
            if st.on:
                st.frames += 1
                st.deltas += 1
                m = _SERVER_TIME.search(head)
                if m is not None:
                    sent = float(m.group(1))
                    st.age.append(now - sent)
                    if now > st.last.get(sent, 0.0):
                        st.last[sent] = now
        elif head.startswith(b'{"type":"snapshot"'):
            if self.seen_snapshot and st.on:
                st.resyncs += 1
            self.seen_snapshot = True
            if st.on:
                st.frames += 1
                st.snapshots += 1
        elif st.on:
            st.frames += 1


async def _one(
    port: int, venue: str, token: str, stats: DrainStats, stop: asyncio.Event, fmt: str
) -> None:
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    ).encode()
    first = [
        _masked(0x1, json.dumps({"type": "auth", "token": token}).encode()),
        _masked(0x1, json.dumps({"type": "subscribe", "venue": venue, "format": fmt}).encode()),
    ]
    loop = asyncio.get_running_loop()
    transport, proto = await loop.create_connection(
        lambda: _Drain(stats, request, first), "127.0.0.1", port
    )
    try:
        await proto.ready
        stopped: asyncio.Future[Any] = asyncio.ensure_future(stop.wait())
        await asyncio.wait([proto.done, stopped], return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
    finally:
        if not transport.is_closing():
            transport.write(_masked(0x8, struct.pack("!H", 1000)))
            transport.close()


async def _drainers(
    port: int, venue: str, n: int, warmup_s: float, seconds: float, token: str, fmt: str
) -> dict[str, Any]:
    stats = DrainStats()
    stop = asyncio.Event()
    tasks = []
    for i in range(n):
        tasks.append(asyncio.create_task(_one(port, venue, token, stats, stop, fmt)))
        if i % 50 == 49:
            await asyncio.sleep(0.1)
    await asyncio.sleep(warmup_s)
    stats.on = True
    closed0 = stats.closed
    cpu0 = time.process_time()
    await asyncio.sleep(seconds)
    stats.on = False
    cpu = time.process_time() - cpu0
    lost = stats.closed - closed0  # while measured, not at the end
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    age = np.asarray(stats.age, dtype=np.float64)
    if age.size > 200_000:
        age = np.random.default_rng(0).choice(age, 200_000, replace=False)
    return {
        "clients": n,
        "cpu_s": cpu,
        "frames": stats.frames,
        "deltas": stats.deltas,
        "snapshots": stats.snapshots,
        "resyncs": stats.resyncs,
        "bytes": stats.bytes,
        "age": age.tolist(),
        "last": stats.last,
        "dropped_connections": lost,
        "errors": sum(1 for t in tasks if t.done() and t.exception() is not None),
    }


def drainers(
    port: int, venue: str, n: int, warmup_s: float, seconds: float, out: Any, fmt: str = "compact"
) -> None:
    """Process entry: ``n`` draining clients sharing one login; puts a summary on ``out``."""
    from bench.e2e_parts import login

    token = login(port)  # one login (scrypt) per process
    out.put(asyncio.run(_drainers(port, venue, n, warmup_s, seconds, token, fmt)))
