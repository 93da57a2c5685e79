"""Hostile clients against the real HTTP server: slow loris and oversize WebSocket frames.

Each must cost the attacker its own connection and nobody else anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from ingest.contract import Reading
from tests.unit.test_viewer_support import Rig, V, app_of, login_token, make_rig, subscribed_ws
from venue_twin.embedded_broker import free_port
from venue_twin.http_server import GuardedH11Protocol, serve_http

pytestmark = pytest.mark.integration

HEADER_TIMEOUT_S = 1.5


@pytest.fixture
async def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[Rig, int]]:
    monkeypatch.setattr(GuardedH11Protocol, "header_timeout_s", HEADER_TIMEOUT_S)
    rig = make_rig(tmp_path)
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


def _get(port: int, path: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as res:
        body: dict[str, Any] = json.load(res)
    return body


async def test_slow_loris_connections_are_cut_and_never_block_others(
    server: tuple[Rig, int],
) -> None:
    _, port = server
    loris = []
    for _ in range(100):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        await writer.drain()
        loris.append((reader, writer))

    async def dribble() -> None:
        # One header byte at a time, well inside any per-read timeout.
        for _ in range(10):
            for _, w in loris:
                if not w.is_closing():
                    with contextlib.suppress(ConnectionError):  # the server hung up
                        w.write(b"X")
            await asyncio.sleep(0.3)

    dribbling = asyncio.create_task(dribble())
    # Meanwhile everyone else is served.
    assert (await asyncio.to_thread(_get, port, "/api/health"))["status"] == "ok"
    await dribbling
    # Past the header deadline the server has hung up on every one of them.

    async def hung_up(reader: asyncio.StreamReader) -> bool:
        try:
            return await asyncio.wait_for(reader.read(), 5.0) == b""
        except ConnectionError:  # reset, or a dribbled byte met the closed socket
            return True
        except TimeoutError:
            return False

    closed = sum(await asyncio.gather(*(hung_up(r) for r, _ in loris)))
    for _, writer in loris:
        writer.close()
    assert closed == len(loris)
    assert (await asyncio.to_thread(_get, port, "/api/health"))["status"] == "ok"


async def test_a_keep_alive_connection_still_serves_request_after_request(
    server: tuple[Rig, int],
) -> None:
    """The header deadline is per request: a healthy keep-alive client is not cut."""
    _, port = server
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for _ in range(3):
        writer.write(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5.0)
        assert head.startswith(b"HTTP/1.1 200")
        length = int(
            next(
                line.split(b":")[1]
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
        )
        assert json.loads(await reader.readexactly(length))["status"] == "ok"
        await asyncio.sleep(HEADER_TIMEOUT_S / 2)
    writer.close()


async def test_an_oversize_websocket_frame_closes_only_that_connection(
    server: tuple[Rig, int],
) -> None:
    rig, port = server
    token = await login_token(port, "ada")
    bystander = await subscribed_ws(port, token, V, max_size=None)
    attacker = await subscribed_ws(port, token, V, max_size=None)
    await attacker.send("x" * (1024 * 1024))

    async def drain() -> None:
        while True:
            await asyncio.wait_for(attacker.recv(), 5.0)

    with pytest.raises(ConnectionClosed) as closed:
        await drain()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009  # message too big

    rig.twin.apply_readings([Reading(V, "gallery-a-temp", time.time(), 23.25)])
    while True:
        frame = json.loads(await asyncio.wait_for(bystander.recv(), 5.0))
        if frame["type"] == "delta" and "gallery-a-temp" in frame["sensors"]:
            break
    assert frame["sensors"]["gallery-a-temp"]["value"] == 23.25
    await bystander.close()


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../../../../../etc/passwd",
        "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/static/%2e%2e%5c%2e%2e%5c%2e%2e%5cetc%5cpasswd",
        "/static//etc/passwd",
        "/../../../../etc/passwd",
    ],
)
async def test_static_files_never_leave_their_folder(server: tuple[Rig, int], path: str) -> None:
    """Raw requests: an HTTP library would normalise the dots away before sending."""
    _, port = server
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    response = await asyncio.wait_for(reader.read(), 10.0)
    writer.close()
    status = int(response.split(b" ", 2)[1])
    assert status in (400, 404), response[:200]
    assert b"root:" not in response
