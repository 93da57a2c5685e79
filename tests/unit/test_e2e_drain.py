"""The bench's draining WebSocket client counts what the server sent, frame by frame.

It must not miscount: the 1,000-client row of docs/scaling.md rests on it.
"""

import asyncio
import json
import struct
import time
from typing import Any

from bench.e2e_drain import DrainStats, _Drain, _masked

HANDSHAKE = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"


def server_frame(opcode: int, payload: bytes) -> bytes:
    """A server frame: FIN, unmasked, any length encoding."""
    n = len(payload)
    if n < 126:
        return struct.pack("!BB", 0x80 | opcode, n) + payload
    if n < 65536:
        return struct.pack("!BBH", 0x80 | opcode, 126, n) + payload
    return struct.pack("!BBQ", 0x80 | opcode, 127, n) + payload


def frame(kind: str, server_time: float, sensors: int = 3) -> bytes:
    body = {
        "type": kind,
        "v": 1,
        "venue": "v",
        "server_time": server_time,
        "sensors": {f"s{i:06d}": {"value": 1.0, "ts": server_time} for i in range(sensors)},
    }
    return server_frame(0x1, json.dumps(body, separators=(",", ":")).encode())


class _Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written: list[bytes] = []
        self.closed = False

    def write(self, data: Any) -> None:
        self.written.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


def _unmask(frame_bytes: bytes) -> tuple[int, bytes]:
    n = frame_bytes[1] & 0x7F
    mask, body = frame_bytes[2:6], frame_bytes[6 : 6 + n]
    return frame_bytes[0] & 0x0F, bytes(b ^ mask[i % 4] for i, b in enumerate(body))


def _run(chunks: list[bytes]) -> tuple[DrainStats, _Transport]:
    async def go() -> tuple[DrainStats, _Transport]:
        stats = DrainStats()
        stats.on = True
        first = [_masked(0x1, b'{"type":"auth"}')]
        proto = _Drain(stats, b"GET /ws HTTP/1.1\r\n\r\n", first)
        transport = _Transport()
        proto.connection_made(transport)
        for c in chunks:
            proto.data_received(c)
        return stats, transport

    return asyncio.run(go())


def _split(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def test_every_frame_is_counted_however_the_bytes_arrive() -> None:
    now = time.time()
    stream = (
        HANDSHAKE
        + frame("snapshot", now, 3000)  # over 64 KiB: the 8-byte length
        + frame("delta", now - 0.2, 200)  # 16-bit length
        + frame("alarm", now)
        + frame("delta", now - 0.1)
    )
    for size in (1, 7, 1000, len(stream)):
        stats, transport = _run(_split(stream, size))
        assert (stats.frames, stats.deltas, stats.snapshots, stats.resyncs) == (4, 2, 1, 0), size
        assert stats.bytes == len(stream)
        assert len(stats.age) == 2
        assert 0.15 < stats.age[0] < 5 and 0.05 < stats.age[1] < 5
        # The viewer's first frames went out once the upgrade was answered.
        assert transport.written[0].startswith(b"GET /ws")
        assert _unmask(transport.written[1]) == (0x1, b'{"type":"auth"}')


def test_a_second_snapshot_is_a_resync() -> None:
    now = time.time()
    stats, _ = _run(
        [HANDSHAKE, frame("snapshot", now), frame("delta", now), frame("snapshot", now)]
    )
    assert (stats.snapshots, stats.resyncs, stats.deltas) == (2, 1, 1)


def test_pings_are_answered_and_a_close_closes() -> None:
    stats, transport = _run([HANDSHAKE + server_frame(0x9, b"beat") + server_frame(0x8, b"")])
    assert _unmask(transport.written[-1]) == (0xA, b"beat")
    assert transport.closed
    assert stats.frames == 0


def test_a_refused_upgrade_fails_the_client() -> None:
    async def go() -> Any:
        proto = _Drain(DrainStats(), b"GET /ws HTTP/1.1\r\n\r\n", [])
        proto.connection_made(_Transport())
        proto.data_received(b"HTTP/1.1 403 Forbidden\r\n\r\n")
        return proto.ready.exception()

    assert isinstance(asyncio.run(go()), ConnectionError)
