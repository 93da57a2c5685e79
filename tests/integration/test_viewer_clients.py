"""Many WebSocket clients on a real uvicorn server, one of them too slow to keep up.

The slow client stops reading; the fast ones must keep getting every change
on time, and the slow one, once it reads again, catches up through a snapshot
instead of a backlog.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from ingest.contract import Reading
from tests.unit.test_viewer_support import Rig, app_of, login_token, make_rig, subscribed_ws
from twin.venue import SensorDef, SensorKind, Venue, Zone
from venue_twin.embedded_broker import free_port
from venue_twin.wiring import serve_http

pytestmark = pytest.mark.integration

V = "big-hall"
SENSORS = 3000
FAST_CLIENTS = 10


def big_venue() -> Venue:
    """Enough sensors that a delta is large and a client that stops reading falls behind."""
    zones = [
        Zone(id=f"z{i}", name=f"Z{i}", floor=[(i, 0), (i + 1, 0), (i + 1, 1), (i, 1)])
        for i in range(10)
    ]
    sensors = [
        SensorDef(
            id=f"s{i}",
            kind=SensorKind.TEMPERATURE,
            zone=f"z{i % 10}",
            position=(i % 10 + 0.5, 0.5, 2.0),
            interval_s=1.0,
        )
        for i in range(SENSORS)
    ]
    return Venue(id=V, name="Big hall", zones=zones, sensors=sensors)


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[tuple[Rig, int]]:
    rig = make_rig(tmp_path, venue=big_venue(), client_queue=8)
    await rig.open()
    port = free_port()
    stop = asyncio.Event()
    http = asyncio.create_task(serve_http(app_of(rig), "127.0.0.1", port, stop))
    ticks = asyncio.create_task(rig.hub.run())
    await asyncio.sleep(0.5)
    yield rig, port
    stop.set()
    ticks.cancel()
    await http


async def test_a_slow_client_is_resynchronised_and_never_holds_the_others_back(
    server: tuple[Rig, int],
) -> None:
    rig, port = server
    token = await login_token(port, "ada")
    fast = [await subscribed_ws(port, token, V, max_size=None) for _ in range(FAST_CLIENTS)]
    # A small receive window and max_queue=1: this client's socket fills after a few frames.
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    slow = await subscribed_ws(port, token, V, max_size=None, max_queue=1, sock=sock)
    latest: dict[int, float] = {i: -1.0 for i in range(FAST_CLIENTS)}

    async def read(i: int, ws: Any) -> None:
        async for raw in ws:
            frame = json.loads(raw)
            if frame["type"] in ("delta", "snapshot") and "s0" in frame["sensors"]:
                latest[i] = frame["sensors"]["s0"]["value"]

    readers = [asyncio.create_task(read(i, ws)) for i, ws in enumerate(fast)]
    rounds = 80
    backlog = 0
    for n in range(rounds):
        now = time.time()
        rig.twin.apply_readings([Reading(V, f"s{i}", now, float(n)) for i in range(SENSORS)])
        await asyncio.sleep(0.05)
        backlog = max(backlog, rig.hub.backlog())
    deadline = time.monotonic() + 30
    while any(v != rounds - 1 for v in latest.values()) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert all(v == rounds - 1 for v in latest.values()), latest
    assert rig.hub.stats.resyncs >= 1
    assert 1 <= backlog <= 8  # the slow client's frames waited, never more than client_queue

    # The slow client now reads: it catches up through a snapshot, not a backlog of deltas.
    kinds: list[str] = []
    value = -1.0
    while True:
        try:
            frame = json.loads(await asyncio.wait_for(slow.recv(), 1.0))
        except TimeoutError:
            break
        kinds.append(frame["type"])
        if frame["type"] in ("delta", "snapshot") and "s0" in frame["sensors"]:
            value = frame["sensors"]["s0"]["value"]
    assert "snapshot" in kinds
    assert value == rounds - 1
    assert kinds.count("delta") < rounds // 2
    for t in readers:
        t.cancel()
    for ws in [*fast, slow]:
        await ws.close()
    assert rig.hub.stats.clients <= FAST_CLIENTS + 1
